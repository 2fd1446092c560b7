package io.lars.admin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the admin role, from {@code lars.admin}.
 *
 * @param bind the address the HTTP server binds ({@code bind})
 * @param port the HTTP port, 0..65535; 0 picks a free one ({@code port})
 * @param token the bearer token for writes, empty to use or generate the one under data-dir
 *     ({@code token}, env {@code LARS_ADMIN_TOKEN})
 * @param dataDir where a generated token is kept ({@code data-dir}, file {@code admin-token})
 * @param askTimeout how long the live LoadBalance view waits for the entity, 100ms..1m ({@code ask-timeout})
 * @param changesLimit the most {@code RouteChange} rows {@code /api/changes} returns, 1..10000 ({@code changes-limit})
 * @param maxHistoryMinutes the longest window {@code /api/status/history} serves, 1..10080 ({@code max-history-minutes})
 */
public record AdminSettings(String bind, int port, Optional<String> token, Path dataDir, Duration askTimeout,
    int changesLimit, int maxHistoryMinutes) {

  /** Validates the ranges. */
  public AdminSettings {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(askTimeout, "askTimeout");
    check(port >= 0 && port <= 65535, "lars.admin.port must be 0..65535, got " + port);
    check(askTimeout.compareTo(Duration.ofMillis(100)) >= 0 && askTimeout.compareTo(Duration.ofMinutes(1)) <= 0,
        "lars.admin.ask-timeout must be 100ms..1m, got " + askTimeout);
    check(changesLimit >= 1 && changesLimit <= 10_000, "lars.admin.changes-limit must be 1..10000, got " + changesLimit);
    check(maxHistoryMinutes >= 1 && maxHistoryMinutes <= 10_080,
        "lars.admin.max-history-minutes must be 1..10080, got " + maxHistoryMinutes);
  }

  /**
   * Reads and validates {@code lars.admin}.
   *
   * @param config the node configuration
   * @return the settings
   * @throws IllegalArgumentException naming the missing or wrong key
   */
  public static AdminSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig("lars.admin");
      String token = c.getString("token").strip();
      return new AdminSettings(c.getString("bind"), c.getInt("port"),
          token.isEmpty() ? Optional.empty() : Optional.of(token), Path.of(c.getString("data-dir")),
          c.getDuration("ask-timeout"), c.getInt("changes-limit"), c.getInt("max-history-minutes"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.admin: " + e.getMessage(), e);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
