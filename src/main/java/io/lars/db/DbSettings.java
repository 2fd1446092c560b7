package io.lars.db;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Database settings from {@code lars.db} (the env vars {@code LARS_DB_URL}, {@code LARS_DB_USER},
 * {@code LARS_DB_PASSWORD} override url, user and password).
 *
 * @param url JDBC URL, {@code jdbc:h2:...} or {@code jdbc:mysql:...} / {@code jdbc:mariadb:...}
 * @param user database user
 * @param password database password, may be empty
 * @param poolSize connections in the pool, 1..1000
 * @param connectionTimeout how long a query waits for a pooled connection, at least 250 ms
 * @param migrate whether Flyway migrations run when the database is opened
 */
public record DbSettings(String url, String user, String password, int poolSize, Duration connectionTimeout,
    boolean migrate) {

  /**
   * Reads and validates {@code lars.db}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static DbSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig("lars.db");
      DbSettings s = new DbSettings(c.getString("url"), c.getString("user"), c.getString("password"),
          c.getInt("pool-size"), c.getDuration("connection-timeout"), c.getBoolean("migrate"));
      s.validate();
      return s;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.db: " + e.getMessage(), e);
    }
  }

  private void validate() {
    if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:mysql:") && !url.startsWith("jdbc:mariadb:")) {
      throw new IllegalArgumentException(
          "lars.db.url (or LARS_DB_URL) must be a jdbc:h2:, jdbc:mysql: or jdbc:mariadb: URL, got '" + url + "'");
    }
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException("lars.db.pool-size must be 1..1000, got " + poolSize);
    }
    if (connectionTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("lars.db.connection-timeout must be at least 250ms, got " + connectionTimeout);
    }
  }

  /** @return true when the URL names an H2 database */
  public boolean isH2() {
    return url.startsWith("jdbc:h2:");
  }

  /** @return the URL with any password parameter removed, for logs */
  public String safeUrl() {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
