package io.lars.db;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Database settings from {@code lars.db} (the env vars {@code LARS_DB_URL}, {@code LARS_DB_USER},
 * {@code LARS_DB_PASSWORD} override url, user and password).
 *
 * @param url JDBC URL, {@code jdbc:h2:...} (embedded, MySQL mode) or {@code jdbc:mysql://...}
 *     (MySQL and MariaDB alike, through MySQL Connector/J)
 * @param user database user
 * @param password database password, may be empty
 * @param poolSize connections in the pool, 1..1000; {@code lars-jdbc-dispatcher} has as many threads
 * @param connectionTimeout how long a query waits for a pooled connection, 250 ms..10 min
 * @param migrate whether Flyway migrations run when the database is opened
 */
public record DbSettings(String url, String user, String password, int poolSize, Duration connectionTimeout,
    boolean migrate) {

  /**
   * The flags every H2 URL of Lars carries (the default URL and the test databases). MySQL mode
   * accepts our MySQL-flavoured SQL ({@code ON DUPLICATE KEY UPDATE}, {@code VALUES(col)}).
   * Unquoted names stay upper case so the schema is {@code PUBLIC}, which akka-persistence-jdbc's
   * H2 durable state store looks for; case-insensitive identifiers let its quoted lower-case
   * names ({@code "event_journal"}) and our mixed-case ones ({@code RouteData}) match any spelling.
   */
  public static final String H2_FLAGS = ";MODE=MySQL;DATABASE_TO_LOWER=FALSE;CASE_INSENSITIVE_IDENTIFIERS=TRUE";

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException naming the key that is wrong and what it must be
   */
  public DbSettings {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("lars.db.url (or LARS_DB_URL) is empty; set a jdbc:h2: or jdbc:mysql: URL");
    }
    if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:mysql:")) {
      throw new IllegalArgumentException("lars.db.url (or LARS_DB_URL) must be a jdbc:h2: or jdbc:mysql: URL"
          + " (use jdbc:mysql:// for MariaDB too), got '" + safeUrl(url) + "'");
    }
    Objects.requireNonNull(user, "lars.db.user");
    Objects.requireNonNull(password, "lars.db.password");
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException("lars.db.pool-size must be 1..1000, got " + poolSize);
    }
    Objects.requireNonNull(connectionTimeout, "lars.db.connection-timeout");
    if (connectionTimeout.toMillis() < 250 || connectionTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "lars.db.connection-timeout must be 250ms..10m, got " + connectionTimeout.toMillis() + "ms");
    }
  }

  /**
   * Reads and validates {@code lars.db}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static DbSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig("lars.db");
      return new DbSettings(c.getString("url"), c.getString("user"), c.getString("password"),
          c.getInt("pool-size"), c.getDuration("connection-timeout"), c.getBoolean("migrate"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.db: " + e.getMessage(), e);
    }
  }

  /** @return true when the URL names an H2 database */
  public boolean isH2() {
    return url.startsWith("jdbc:h2:");
  }

  /** @return the migration folder of this vendor under {@code db/migration}: {@code h2} or {@code mysql} */
  public String vendor() {
    return isH2() ? "h2" : "mysql";
  }

  /**
   * @return the URL with every password masked ({@link JdbcUrls#mask}: user-info, {@code password=}
   *     parameters, H2 {@code ;PASSWORD=}), for logs and error messages
   */
  public String safeUrl() {
    return safeUrl(url);
  }

  private static String safeUrl(String url) {
    return JdbcUrls.mask(url);
  }

  /** @return the settings with the password masked, so they can be logged */
  @Override
  public String toString() {
    return "DbSettings[url=" + safeUrl() + ", user=" + user + ", poolSize=" + poolSize + ", connectionTimeout="
        + connectionTimeout.toMillis() + "ms, migrate=" + migrate + "]";
  }
}
