package io.lars.lease;

import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.lars.lease.LeaseEntity.Event;
import io.lars.lease.LeaseEntity.State;
import io.lars.persisted.pb.LeaseDrainStarted;
import io.lars.persisted.pb.LeaseRegistered;
import io.lars.persisted.pb.LeaseRemoved;
import io.lars.persisted.pb.LeaseState;
import io.lars.persisted.pb.PersistedHost;
import io.lars.persisted.pb.PersistedLease;
import io.lars.protocol.Host;
import java.io.NotSerializableException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes and reads what the lease owner persists (DESIGN.md "Persisted data"): the
 * {@link io.lars.lease.LeaseEntity.Event}s and its {@link io.lars.lease.LeaseEntity.State} snapshot, as the protobuf messages
 * of {@code lars_persisted.proto}, each under a fixed manifest that no class rename can change.
 * Bound to {@code LeaseEntity$Event} and {@code LeaseEntity$State} in {@code lars-persistence.conf}.
 * Rows written before these manifests existed (Jackson CBOR, manifest = class name) are read by
 * {@link LeaseLegacyJournal}.
 */
public final class LeaseSerializer extends SerializerWithStringManifest {

  /** The serializer id stored with every row; never change it (rows written with it must stay readable). */
  public static final int IDENTIFIER = 7702;
  /** Manifest of {@link Event.Registered}. */
  public static final String REGISTERED = "lease-registered-v1";
  /** Manifest of {@link Event.DrainStarted}. */
  public static final String DRAIN_STARTED = "lease-drain-started-v1";
  /** Manifest of {@link Event.Removed}. */
  public static final String REMOVED = "lease-removed-v1";
  /** Manifest of the snapshot, {@link State}. */
  public static final String STATE = "lease-state-v1";

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  /**
   * @param o an event or state of the lease owner
   * @return its manifest, one of the constants of this class
   * @throws IllegalArgumentException for any other object
   */
  @Override
  public String manifest(Object o) {
    if (o instanceof Event.Registered) {
      return REGISTERED;
    } else if (o instanceof Event.DrainStarted) {
      return DRAIN_STARTED;
    } else if (o instanceof Event.Removed) {
      return REMOVED;
    } else if (o instanceof State) {
      return STATE;
    }
    throw unknown(o);
  }

  /**
   * @param o an event or state of the lease owner
   * @return its protobuf bytes
   * @throws IllegalArgumentException for any other object
   */
  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof Event.Registered e) {
      return LeaseRegistered.newBuilder().setLease(pbLease(e.lease())).build().toByteArray();
    } else if (o instanceof Event.DrainStarted e) {
      return LeaseDrainStarted.newBuilder().setLeaseId(e.leaseId()).setUntilMs(e.untilMs()).build().toByteArray();
    } else if (o instanceof Event.Removed e) {
      return LeaseRemoved.newBuilder().setLeaseId(e.leaseId()).setReason(e.reason()).build().toByteArray();
    } else if (o instanceof State s) {
      LeaseState.Builder b = LeaseState.newBuilder();
      s.leases().forEach((id, lease) -> b.putLeases(id, pbLease(lease)));
      return b.build().toByteArray();
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
        case REGISTERED -> new Event.Registered(lease(LeaseRegistered.parseFrom(bytes).getLease()));
        case DRAIN_STARTED -> {
          LeaseDrainStarted e = LeaseDrainStarted.parseFrom(bytes);
          yield new Event.DrainStarted(e.getLeaseId(), e.getUntilMs());
        }
        case REMOVED -> {
          LeaseRemoved e = LeaseRemoved.parseFrom(bytes);
          yield new Event.Removed(e.getLeaseId(), e.getReason());
        }
        case STATE -> {
          Map<String, Lease> leases = new TreeMap<>();
          LeaseState.parseFrom(bytes).getLeasesMap().forEach((id, lease) -> leases.put(id, lease(lease)));
          yield new State(leases);
        }
        default -> throw new NotSerializableException("unknown manifest '" + manifest + "' for " + getClass().getName());
      };
    } catch (InvalidProtocolBufferException e) {
      throw new NotSerializableException("cannot parse '" + manifest + "' (" + bytes.length + " bytes): " + e.getMessage());
    }
  }

  private static PersistedLease pbLease(Lease l) {
    return PersistedLease.newBuilder()
        .setId(l.id())
        .setHost(PersistedHost.newBuilder().setIp(l.host().ip()).setPort(l.host().port()))
        .setTtlS(l.ttlS())
        .setWeight(l.weight())
        .putAllMetadata(l.metadata())
        .setRegisteredAtMs(l.registeredAtMs())
        .setDrainUntilMs(l.drainUntilMs())
        .build();
  }

  private static Lease lease(PersistedLease l) {
    return new Lease(l.getId(), new Host(l.getHost().getIp(), l.getHost().getPort()), l.getTtlS(), l.getWeight(),
        l.getMetadataMap(), l.getRegisteredAtMs(), l.getDrainUntilMs());
  }

  private static IllegalArgumentException unknown(Object o) {
    return new IllegalArgumentException("cannot serialize " + (o == null ? "null" : o.getClass().getName())
        + " with " + LeaseSerializer.class.getName());
  }
}
