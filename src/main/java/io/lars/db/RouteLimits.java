package io.lars.db;

/**
 * The largest route a module may have, derived from the wire encoding
 * (DESIGN.md "Robustness rules", H5).
 *
 * <p>A route travels whole in one {@code GetRouteResponse}: from the dns in one TCP frame (body at
 * most 65,527 bytes) and from an agent in one UDP datagram (IPv4 payload at most 65,507 bytes, so a
 * body of at most 65,499). In the worst case each field is a negative int32, which protobuf writes
 * as a 10-byte varint:
 * <ul>
 *   <li>{@code modid} and {@code cmdid}: 1 tag byte + 10 = 11 bytes each, 22 together;
 *   <li>one {@code HostInfo}: {@code ip} 1 + 10 (any address from 128.0.0.0 up is negative as an
 *       int32), {@code port} 1 + 3 (16,384..65,535) = 15 bytes, plus 1 tag byte and 1 length
 *       byte in the repeated field = 17 bytes.
 * </ul>
 * So {@code 22 + 17 * hosts <= 65,499} gives {@value #MAX_HOSTS_PER_MODULE} hosts, which fit both
 * the TCP frame and the datagram whatever the addresses, ports and ids.
 */
public final class RouteLimits {

  /** Bytes of the largest {@code modid} plus {@code cmdid} fields. */
  public static final int MODULE_FIELDS_BYTES = 22;
  /** Bytes of the largest {@code HostInfo} entry of the repeated field. */
  public static final int HOST_BYTES = 17;
  /** The largest {@code GetRouteResponse} body that fits one UDP datagram with its 8-byte header. */
  public static final int MAX_ROUTE_BODY_BYTES = 65_507 - 8;
  /** The most hosts one module may have: 3,851. */
  public static final int MAX_HOSTS_PER_MODULE = (MAX_ROUTE_BODY_BYTES - MODULE_FIELDS_BYTES) / HOST_BYTES;

  private RouteLimits() {}
}
