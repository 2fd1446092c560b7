package io.lars.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A CIDR allow-list of peer addresses for a TCP listener (DESIGN.md "Robustness rules", H14: the
 * Lars wire has no authentication, so the dns and reporter only talk to the networks they are told
 * to).
 *
 * <p>Entries are {@code address/prefix} ({@code 10.0.0.0/8}, {@code fd00::/8}) or a single
 * address ({@code 192.0.2.7}, meaning /32 or /128). IPv4 entries also match IPv4-mapped IPv6
 * peers ({@code ::ffff:10.1.2.3}). Immutable and thread-safe.
 */
public final class AddressFilter {

  /**
   * The default list: loopback ({@code 127.0.0.0/8}, {@code ::1/128}) and the private ranges
   * ({@code 10.0.0.0/8}, {@code 172.16.0.0/12}, {@code 192.168.0.0/16} of RFC 1918 and the
   * unique-local {@code fc00::/7} of RFC 4193).
   */
  public static final List<String> DEFAULT_ALLOW = List.of(
      "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");

  private static final AddressFilter DEFAULT = parse(DEFAULT_ALLOW);

  private final List<Cidr> entries;

  private AddressFilter(List<Cidr> entries) {
    this.entries = List.copyOf(entries);
  }

  /** @return the filter of {@link #DEFAULT_ALLOW} */
  public static AddressFilter defaults() {
    return DEFAULT;
  }

  /**
   * Parses a list of CIDR entries; no DNS lookup is done.
   *
   * @param cidrs entries such as {@code "10.0.0.0/8"} or {@code "::1"}; an empty list allows
   *     no one
   * @return the filter
   * @throws IllegalArgumentException naming the entry that is not a literal address with a
   *     prefix in range (0..32 for IPv4, 0..128 for IPv6)
   */
  public static AddressFilter parse(List<String> cidrs) {
    List<Cidr> entries = new ArrayList<>(cidrs.size());
    for (String cidr : cidrs) {
      entries.add(Cidr.parse(Objects.requireNonNull(cidr, "cidr entry")));
    }
    return new AddressFilter(entries);
  }

  /**
   * @param address a peer address
   * @return whether some entry contains it
   */
  public boolean allows(InetAddress address) {
    byte[] bytes = canonical(address.getAddress());
    for (Cidr entry : entries) {
      if (entry.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** @return whether the list contains an entry with prefix 0 (everyone of that family) */
  public boolean allowsAny() {
    return entries.stream().anyMatch(e -> e.prefix == 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressFilter other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.toString();
  }

  /** IPv4-mapped IPv6 addresses become their 4 IPv4 bytes, so IPv4 entries match them. */
  private static byte[] canonical(byte[] address) {
    if (address.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (address[i] != 0) {
          return address;
        }
      }
      if (address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
        return new byte[] {address[12], address[13], address[14], address[15]};
      }
    }
    return address;
  }

  private record Cidr(byte[] network, int prefix, String text) {

    static Cidr parse(String text) {
      String trimmed = text.trim();
      int slash = trimmed.indexOf('/');
      String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
      if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
        throw new IllegalArgumentException("allow-list entry '" + text + "' is not an address/prefix such as 10.0.0.0/8");
      }
      InetAddress address;
      try {
        address = InetAddress.getByName(host); // a literal: no lookup
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("allow-list entry '" + text + "' is not an address/prefix such as 10.0.0.0/8", e);
      }
      byte[] bytes = address instanceof Inet6Address ? address.getAddress() : ((Inet4Address) address).getAddress();
      int bits = bytes.length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("allow-list entry '" + text + "' has a prefix that is not a number", e);
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("allow-list entry '" + text + "' needs a prefix 0.." + bits);
      }
      return new Cidr(canonical(bytes), prefix, trimmed);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Cidr other && prefix == other.prefix && java.util.Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
      return 31 * java.util.Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
