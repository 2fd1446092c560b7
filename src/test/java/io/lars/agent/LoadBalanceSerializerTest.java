package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.protocol.Host;
import io.lars.testkit.PersistedTypes;
import java.io.NotSerializableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the LoadBalance entity persists is written by {@link LoadBalanceSerializer} (id 7701, the
 * bindings of {@code lars-persistence.conf}) under manifests spelled out here: renaming a class or
 * a constant cannot change what is stored without failing this test. Every event and the snapshot
 * come back equal.
 */
class LoadBalanceSerializerTest {

  private static final Host A = Host.of("10.0.0.1", 80);
  private static final Host C = Host.of("192.168.1.177", 7777);
  private static final Host MAX = Host.of("255.255.255.255", 65535);

  @Test
  void everyEventAndTheSnapshotAreStoredUnderTheirFixedManifest() {
    PersistedTypes.assertStoredAs(7701, Map.of(
        new Event.RoutesUpdated(List.of(A, C, MAX)), "lb-routes-updated-v1",
        new Event.RoutesUpdated(List.of()), "lb-routes-updated-v1",
        new Event.HostOverloaded(C), "lb-host-overloaded-v1",
        new Event.HostIdled(MAX), "lb-host-idled-v1",
        new State(true, List.of(A, C, MAX), List.of(C)), "lb-state-v1",
        State.EMPTY, "lb-state-v1"));
  }

  @Test
  void anUnknownManifestOrBrokenBytesAreNotSerializable() {
    LoadBalanceSerializer serializer = new LoadBalanceSerializer();
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "lb-host-rebooted-v1"));
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(new byte[] {(byte) 0xff, 0x01}, "lb-host-overloaded-v1"));
    assertThrows(IllegalArgumentException.class, () -> serializer.manifest("not an event"));
  }
}
