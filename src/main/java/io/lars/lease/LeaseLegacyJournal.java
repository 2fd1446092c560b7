package io.lars.lease;

import io.lars.CborSerializable;
import io.lars.lease.LeaseEntity.Event;
import io.lars.lease.LeaseEntity.State;
import io.lars.persisted.LegacyMigration;
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
 * of the class the manifest names. The owner's event and snapshot adapters then turn them into
 * today's {@link Event}s and {@link State} ({@link #event}, {@link #state}). So the entity's own classes can be renamed or reshaped freely;
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

  /** The migration named for every legacy manifest of this entity in {@code lars-persistence.conf}. */
  public static final class Migration extends LegacyMigration {
    /** Maps {@link #MANIFESTS}. */
    public Migration() {
      super(MANIFESTS);
    }
  }

  /**
   * @param legacy what an old journal row was read into
   * @return today's event
   * @throws IllegalArgumentException if it is not a legacy lease event
   */
  public static Event event(Object legacy) {
    if (legacy instanceof RegisteredV0 e) {
      return new Event.Registered(e.lease().lease());
    } else if (legacy instanceof DrainStartedV0 e) {
      return new Event.DrainStarted(e.leaseId(), e.untilMs());
    } else if (legacy instanceof RemovedV0 e) {
      return new Event.Removed(e.leaseId(), e.reason());
    }
    throw new IllegalArgumentException("not a lease event: " + className(legacy));
  }

  /**
   * @param legacy what an old snapshot was read into
   * @return today's state
   * @throws IllegalArgumentException if it is not the legacy lease state
   */
  public static State state(Object legacy) {
    if (legacy instanceof StateV0 s) {
      Map<String, Lease> leases = new TreeMap<>();
      s.leases().forEach((id, lease) -> leases.put(id, lease.lease()));
      return new State(leases);
    }
    throw new IllegalArgumentException("not a lease state: " + className(legacy));
  }

  private static String className(Object o) {
    return o == null ? "null" : o.getClass().getName();
  }
}
