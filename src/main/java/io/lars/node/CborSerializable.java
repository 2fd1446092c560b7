package io.lars.node;

/**
 * Marker for messages and events that cross the cluster or are persisted; bound to
 * {@code jackson-cbor} in {@code lars-akka.conf}. Java serialization is never used.
 */
public interface CborSerializable {}
