package io.lars.protocol;

/**
 * The only place that converts IPv4 addresses between their Lars number and text.
 *
 * <p>Lars carries an IPv4 address as the 32 bits of the address read big-endian,
 * {@code a<<24 | b<<16 | c<<8 | d}, in a signed int32 ({@code HostInfo.ip}); the database
 * stores the same bits unsigned ({@code RouteData.serverip}, 0..4294967295). For example
 * 192.168.1.177 is -1062731343 on the wire and 3232235953 in the database (reference:
 * wire-captures section 5, MySQL INET_ATON).
 */
public final class Ipv4 {

  private Ipv4() {}

  /**
   * Parses a dotted quad.
   *
   * @param dotted text such as {@code "10.0.0.1"}: exactly four parts of one to three ASCII digits,
   *     each 0..255; leading zeros are read as decimal ({@code "010.0.0.1"} is 10.0.0.1, as MySQL
   *     INET_ATON reads it, not octal as C inet_aton would); blanks around the text are ignored
   * @return the address as a signed int32 ({@code a<<24|b<<16|c<<8|d})
   * @throws IllegalArgumentException if the text is not a dotted quad
   */
  public static int parse(String dotted) {
    if (dotted == null) {
      throw new IllegalArgumentException("IPv4 address is missing");
    }
    String[] parts = dotted.trim().split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 dotted quad: '" + dotted + "'");
    }
    int ip = 0;
    for (String part : parts) {
      // ASCII only: Character.isDigit and Integer.parseInt also take other scripts' digits.
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("not an IPv4 dotted quad: '" + dotted + "'");
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw new IllegalArgumentException("IPv4 part " + octet + " is above 255 in '" + dotted + "'");
      }
      ip = (ip << 8) | octet;
    }
    return ip;
  }

  /**
   * Parses a host address strictly, as the admin stores it: the text must mean the same address to
   * every reader, MySQL {@code INET_ATON} and C {@code inet_addr} alike.
   *
   * @param dotted exactly four decimal parts of ASCII digits, each 0..255, without leading zeros
   *     ({@code "010.0.0.8"} is octal 8.0.0.8 to C and 10.0.0.8 to MySQL, so it is refused), without
   *     blanks or signs
   * @return the address as a signed int32 ({@code a<<24|b<<16|c<<8|d})
   * @throws IllegalArgumentException with the reason (short, never echoing more than 64 characters of
   *     the text) if the text is not such a quad, or is {@code 0.0.0.0} (the unspecified address) or
   *     {@code 255.255.255.255} (the broadcast address), which name no host
   */
  public static int parseStrictHost(String dotted) {
    if (dotted == null || dotted.isEmpty()) {
      throw new IllegalArgumentException("IPv4 address is missing");
    }
    String shown = dotted.length() <= 64 ? "'" + dotted + "'" : "'" + dotted.substring(0, 64) + "...'";
    if (dotted.length() > 15) {
      throw new IllegalArgumentException("not an IPv4 dotted quad (longer than 15 characters): " + shown);
    }
    String[] parts = dotted.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 dotted quad (needs four parts separated by dots): " + shown);
    }
    int ip = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("not an IPv4 dotted quad (each part is 1 to 3 digits 0-9): " + shown);
      }
      if (part.length() > 1 && part.charAt(0) == '0') {
        throw new IllegalArgumentException("IPv4 part '" + part + "' has a leading zero, which C inet_addr reads as "
            + "octal: " + shown);
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw new IllegalArgumentException("IPv4 part " + octet + " is above 255: " + shown);
      }
      ip = (ip << 8) | octet;
    }
    if (ip == 0) {
      throw new IllegalArgumentException("0.0.0.0 is the unspecified address, not a host");
    }
    if (ip == -1) {
      throw new IllegalArgumentException("255.255.255.255 is the broadcast address, not a host");
    }
    return ip;
  }

  /**
   * Formats an address.
   *
   * @param ip the signed int32 form
   * @return the dotted quad, e.g. {@code "192.168.1.177"}
   */
  public static String format(int ip) {
    return ((ip >>> 24) & 0xff) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
  }

  /**
   * The unsigned database form of an address.
   *
   * @param ip the signed int32 form
   * @return the same 32 bits as an unsigned number, 0..4294967295
   */
  public static long toUnsigned(int ip) {
    return Integer.toUnsignedLong(ip);
  }

  /**
   * The wire form of an unsigned database value.
   *
   * @param unsigned 0..4294967295
   * @return the signed int32 with the same 32 bits
   * @throws IllegalArgumentException if the value is outside 0..4294967295
   */
  public static int fromUnsigned(long unsigned) {
    if (unsigned < 0 || unsigned > 0xffff_ffffL) {
      throw new IllegalArgumentException("IPv4 number " + unsigned + " is outside 0..4294967295");
    }
    return (int) unsigned;
  }

  /**
   * Converts a JDK address.
   *
   * @param address an IPv4 address
   * @return the signed int32 form
   * @throws IllegalArgumentException if the address is not IPv4
   */
  public static int of(java.net.InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + address);
    }
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }
}
