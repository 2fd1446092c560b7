package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lars.lease.LeaseEntity.Event;
import io.lars.lease.LeaseEntity.State;
import io.lars.protocol.Host;
import io.lars.testkit.PersistedTypes;
import java.io.NotSerializableException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the lease owner persists is written by {@link LeaseSerializer} (id 7702, the bindings of
 * {@code lars-persistence.conf}) under manifests spelled out here: renaming a class or a constant
 * cannot change what is stored without failing this test. Every event and the snapshot come back
 * equal.
 */
class LeaseSerializerTest {

  private static final Lease ACTIVE = new Lease("7-1.ab12", Host.of("192.168.1.177", 7777), 3600, 100,
      Map.of("zone", "eu-1", "version", ""), 1_700_000_000_000L, 0);
  private static final Lease DRAINING = new Lease("7-1.cd34", Host.of("10.0.0.2", 1), 1, 1, Map.of(),
      1_700_000_001_000L, 1_700_000_060_000L);

  @Test
  void everyEventAndTheSnapshotAreStoredUnderTheirFixedManifest() {
    PersistedTypes.assertStoredAs(7702, Map.of(
        new Event.Registered(ACTIVE), "lease-registered-v1",
        new Event.DrainStarted(DRAINING.id(), DRAINING.drainUntilMs()), "lease-drain-started-v1",
        new Event.Removed(ACTIVE.id(), "expired"), "lease-removed-v1",
        new State(Map.of(ACTIVE.id(), ACTIVE, DRAINING.id(), DRAINING)), "lease-state-v1",
        State.EMPTY, "lease-state-v1"));
  }

  @Test
  void anUnknownManifestOrBrokenBytesAreNotSerializable() {
    LeaseSerializer serializer = new LeaseSerializer();
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "lease-renewed-v1"));
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(new byte[] {(byte) 0xff, 0x01}, "lease-registered-v1"));
    assertThrows(IllegalArgumentException.class, () -> serializer.manifest("not an event"));
  }
}
