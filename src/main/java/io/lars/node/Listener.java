package io.lars.node;

import java.net.InetSocketAddress;

/**
 * A bound listener, for the ready line and readiness checks.
 *
 * @param owner the role name ({@code dns}, {@code agent}...) or {@code management}
 * @param protocol {@code "tcp"}, {@code "udp"} or {@code "http"}
 * @param address the bound address, with the real port when port 0 was asked for
 */
public record Listener(String owner, String protocol, InetSocketAddress address) {

  /**
   * @param role the role that owns the listener
   * @param protocol {@code "tcp"}, {@code "udp"} or {@code "http"}
   * @param address the bound address
   * @return the listener
   */
  public static Listener of(Role role, String protocol, InetSocketAddress address) {
    return new Listener(role.roleName(), protocol, address);
  }

  @Override
  public String toString() {
    return owner + "=" + protocol + "://" + address.getHostString() + ":" + address.getPort();
  }
}
