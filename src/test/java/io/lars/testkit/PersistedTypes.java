package io.lars.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/**
 * Checks what a persisted type is stored as, with the serializers and bindings of the node's
 * configuration (DESIGN.md "Persisted data").
 */
public final class PersistedTypes {

  private PersistedTypes() {}

  /**
   * Asserts, in a local actor system with the default configuration, that every value is written
   * by the serializer with the given id under exactly the given manifest and comes back equal.
   *
   * @param serializerId the expected serializer id
   * @param manifests each persisted value with its expected manifest, spelled out
   */
  public static void assertStoredAs(int serializerId, Map<Object, String> manifests) {
    ActorTestKit testKit = ActorTestKit.create("PersistedTypes",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
    try {
      Serialization serialization = SerializationExtension.get(testKit.system());
      manifests.forEach((value, manifest) -> {
        String type = value.getClass().getName();
        Serializer serializer = serialization.findSerializerFor(value);
        assertEquals(serializerId, serializer.identifier(), type);
        assertEquals(manifest, Serializers.manifestFor(serializer, value), type);
        byte[] bytes = serialization.serialize(value).get();
        assertEquals(value, serialization.deserialize(bytes, serializerId, manifest).get(), type);
      });
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
