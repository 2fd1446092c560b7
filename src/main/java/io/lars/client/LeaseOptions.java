package io.lars.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a host registers itself (DESIGN.md "Self-registration"; {@link LarsClient#register(int, int,
 * io.lars.protocol.Host, LeaseOptions)}).
 *
 * @param ttl how long the lease lives without a heartbeat, 1 s..1 h, whole seconds; the handle
 *     heartbeats every third of it
 * @param drain how long the host drains on {@link Registration#close()}: it leaves every agent's
 *     route at once, its in-flight calls may finish for this long, then the lease ends; 0..1 h
 * @param weight 1..100
 * @param metadata labels, at most 16
 */
public record LeaseOptions(Duration ttl, Duration drain, int weight, Map<String, String> metadata) {

  /**
   * @throws IllegalArgumentException naming the option that is out of range
   */
  public LeaseOptions {
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(drain, "drain");
    if (ttl.getSeconds() < 1 || ttl.getSeconds() > 3600) {
      throw new IllegalArgumentException("ttl must be 1s..1h, got " + ttl);
    }
    if (drain.isNegative() || drain.getSeconds() > 3600) {
      throw new IllegalArgumentException("drain must be 0..1h, got " + drain);
    }
    if (weight < 1 || weight > 100) {
      throw new IllegalArgumentException("weight must be 1..100, got " + weight);
    }
    metadata = Map.copyOf(metadata);
  }

  /**
   * @param ttl the lease's TTL
   * @return options with that TTL, a drain of 2 s, weight 100, no metadata
   */
  public static LeaseOptions ttl(Duration ttl) {
    return new LeaseOptions(ttl, Duration.ofSeconds(2), 100, Map.of());
  }

  /**
   * @param drain how long to drain on close
   * @return these options with that drain time
   */
  public LeaseOptions withDrain(Duration drain) {
    return new LeaseOptions(ttl, drain, weight, metadata);
  }
}
