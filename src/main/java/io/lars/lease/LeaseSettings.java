package io.lars.lease;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of self-registration from {@code lars.dns.leases} (DESIGN.md "Self-registration").
 *
 * @param checkInterval how often an owner entity looks for expired and drained leases, 10 ms..10 s;
 *     a missed lease leaves the route within its TTL plus this (and the push)
 * @param publishInterval how often an owner entity republishes its lease set even without a change
 *     (so a node that joined or restarted learns it), 100 ms..1 min
 * @param askTimeout how long the agent's UDP endpoint and the admin wait for the owner, 100 ms..1 min
 * @param maxExpiryFraction expiry is suspended cluster-wide while more than this fraction of all
 *     leases would expire within one TTL, 0..1 (1 = never suspended)
 * @param minLeasesForProtection with fewer leases in the cluster expiry is never suspended, 1..1000000
 */
public record LeaseSettings(Duration checkInterval, Duration publishInterval, Duration askTimeout,
    double maxExpiryFraction, int minLeasesForProtection) {

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException naming the key that is out of range
   */
  public LeaseSettings {
    if (checkInterval.toMillis() < 10 || checkInterval.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("lars.dns.leases.check-interval must be 10ms..10s, got " + checkInterval);
    }
    if (publishInterval.toMillis() < 100 || publishInterval.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("lars.dns.leases.publish-interval must be 100ms..1m, got " + publishInterval);
    }
    if (askTimeout.toMillis() < 100 || askTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("lars.dns.leases.ask-timeout must be 100ms..1m, got " + askTimeout);
    }
    if (!(maxExpiryFraction >= 0 && maxExpiryFraction <= 1)) {
      throw new IllegalArgumentException("lars.dns.leases.max-expiry-fraction must be 0..1, got " + maxExpiryFraction);
    }
    if (minLeasesForProtection < 1 || minLeasesForProtection > 1_000_000) {
      throw new IllegalArgumentException("lars.dns.leases.min-leases-for-protection must be 1..1000000, got "
          + minLeasesForProtection);
    }
  }

  /**
   * Reads {@code lars.dns.leases}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static LeaseSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig("lars.dns.leases");
      return new LeaseSettings(c.getDuration("check-interval"), c.getDuration("publish-interval"),
          c.getDuration("ask-timeout"), c.getDouble("max-expiry-fraction"), c.getInt("min-leases-for-protection"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.dns.leases: " + e.getMessage(), e);
    }
  }
}
