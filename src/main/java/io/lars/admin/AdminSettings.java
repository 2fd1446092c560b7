package io.lars.admin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.db.AuditRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the admin role, from {@code lars.admin}.
 *
 * @param bind the address the HTTP server binds ({@code bind})
 * @param port the HTTP port, 0..65535; 0 picks a free one ({@code port})
 * @param token the bearer token for writes, empty to use or generate the one under data-dir
 *     ({@code token}, env {@code LARS_ADMIN_TOKEN})
 * @param tokenName who the token's writes are in the audit log, 1..64 printable characters ({@code token-name})
 * @param dataDir where a generated token is kept ({@code data-dir}, file {@code admin-token})
 * @param askTimeout how long the live LoadBalance view waits for the entity, 100ms..1m ({@code ask-timeout})
 * @param changesLimit the most {@code RouteChange} rows {@code /api/changes} returns, 1..10000 ({@code changes-limit})
 * @param maxHistoryMinutes the longest window {@code /api/status/history} serves, 1..10080 ({@code max-history-minutes})
 * @param allowedHosts host names, besides {@code localhost} and loopback addresses, that a
 *     token-less read from a trusted peer may carry in its {@code Host} header, lower case
 *     ({@code allowed-hosts}); any other name needs the token, against DNS rebinding
 * @param maxBodyBytes the largest request body, 1 KiB..16 MiB; larger ones get 413 ({@code max-body-size})
 * @param auditLimit the most entries {@code /api/audit} returns, 1..10000 ({@code audit-limit})
 * @param overviewLiveLimit the most modules whose live LoadBalance state {@code /api/overview} asks
 *     for at once, 0..10000; beyond it the counts are left out ({@code overview-live-limit})
 */
public record AdminSettings(String bind, int port, Optional<String> token, String tokenName, Path dataDir,
    Duration askTimeout, int changesLimit, int maxHistoryMinutes, List<String> allowedHosts, long maxBodyBytes,
    int auditLimit, int overviewLiveLimit) {

  /** Validates the ranges. */
  public AdminSettings {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tokenName, "tokenName");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(askTimeout, "askTimeout");
    allowedHosts = allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    check(port >= 0 && port <= 65535, "lars.admin.port must be 0..65535, got " + port);
    try {
      AuditRepository.checkActor(tokenName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("lars.admin.token-name: " + e.getMessage(), e);
    }
    check(askTimeout.compareTo(Duration.ofMillis(100)) >= 0 && askTimeout.compareTo(Duration.ofMinutes(1)) <= 0,
        "lars.admin.ask-timeout must be 100ms..1m, got " + askTimeout);
    check(changesLimit >= 1 && changesLimit <= 10_000, "lars.admin.changes-limit must be 1..10000, got " + changesLimit);
    check(maxHistoryMinutes >= 1 && maxHistoryMinutes <= 10_080,
        "lars.admin.max-history-minutes must be 1..10080, got " + maxHistoryMinutes);
    check(maxBodyBytes >= 1024 && maxBodyBytes <= 16 * 1024 * 1024,
        "lars.admin.max-body-size must be 1KiB..16MiB, got " + maxBodyBytes + " bytes");
    check(auditLimit >= 1 && auditLimit <= 10_000, "lars.admin.audit-limit must be 1..10000, got " + auditLimit);
    check(overviewLiveLimit >= 0 && overviewLiveLimit <= 10_000,
        "lars.admin.overview-live-limit must be 0..10000, got " + overviewLiveLimit);
  }

  /**
   * Settings with the defaults of {@code lars-admin.conf} for everything but the given values (tests).
   *
   * @param port the HTTP port
   * @param token the bearer token
   * @param dataDir the token directory
   * @param maxHistoryMinutes the longest history window
   * @return the settings
   */
  public static AdminSettings of(int port, String token, Path dataDir, int maxHistoryMinutes) {
    return new AdminSettings("127.0.0.1", port, Optional.of(token), "admin", dataDir, Duration.ofSeconds(1), 100,
        maxHistoryMinutes, List.of(), 64 * 1024, 500, 200);
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
          token.isEmpty() ? Optional.empty() : Optional.of(token), c.getString("token-name"),
          Path.of(c.getString("data-dir")), c.getDuration("ask-timeout"), c.getInt("changes-limit"),
          c.getInt("max-history-minutes"), c.getStringList("allowed-hosts"), c.getBytes("max-body-size"),
          c.getInt("audit-limit"), c.getInt("overview-live-limit"));
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
