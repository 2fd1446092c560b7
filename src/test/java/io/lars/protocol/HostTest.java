package io.lars.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.pb.HostInfo;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Host}: text and wire forms, port checks, unsigned ordering, the agent's key. */
@Execution(ExecutionMode.CONCURRENT)
class HostTest {

  @Test
  void ofTextGivesTheWireIp() {
    Host host = Host.of("192.168.1.177", 7777);

    assertEquals(new Host(-1062731343, 7777), host);
    assertEquals("192.168.1.177:7777", host.toString());
    assertEquals("192.168.1.177", host.ipText());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 80, 65535})
  void portsInRangeAreTaken(int port) {
    assertEquals(port, Host.of("10.0.0.1", port).port());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void portsOutOfRangeAreRefused(int port) {
    assertThrows(IllegalArgumentException.class, () -> Host.of("10.0.0.1", port));
  }

  @Test
  void badAddressIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Host.of("10.0.0", 80));
  }

  @Test
  void hostInfoRoundTripsWithoutChecks() {
    HostInfo info = HostInfo.newBuilder().setIp(-1062731343).setPort(0).build();

    Host host = Host.of(info);

    assertEquals(new Host(-1062731343, 0), host);
    assertEquals(info, host.toHostInfo());
  }

  @Test
  void hostsSortByUnsignedAddressThenPort() {
    Host high = Host.of("192.168.1.177", 7777);
    Host highLowerPort = Host.of("192.168.1.177", 80);
    Host low = Host.of("10.0.0.1", 9001);
    Host top = Host.of("255.255.255.255", 1);
    Host bottom = Host.of("0.0.0.0", 65535);

    TreeSet<Host> sorted = new TreeSet<>(List.of(top, high, low, highLowerPort, bottom));

    // Signed order would put 192.168.1.177 (negative) before 10.0.0.1.
    assertEquals(List.of(bottom, low, highLowerPort, high, top), List.copyOf(sorted));
    assertTrue(Host.of("127.255.255.255", 1).compareTo(Host.of("128.0.0.0", 1)) < 0);
  }
}
