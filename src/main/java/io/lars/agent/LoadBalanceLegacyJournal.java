package io.lars.agent;

import io.lars.CborSerializable;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.persisted.LegacyMigration;
import io.lars.protocol.Host;
import java.util.List;
import java.util.Map;

/**
 * Reads LoadBalance journal rows written before {@link LoadBalanceSerializer}
 * (DESIGN.md "Persisted data"): Jackson CBOR, serializer id 33, manifest = the class name the
 * event or state had then, e.g. {@code io.lars.agent.LoadBalanceEntity$Event$HostOverloaded}.
 *
 * <p>Those manifests are frozen in {@link #MANIFESTS}, and {@code lars-persistence.conf} points
 * each of them at {@link Migration}, which makes Jackson read the row into one of the frozen
 * records below (shaped like the old JSON, bound to {@code jackson-cbor} through the marker) instead
 * of the class the manifest names. The recorder's event and snapshot adapters then turn them into
 * today's {@link Event}s and {@link State} ({@link #event}, {@link #state}). So the entity's own classes can be renamed or reshaped freely;
 * the records here and the manifests must never change (the journal fixture test replays rows of
 * the old format through this path).
 */
public final class LoadBalanceLegacyJournal {

  /** Legacy manifest (old class name) to the frozen record that reads it. */
  public static final Map<String, Class<?>> MANIFESTS = Map.of(
      "io.lars.agent.LoadBalanceEntity$Event$RoutesUpdated", RoutesUpdatedV0.class,
      "io.lars.agent.LoadBalanceEntity$Event$HostOverloaded", HostOverloadedV0.class,
      "io.lars.agent.LoadBalanceEntity$Event$HostIdled", HostIdledV0.class,
      "io.lars.agent.LoadBalanceEntity$State", StateV0.class);

  private LoadBalanceLegacyJournal() {}

  /** A row of the old format; only read, never written. */
  public sealed interface Legacy extends CborSerializable {}

  /**
   * The old JSON of a host.
   *
   * @param ip Lars int32 form
   * @param port the port
   */
  public record HostV0(int ip, int port) {
    Host host() {
      return new Host(ip, port);
    }
  }

  /**
   * The old {@code Event.RoutesUpdated}.
   *
   * @param hosts the route
   */
  public record RoutesUpdatedV0(List<HostV0> hosts) implements Legacy {}

  /**
   * The old {@code Event.HostOverloaded}.
   *
   * @param host the host
   */
  public record HostOverloadedV0(HostV0 host) implements Legacy {}

  /**
   * The old {@code Event.HostIdled}.
   *
   * @param host the host
   */
  public record HostIdledV0(HostV0 host) implements Legacy {}

  /**
   * The old {@code State} snapshot.
   *
   * @param routeKnown whether a route was known
   * @param hosts the route
   * @param overloaded its overloaded hosts
   */
  public record StateV0(boolean routeKnown, List<HostV0> hosts, List<HostV0> overloaded) implements Legacy {}

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
   * @throws IllegalArgumentException if it is not a legacy LoadBalance event
   */
  public static Event event(Object legacy) {
    if (legacy instanceof RoutesUpdatedV0 e) {
      return new Event.RoutesUpdated(hosts(e.hosts()));
    } else if (legacy instanceof HostOverloadedV0 e) {
      return new Event.HostOverloaded(e.host().host());
    } else if (legacy instanceof HostIdledV0 e) {
      return new Event.HostIdled(e.host().host());
    }
    throw new IllegalArgumentException("not a LoadBalance event: " + className(legacy));
  }

  /**
   * @param legacy what an old snapshot was read into
   * @return today's state
   * @throws IllegalArgumentException if it is not the legacy LoadBalance state
   */
  public static State state(Object legacy) {
    if (legacy instanceof StateV0 s) {
      return new State(s.routeKnown(), hosts(s.hosts()), hosts(s.overloaded()));
    }
    throw new IllegalArgumentException("not a LoadBalance state: " + className(legacy));
  }

  private static String className(Object o) {
    return o == null ? "null" : o.getClass().getName();
  }

  private static List<Host> hosts(List<HostV0> hosts) {
    return hosts.stream().map(HostV0::host).toList();
  }
}
