package io.lars.dns;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the dns role from {@code lars.dns}.
 *
 * @param bind the address the TCP listener binds, e.g. {@code 0.0.0.0}
 * @param port the TCP port, 0..65535 (0 = any free port)
 * @param pollInterval how often {@code RouteVersion} is read, 50 ms..1 h (reference: 1 s)
 * @param fullReloadInterval how often routes are reloaded even if the version did not change,
 *     at least {@code pollInterval} (reference: 10 s)
 * @param maxOutgoingFrames frames queued for one connection before it is closed as too slow, 1..1000000
 * @param maxConnections connections accepted at once, 1..1000000
 * @param maxShrinkFraction the largest fraction of a module's hosts a reload may drop without
 *     {@code RouteChange} rows for it, 0..1 (DESIGN.md "Self-registration")
 */
public record DnsSettings(String bind, int port, Duration pollInterval, Duration fullReloadInterval,
    int maxOutgoingFrames, int maxConnections, double maxShrinkFraction) {

  /**
   * Reads and validates {@code lars.dns}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static DnsSettings fromConfig(Config config) {
    DnsSettings s;
    try {
      Config c = config.getConfig("lars.dns");
      s = new DnsSettings(c.getString("bind"), c.getInt("port"), c.getDuration("poll-interval"),
          c.getDuration("full-reload-interval"), c.getInt("max-outgoing-frames"), c.getInt("max-connections"),
          c.getDouble("max-shrink-fraction"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.dns: " + e.getMessage(), e);
    }
    s.validate();
    return s;
  }

  private void validate() {
    if (bind.isBlank()) {
      throw new IllegalArgumentException("lars.dns.bind must be an address such as 0.0.0.0, got ''");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("lars.dns.port must be 0..65535, got " + port);
    }
    if (pollInterval.toMillis() < 50 || pollInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("lars.dns.poll-interval must be 50ms..1h, got " + pollInterval);
    }
    if (fullReloadInterval.compareTo(pollInterval) < 0) {
      throw new IllegalArgumentException("lars.dns.full-reload-interval must be at least lars.dns.poll-interval ("
          + pollInterval + "), got " + fullReloadInterval);
    }
    if (maxOutgoingFrames < 1 || maxOutgoingFrames > 1_000_000) {
      throw new IllegalArgumentException("lars.dns.max-outgoing-frames must be 1..1000000, got " + maxOutgoingFrames);
    }
    if (maxConnections < 1 || maxConnections > 1_000_000) {
      throw new IllegalArgumentException("lars.dns.max-connections must be 1..1000000, got " + maxConnections);
    }
    if (!(maxShrinkFraction >= 0 && maxShrinkFraction <= 1)) {
      throw new IllegalArgumentException("lars.dns.max-shrink-fraction must be 0..1, got " + maxShrinkFraction);
    }
  }
}
