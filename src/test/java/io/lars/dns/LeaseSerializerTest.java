package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import io.lars.dns.LeaseEntity.Event;
import io.lars.dns.LeaseEntity.State;
import io.lars.protocol.Host;
import java.io.NotSerializableException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the lease owner persists is written by {@link LeaseSerializer} (the bindings of
 * {@code lars-persistence.conf}) under manifests that are spelled out here: renaming a class or a
 * constant cannot change what is stored without failing this test. Every event and the snapshot
 * come back equal.
 */
class LeaseSerializerTest {

  private static final Lease ACTIVE = new Lease("7-1.ab12", Host.of("192.168.1.177", 7777), 3600, 100,
      Map.of("zone", "eu-1", "version", ""), 1_700_000_000_000L, 0);
  private static final Lease DRAINING = new Lease("7-1.cd34", Host.of("10.0.0.2", 1), 1, 1, Map.of(),
      1_700_000_001_000L, 1_700_000_060_000L);

  /** Every persisted type with its stored manifest, as a literal. */
  private static final Map<Object, String> MANIFESTS = Map.of(
      new Event.Registered(ACTIVE), "lease-registered-v1",
      new Event.DrainStarted(DRAINING.id(), DRAINING.drainUntilMs()), "lease-drain-started-v1",
      new Event.Removed(ACTIVE.id(), "expired"), "lease-removed-v1",
      new State(Map.of(ACTIVE.id(), ACTIVE, DRAINING.id(), DRAINING)), "lease-state-v1");

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("LeaseSerializerTest",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyEventAndTheSnapshotHaveAFixedManifestAndSerializerId() {
    MANIFESTS.forEach((value, manifest) -> {
      Serializer serializer = serialization.findSerializerFor(value);
      assertEquals(7702, serializer.identifier(), value.getClass().getName());
      assertEquals(manifest, Serializers.manifestFor(serializer, value));
    });
  }

  @Test
  void everyEventAndTheSnapshotComeBackEqual() {
    MANIFESTS.forEach((value, manifest) -> {
      byte[] bytes = serialization.serialize(value).get();
      assertEquals(value, serialization.deserialize(bytes, 7702, manifest).get());
    });
    assertEquals(State.EMPTY,
        serialization.deserialize(serialization.serialize(State.EMPTY).get(), 7702, "lease-state-v1").get());
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
