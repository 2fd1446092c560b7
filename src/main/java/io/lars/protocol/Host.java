package io.lars.protocol;

import io.lars.protocol.pb.HostInfo;

/**
 * One host of a route: an IPv4 address and a port.
 *
 * <p>Ordered by unsigned address, then port, so sorted sets of hosts read naturally.
 *
 * @param ip the address in Lars int32 form (see {@link Ipv4})
 * @param port 0..65535 (the wire allows any int32; routes only hold 1..65535)
 */
public record Host(int ip, int port) implements Comparable<Host> {

  /**
   * Builds a host from text.
   *
   * @param dotted dotted quad
   * @param port 1..65535
   * @return the host
   * @throws IllegalArgumentException if the address is not a dotted quad or the port is out of range
   */
  public static Host of(String dotted, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 1..65535");
    }
    return new Host(Ipv4.parse(dotted), port);
  }

  /**
   * Reads a protobuf {@code HostInfo}.
   *
   * @param info the wire message
   * @return the host, with no range checks (wire values are taken as they are)
   */
  public static Host of(HostInfo info) {
    return new Host(info.getIp(), info.getPort());
  }

  /** @return this host as a protobuf {@code HostInfo} */
  public HostInfo toHostInfo() {
    return HostInfo.newBuilder().setIp(ip).setPort(port).build();
  }

  /** @return the dotted quad of the address */
  public String ipText() {
    return Ipv4.format(ip);
  }

  @Override
  public int compareTo(Host other) {
    int c = Integer.compareUnsigned(ip, other.ip);
    return c != 0 ? c : Integer.compare(port, other.port);
  }

  /** @return {@code IP:PORT}, e.g. {@code 192.168.1.177:7777} */
  @Override
  public String toString() {
    return ipText() + ":" + port;
  }
}
