package io.lars.dns;

import akka.persistence.typed.EventAdapter;
import akka.persistence.typed.EventSeq;
import akka.persistence.typed.SnapshotAdapter;
import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import io.lars.CborSerializable;
import io.lars.dns.LeaseEntity.Event;
import io.lars.dns.LeaseEntity.State;
import io.lars.protocol.Host;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads lease journal rows written before {@link LeaseSerializer} (DESIGN.md "Persisted data"):
 * Jackson CBOR, serializer id 33, manifest = the class name the event or state had then, e.g.
 * {@code io.lars.dns.LeaseEntity$Event$Registered}.
 *
 * <p>Those manifests are frozen in {@link #MANIFESTS}, and {@code lars-persistence.conf} points
 * each of them at {@link Migration}, which makes Jackson read the row into one of the frozen
 * records below (shaped like the old JSON, bound to {@code jackson-cbor} through the marker) instead
 * of the class the manifest names. {@link Events} and {@link Snapshots} then turn them into today's
 * {@link Event}s and {@link State}. So the entity's own classes can be renamed or reshaped freely;
 * the records here and the manifests must never change (the journal fixture test replays rows of
 * the old format through this path).
 */
public final class LeaseLegacyJournal {

  /** Legacy manifest (old class name) to the frozen record that reads it. */
  public static final Map<String, Class<?>> MANIFESTS = Map.of(
      "io.lars.dns.LeaseEntity$Event$Registered", RegisteredV0.class,
      "io.lars.dns.LeaseEntity$Event$DrainStarted", DrainStartedV0.class,
      "io.lars.dns.LeaseEntity$Event$Removed", RemovedV0.class,
      "io.lars.dns.LeaseEntity$State", StateV0.class);

  private LeaseLegacyJournal() {}

  /** A row of the old format; only read, never written. */
  public sealed interface Legacy extends CborSerializable {}

  /**
   * The old JSON of a host.
   *
   * @param ip Lars int32 form
   * @param port the port
   */
  public record HostV0(int ip, int port) {}

  /**
   * The old JSON of a lease ({@link Lease} at the time).
   *
   * @param id the lease id
   * @param host the host
   * @param ttlS TTL, seconds
   * @param weight 1..100
   * @param metadata labels; null when absent
   * @param registeredAtMs unix millis
   * @param drainUntilMs 0 while active, else unix millis
   */
  public record LeaseV0(String id, HostV0 host, int ttlS, int weight, Map<String, String> metadata,
      long registeredAtMs, long drainUntilMs) {
    Lease lease() {
      return new Lease(id, new Host(host.ip(), host.port()), ttlS, weight, metadata == null ? Map.of() : metadata,
          registeredAtMs, drainUntilMs);
    }
  }

  /**
   * The old {@code Event.Registered}.
   *
   * @param lease the lease
   */
  public record RegisteredV0(LeaseV0 lease) implements Legacy {}

  /**
   * The old {@code Event.DrainStarted}.
   *
   * @param leaseId the lease
   * @param untilMs unix millis
   */
  public record DrainStartedV0(String leaseId, long untilMs) implements Legacy {}

  /**
   * The old {@code Event.Removed}.
   *
   * @param leaseId the lease
   * @param reason deregistered, drained or expired
   */
  public record RemovedV0(String leaseId, String reason) implements Legacy {}

  /**
   * The old {@code State} snapshot.
   *
   * @param leases lease id to lease
   */
  public record StateV0(Map<String, LeaseV0> leases) implements Legacy {}

  /**
   * Points Jackson from a legacy manifest to its frozen record. Version 2 so that Jackson applies
   * it to the unversioned (version 1) manifests of the old rows; the JSON is read as it is.
   */
  public static final class Migration extends JacksonMigration {

    @Override
    public int currentVersion() {
      return 2;
    }

    /**
     * @param fromVersion 1 for every old row
     * @param className a legacy manifest
     * @return the frozen record's class name, or {@code className} when it is not a legacy manifest
     */
    @Override
    public String transformClassName(int fromVersion, String className) {
      Class<?> frozen = MANIFESTS.get(className);
      return frozen == null ? className : frozen.getName();
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      return json;
    }
  }

  /** The owner's event adapter: today's events pass through; legacy rows become today's events. */
  public static final class Events extends EventAdapter<Event, Object> {

    @Override
    public Object toJournal(Event e) {
      return e;
    }

    /** @return empty, as without an adapter */
    @Override
    public String manifest(Event event) {
      return "";
    }

    /**
     * @param p an event as read from the journal
     * @param manifest the adapter manifest (empty)
     * @return the event in today's form
     * @throws IllegalArgumentException for an object that is neither (the recovery fails and is retried)
     */
    @Override
    public EventSeq<Event> fromJournal(Object p, String manifest) {
      if (p instanceof Event e) {
        return EventSeq.single(e);
      } else if (p instanceof RegisteredV0 e) {
        return EventSeq.single(new Event.Registered(e.lease().lease()));
      } else if (p instanceof DrainStartedV0 e) {
        return EventSeq.single(new Event.DrainStarted(e.leaseId(), e.untilMs()));
      } else if (p instanceof RemovedV0 e) {
        return EventSeq.single(new Event.Removed(e.leaseId(), e.reason()));
      }
      throw new IllegalArgumentException("not a lease event: " + (p == null ? "null" : p.getClass().getName()));
    }
  }

  /** The owner's snapshot adapter: today's state passes through; a legacy snapshot becomes today's state. */
  public static final class Snapshots implements SnapshotAdapter<State> {

    @Override
    public Object toJournal(State state) {
      return state;
    }

    /**
     * @param from a snapshot as read from the store
     * @return the state in today's form
     * @throws IllegalArgumentException for an object that is neither
     */
    @Override
    public State fromJournal(Object from) {
      if (from instanceof State s) {
        return s;
      } else if (from instanceof StateV0 s) {
        Map<String, Lease> leases = new TreeMap<>();
        s.leases().forEach((id, lease) -> leases.put(id, lease.lease()));
        return new State(leases);
      }
      throw new IllegalArgumentException("not a lease state: " + (from == null ? "null" : from.getClass().getName()));
    }
  }
}
