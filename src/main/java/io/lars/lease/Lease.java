package io.lars.lease;

import io.lars.CborSerializable;
import io.lars.protocol.Host;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One lease of a self-registered host (DESIGN.md "Self-registration"): the host is in its module's
 * route while the
 * lease lives and is not draining.
 *
 * @param id the lease id, {@code "<modid>-<cmdid>.<token>"} ({@link LeaseRequest#moduleOf})
 * @param host the registered host
 * @param ttlS seconds a heartbeat renews the lease for, 1..3600
 * @param weight 1..100, stored and shown (the balancer does not weigh hosts yet)
 * @param metadata free-form labels, sorted, immutable
 * @param registeredAtMs when it was registered, unix millis
 * @param drainUntilMs 0 while active; else the unix millis at which the draining lease ends
 */
public record Lease(String id, Host host, int ttlS, int weight, Map<String, String> metadata, long registeredAtMs,
    long drainUntilMs) implements CborSerializable {

  /** Copies the metadata, sorted. */
  public Lease {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    metadata = Map.copyOf(new TreeMap<>(metadata));
  }

  /** @return whether the host is draining: out of the pushed route, lease not yet ended */
  public boolean draining() {
    return drainUntilMs != 0;
  }

  /**
   * @param untilMs unix millis at which the lease ends
   * @return this lease, draining until then
   */
  public Lease drainingUntil(long untilMs) {
    return new Lease(id, host, ttlS, weight, metadata, registeredAtMs, Math.max(1, untilMs));
  }
}
