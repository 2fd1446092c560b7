package io.lars.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The node's own readiness settings, read from {@code lars.health} (see {@code lars-akka.conf})
 * and checked against Akka Management's {@code akka.management.health-checks.check-timeout}.
 *
 * @param databaseTimeout how long the readiness check waits for the database to answer
 *     {@code SELECT 1}, 10 ms..{@code checkTimeout} (exclusive), so the check answers false
 *     before Akka Management gives up on it
 * @param checkTimeout Akka Management's limit for one check, positive
 */
public record HealthSettings(Duration databaseTimeout, Duration checkTimeout) {

  /** The configuration path of the Lars keys. */
  public static final String PATH = "lars.health";

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the key of the wrong value
   */
  public HealthSettings {
    if (checkTimeout == null || checkTimeout.isNegative() || checkTimeout.isZero()) {
      throw new IllegalArgumentException("akka.management.health-checks.check-timeout must be positive, got "
          + checkTimeout);
    }
    if (databaseTimeout == null || databaseTimeout.toMillis() < 10 || databaseTimeout.compareTo(checkTimeout) >= 0) {
      throw new IllegalArgumentException(PATH + ".database-timeout must be 10ms..akka.management.health-checks."
          + "check-timeout (" + checkTimeout.toMillis() + "ms, exclusive), got " + databaseTimeout);
    }
  }

  /**
   * Reads and validates the readiness settings.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException if a key is missing, has the wrong type or is out of range, naming the key
   */
  public static HealthSettings fromConfig(Config config) {
    try {
      return new HealthSettings(config.getDuration(PATH + ".database-timeout"),
          config.getDuration("akka.management.health-checks.check-timeout"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }
}
