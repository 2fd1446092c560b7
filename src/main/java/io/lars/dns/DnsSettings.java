package io.lars.dns;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.transport.TcpServer;
import java.time.Duration;

/**
 * Settings of the dns role from {@code lars.dns}.
 *
 * @param listener the TCP listener ({@code bind}, {@code port}, connection and queue limits,
 *     allow-list, {@code idle-timeout} until an agent's first frame), {@code max-outgoing-frames}
 *     and {@code max-connections} at most 1000000
 * @param pollInterval how often {@code RouteVersion} is read, 50 ms..1 h (reference: 1 s)
 * @param fullReloadInterval how often routes are reloaded even if the version did not change,
 *     at least {@code pollInterval} (reference: 10 s)
 * @param maxShrinkFraction the largest fraction of a module's hosts a reload may drop without
 *     {@code RouteChange} rows for it, 0..1 (DESIGN.md "Self-registration")
 */
public record DnsSettings(TcpServer.Settings listener, Duration pollInterval, Duration fullReloadInterval,
    double maxShrinkFraction) {

  /**
   * Reads and validates {@code lars.dns}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static DnsSettings fromConfig(Config config) {
    // An agent sends its GetRouteRequests and then only listens: once a connection sent a
    // complete frame (and so subscribed), the idle timeout no longer applies to it.
    TcpServer.Settings listener = TcpServer.Settings.fromConfig(config, "lars.dns", TcpServer.IdleRule.UNTIL_FIRST_FRAME);
    DnsSettings s;
    try {
      Config c = config.getConfig("lars.dns");
      s = new DnsSettings(listener, c.getDuration("poll-interval"), c.getDuration("full-reload-interval"),
          c.getDouble("max-shrink-fraction"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.dns: " + e.getMessage(), e);
    }
    s.validate();
    return s;
  }

  private void validate() {
    if (pollInterval.toMillis() < 50 || pollInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("lars.dns.poll-interval must be 50ms..1h, got " + pollInterval);
    }
    if (fullReloadInterval.compareTo(pollInterval) < 0) {
      throw new IllegalArgumentException("lars.dns.full-reload-interval must be at least lars.dns.poll-interval ("
          + pollInterval + "), got " + fullReloadInterval);
    }
    if (listener.maxOutgoingFrames() > 1_000_000) {
      throw new IllegalArgumentException("lars.dns.max-outgoing-frames must be 1..1000000, got "
          + listener.maxOutgoingFrames());
    }
    if (listener.maxConnections() > 1_000_000) {
      throw new IllegalArgumentException("lars.dns.max-connections must be 1..1000000, got " + listener.maxConnections());
    }
    if (!(maxShrinkFraction >= 0 && maxShrinkFraction <= 1)) {
      throw new IllegalArgumentException("lars.dns.max-shrink-fraction must be 0..1, got " + maxShrinkFraction);
    }
  }
}
