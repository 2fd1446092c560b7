package io.lars.agent;

import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.persisted.pb.LbHostIdled;
import io.lars.persisted.pb.LbHostOverloaded;
import io.lars.persisted.pb.LbRoutesUpdated;
import io.lars.persisted.pb.LbState;
import io.lars.persisted.pb.PersistedHost;
import io.lars.protocol.Host;
import java.io.NotSerializableException;
import java.util.List;

/**
 * Writes and reads what the LoadBalance entity persists (DESIGN.md "Persisted data"): its
 * {@link Event}s and its {@link State} snapshot, as the protobuf messages of
 * {@code lars_persisted.proto}, each under a fixed manifest that no class rename can change.
 * Bound to {@code LoadBalanceEntity$Event} and {@code LoadBalanceEntity$State} in
 * {@code lars-persistence.conf}. Rows written before these manifests existed (Jackson CBOR,
 * manifest = class name) are read by {@link LoadBalanceLegacyJournal}.
 */
public final class LoadBalanceSerializer extends SerializerWithStringManifest {

  /** The serializer id stored with every row; never change it (rows written with it must stay readable). */
  public static final int IDENTIFIER = 7701;
  /** Manifest of {@link Event.RoutesUpdated}. */
  public static final String ROUTES_UPDATED = "lb-routes-updated-v1";
  /** Manifest of {@link Event.HostOverloaded}. */
  public static final String HOST_OVERLOADED = "lb-host-overloaded-v1";
  /** Manifest of {@link Event.HostIdled}. */
  public static final String HOST_IDLED = "lb-host-idled-v1";
  /** Manifest of the snapshot, {@link State}. */
  public static final String STATE = "lb-state-v1";

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  /**
   * @param o an event or state of the LoadBalance entity
   * @return its manifest, one of the constants of this class
   * @throws IllegalArgumentException for any other object
   */
  @Override
  public String manifest(Object o) {
    if (o instanceof Event.RoutesUpdated) {
      return ROUTES_UPDATED;
    } else if (o instanceof Event.HostOverloaded) {
      return HOST_OVERLOADED;
    } else if (o instanceof Event.HostIdled) {
      return HOST_IDLED;
    } else if (o instanceof State) {
      return STATE;
    }
    throw unknown(o);
  }

  /**
   * @param o an event or state of the LoadBalance entity
   * @return its protobuf bytes
   * @throws IllegalArgumentException for any other object
   */
  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof Event.RoutesUpdated e) {
      return LbRoutesUpdated.newBuilder().addAllHosts(pbHosts(e.hosts())).build().toByteArray();
    } else if (o instanceof Event.HostOverloaded e) {
      return LbHostOverloaded.newBuilder().setHost(pbHost(e.host())).build().toByteArray();
    } else if (o instanceof Event.HostIdled e) {
      return LbHostIdled.newBuilder().setHost(pbHost(e.host())).build().toByteArray();
    } else if (o instanceof State s) {
      return LbState.newBuilder().setRouteKnown(s.routeKnown()).addAllHosts(pbHosts(s.hosts()))
          .addAllOverloaded(pbHosts(s.overloaded())).build().toByteArray();
    }
    throw unknown(o);
  }

  /**
   * @param bytes what {@link #toBinary} wrote
   * @param manifest what {@link #manifest} gave
   * @return the event or state
   * @throws NotSerializableException for an unknown manifest or bytes that do not parse
   */
  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      return switch (manifest) {
        case ROUTES_UPDATED -> new Event.RoutesUpdated(hosts(LbRoutesUpdated.parseFrom(bytes).getHostsList()));
        case HOST_OVERLOADED -> new Event.HostOverloaded(host(LbHostOverloaded.parseFrom(bytes).getHost()));
        case HOST_IDLED -> new Event.HostIdled(host(LbHostIdled.parseFrom(bytes).getHost()));
        case STATE -> {
          LbState s = LbState.parseFrom(bytes);
          yield new State(s.getRouteKnown(), hosts(s.getHostsList()), hosts(s.getOverloadedList()));
        }
        default -> throw new NotSerializableException("unknown manifest '" + manifest + "' for " + getClass().getName());
      };
    } catch (InvalidProtocolBufferException e) {
      throw new NotSerializableException("cannot parse '" + manifest + "' (" + bytes.length + " bytes): " + e.getMessage());
    }
  }

  private static PersistedHost pbHost(Host h) {
    return PersistedHost.newBuilder().setIp(h.ip()).setPort(h.port()).build();
  }

  private static Host host(PersistedHost h) {
    return new Host(h.getIp(), h.getPort());
  }

  private static List<PersistedHost> pbHosts(List<Host> hosts) {
    return hosts.stream().map(LoadBalanceSerializer::pbHost).toList();
  }

  private static List<Host> hosts(List<PersistedHost> hosts) {
    return hosts.stream().map(LoadBalanceSerializer::host).toList();
  }

  private static IllegalArgumentException unknown(Object o) {
    return new IllegalArgumentException("cannot serialize " + (o == null ? "null" : o.getClass().getName())
        + " with " + LoadBalanceSerializer.class.getName());
  }
}
