package io.lars.lease;

import io.lars.CborSerializable;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a service asks to register (DESIGN.md "Self-registration"): wire message {@code
 * RegisterHostRequest} (id 9) or
 * {@code POST /api/leases}. The constructor checks every range, so a request that exists is valid.
 *
 * @param module the module the host joins
 * @param host the host; ip not 0, port 1..65535
 * @param ttlS 1..{@value #MAX_TTL_S} seconds: the lease ends when no heartbeat comes for that long
 * @param weight 1..100 (0 on the wire means the default {@value #DEFAULT_WEIGHT})
 * @param metadata at most {@value #MAX_METADATA} entries, keys 1..64 and values 0..256 characters
 */
public record LeaseRequest(ModuleId module, Host host, int ttlS, int weight, Map<String, String> metadata)
    implements CborSerializable {

  /** Largest TTL, seconds. */
  public static final int MAX_TTL_S = 3600;
  /** Largest drain time, seconds. */
  public static final int MAX_DRAIN_S = 3600;
  /** Weight when none is given. */
  public static final int DEFAULT_WEIGHT = 100;
  /** Most metadata entries. */
  public static final int MAX_METADATA = 16;

  /**
   * @throws IllegalArgumentException naming the field that is out of range (message starts with
   *     the field name)
   */
  public LeaseRequest {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(metadata, "metadata");
    if (host.ip() == 0) {
      throw new IllegalArgumentException("ip must be a host address, not 0.0.0.0");
    }
    if (host.port() < 1 || host.port() > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + host.port());
    }
    if (ttlS < 1 || ttlS > MAX_TTL_S) {
      throw new IllegalArgumentException("ttl_s must be 1.." + MAX_TTL_S + ", got " + ttlS);
    }
    if (weight < 1 || weight > 100) {
      throw new IllegalArgumentException("weight must be 1..100, got " + weight);
    }
    if (metadata.size() > MAX_METADATA) {
      throw new IllegalArgumentException("metadata must have at most " + MAX_METADATA + " entries, got " + metadata.size());
    }
    metadata.forEach((k, v) -> {
      if (k == null || k.isEmpty() || k.length() > 64 || v == null || v.length() > 256) {
        throw new IllegalArgumentException("metadata keys must be 1..64 and values 0..256 characters");
      }
    });
    metadata = Map.copyOf(new TreeMap<>(metadata));
  }

  /**
   * @param leaseId a lease id as issued, {@code "<modid>-<cmdid>.<token>"}
   * @return the module the lease belongs to (its owner entity)
   * @throws IllegalArgumentException if the id is not of that form
   */
  public static ModuleId moduleOf(String leaseId) {
    int dot = leaseId == null ? -1 : leaseId.lastIndexOf('.');
    if (dot <= 0 || dot == leaseId.length() - 1 || leaseId.length() > 64) {
      throw new IllegalArgumentException("lease id '" + leaseId + "' is not <modid>-<cmdid>.<token>");
    }
    return ModuleId.parseEntityId(leaseId.substring(0, dot));
  }
}
