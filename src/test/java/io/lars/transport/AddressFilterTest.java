package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class AddressFilterTest {

  private static boolean allows(AddressFilter f, String address) throws Exception {
    return f.allows(InetAddress.getByName(address));
  }

  @Test
  void theDefaultListIsLoopbackAndThePrivateRanges() throws Exception {
    AddressFilter f = AddressFilter.defaults();
    for (String inside : List.of("127.0.0.1", "127.255.0.9", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.177", "fd12::1", "::ffff:10.0.0.1")) {
      assertTrue(allows(f, inside), inside);
    }
    for (String outside : List.of("6.6.6.6", "172.32.0.1", "172.15.255.255", "192.169.0.1", "11.0.0.1", "2001:db8::1",
        "::ffff:6.6.6.6")) {
      assertFalse(allows(f, outside), outside);
    }
    assertFalse(f.allowsAny());
  }

  @Test
  void prefixesSingleAddressesAndAnyAreParsed() throws Exception {
    AddressFilter f = AddressFilter.parse(List.of("192.0.2.7", "198.51.100.0/25", "2001:db8::/32"));
    assertTrue(allows(f, "192.0.2.7"));
    assertFalse(allows(f, "192.0.2.8"));
    assertTrue(allows(f, "198.51.100.127"));
    assertFalse(allows(f, "198.51.100.128"));
    assertTrue(allows(f, "2001:db8:ffff::1"));
    assertFalse(allows(f, "127.0.0.1"));
    assertTrue(AddressFilter.parse(List.of("0.0.0.0/0")).allowsAny());
    assertTrue(allows(AddressFilter.parse(List.of("0.0.0.0/0")), "6.6.6.6"));
    assertFalse(allows(AddressFilter.parse(List.of()), "127.0.0.1"), "an empty list allows no one");
  }

  @Test
  void badEntriesAreRefusedNamingTheEntry() {
    for (String bad : List.of("10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x", "", "10.0.0.0/-1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressFilter.parse(List.of(bad)));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
