package io.lars.kernel;

import java.net.Inet6Address;
import java.net.InetAddress;
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

  /**
   * The address as a client would write it: {@code 0.0.0.0} for a wildcard bind (Java reports a
   * socket bound to 0.0.0.0 on a dual-stack host as {@code 0:0:0:0:0:0:0:0}), dotted IPv4,
   * {@code [v6]} for other IPv6 addresses, the host name of an unresolved address.
   *
   * @return {@code HOST:PORT}
   */
  public String hostAndPort() {
    return host(address) + ":" + address.getPort();
  }

  private static String host(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      String name = address.getHostString();
      return name.contains(":") && !name.startsWith("[") ? "[" + name + "]" : name;
    }
    if (ip.isAnyLocalAddress()) {
      return "0.0.0.0";
    }
    if (ip instanceof Inet6Address) {
      String text = ip.getHostAddress();
      int scope = text.indexOf('%');
      return "[" + (scope < 0 ? text : text.substring(0, scope)) + "]";
    }
    return ip.getHostAddress();
  }

  /** @return {@code OWNER=PROTOCOL://HOST:PORT}, e.g. {@code dns=tcp://0.0.0.0:7778} */
  @Override
  public String toString() {
    return owner + "=" + protocol + "://" + hostAndPort();
  }
}
