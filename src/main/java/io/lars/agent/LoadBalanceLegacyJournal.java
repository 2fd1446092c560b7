package io.lars.agent;

import akka.persistence.typed.EventAdapter;
import akka.persistence.typed.EventSeq;
import akka.persistence.typed.SnapshotAdapter;
import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import io.lars.CborSerializable;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.protocol.Host;
import java.util.List;
import java.util.Map;

/**
 * Reads LoadBalance journal rows written before {@link LoadBalanceSerializer} (DESIGN.md
 * "Persisted data"): Jackson CBOR, serializer id 33, manifest = the class name the event or state
 * had then, e.g. {@code io.lars.agent.LoadBalanceEntity$Event$HostOverloaded}.
 *
 * <p>Those manifests are frozen in {@link #MANIFESTS}, and {@code lars-persistence.conf} points
 * each of them at {@link Migration}, which makes Jackson read the row into one of the frozen
 * records below (shaped like the old JSON, bound to {@code jackson-cbor} through the marker) instead
 * of the class the manifest names. {@link Events} and {@link Snapshots} then turn them into today's
 * {@link Event}s and {@link State}. So the entity's own classes can be renamed or reshaped freely;
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

  /** The entity's event adapter: today's events pass through; legacy rows become today's events. */
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
      } else if (p instanceof RoutesUpdatedV0 e) {
        return EventSeq.single(new Event.RoutesUpdated(hosts(e.hosts())));
      } else if (p instanceof HostOverloadedV0 e) {
        return EventSeq.single(new Event.HostOverloaded(e.host().host()));
      } else if (p instanceof HostIdledV0 e) {
        return EventSeq.single(new Event.HostIdled(e.host().host()));
      }
      throw new IllegalArgumentException("not a LoadBalance event: " + (p == null ? "null" : p.getClass().getName()));
    }
  }

  /** The entity's snapshot adapter: today's state passes through; a legacy snapshot becomes today's state. */
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
        return new State(s.routeKnown(), hosts(s.hosts()), hosts(s.overloaded()));
      }
      throw new IllegalArgumentException("not a LoadBalance state: " + (from == null ? "null" : from.getClass().getName()));
    }
  }

  private static List<Host> hosts(List<HostV0> hosts) {
    return hosts.stream().map(HostV0::host).toList();
  }
}
