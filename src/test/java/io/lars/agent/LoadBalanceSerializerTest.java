package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.protocol.Host;
import java.io.NotSerializableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the LoadBalance entity persists is written by {@link LoadBalanceSerializer} (the bindings
 * of {@code lars-persistence.conf}) under manifests that are spelled out here: renaming a class or
 * a constant cannot change what is stored without failing this test. Every event and the snapshot
 * come back equal.
 */
class LoadBalanceSerializerTest {

  private static final Host A = Host.of("10.0.0.1", 80);
  private static final Host C = Host.of("192.168.1.177", 7777);
  private static final Host MAX = Host.of("255.255.255.255", 65535);

  /** Every persisted type with its stored manifest, as a literal. */
  private static final Map<Object, String> MANIFESTS = Map.of(
      new Event.RoutesUpdated(List.of(A, C, MAX)), "lb-routes-updated-v1",
      new Event.HostOverloaded(C), "lb-host-overloaded-v1",
      new Event.HostIdled(MAX), "lb-host-idled-v1",
      new State(true, List.of(A, C, MAX), List.of(C)), "lb-state-v1");

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("LoadBalanceSerializerTest",
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
      assertEquals(7701, serializer.identifier(), value.getClass().getName());
      assertEquals(manifest, Serializers.manifestFor(serializer, value));
    });
  }

  @Test
  void everyEventAndTheSnapshotComeBackEqual() {
    MANIFESTS.forEach((value, manifest) -> {
      byte[] bytes = serialization.serialize(value).get();
      assertEquals(value, serialization.deserialize(bytes, 7701, manifest).get());
    });
    State empty = State.EMPTY;
    assertEquals(empty, serialization.deserialize(serialization.serialize(empty).get(), 7701, "lb-state-v1").get());
    Event.RoutesUpdated noHost = new Event.RoutesUpdated(List.of());
    assertEquals(noHost,
        serialization.deserialize(serialization.serialize(noHost).get(), 7701, "lb-routes-updated-v1").get());
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
