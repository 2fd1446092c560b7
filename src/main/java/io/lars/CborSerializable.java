package io.lars;

/**
 * Marker for messages that cross the cluster (commands, replies, views, pub-sub messages); the
 * only binding to {@code jackson-cbor} ({@code lars-akka.conf}). It lives in the root package so
 * that no role depends on the start-up code for it. Persisted events and snapshots do not use it:
 * they have protobuf serializers with fixed manifests (DESIGN.md "Persisted data"). Java
 * serialization is off ({@code akka.actor.allow-java-serialization = off}).
 */
public interface CborSerializable {}
