package io.lars.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * Databases for tests: a fresh in-memory H2 always, and a real MySQL/MariaDB when the env var
 * {@code LARS_TEST_DB_URL} names a scratch schema ({@code .ci/run} sets it to
 * {@code jdbc:mysql://127.0.0.1:3306/lars_test} when MariaDB answers).
 *
 * <p>Isolation: every {@link #h2()} is a new, uniquely named in-memory database. The MySQL scratch
 * schema is shared, so {@link #fresh} empties it (drops every table, the Flyway history included)
 * before migrating: a test class opens it once, in {@code @BeforeAll}, and starts from empty.
 * Test classes must therefore not use one schema concurrently: surefire runs the classes of one
 * fork one after the other, and each fork (system property {@code lars.test.fork}, set by the
 * POM from surefire's fork number) gets a schema of its own, the named one with {@code _f<n>}
 * appended, created on first use.
 */
public final class TestDatabases {

  private static final String URL_ENV = "LARS_TEST_DB_URL";
  private static final String USER_ENV = "LARS_TEST_DB_USER";
  private static final String PASSWORD_ENV = "LARS_TEST_DB_PASSWORD";
  private static final String FORK_PROPERTY = "lars.test.fork";
  private static final int POOL_SIZE = 4;
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private TestDatabases() {}

  /**
   * @return settings for a new in-memory H2 database with a unique name, in MySQL mode with the
   *     flags of the default URL ({@link DbSettings#H2_FLAGS}); it lives until the JVM exits, so a
   *     node opening the same URL sees the same data
   */
  public static DbSettings h2() {
    String url = "jdbc:h2:mem:lars-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" + DbSettings.H2_FLAGS;
    return new DbSettings(url, "sa", "", POOL_SIZE, CONNECTION_TIMEOUT, true);
  }

  /**
   * @return settings for the MySQL/MariaDB scratch schema from {@code LARS_TEST_DB_URL},
   *     {@code LARS_TEST_DB_USER} (default root) and {@code LARS_TEST_DB_PASSWORD} (default empty),
   *     the schema this fork's own (see the class comment); empty when {@code LARS_TEST_DB_URL} is
   *     unset or blank
   * @throws IllegalStateException if the fork's schema cannot be created
   */
  public static Optional<DbSettings> mysql() {
    String url = System.getenv(URL_ENV);
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    String user = Optional.ofNullable(System.getenv(USER_ENV)).filter(u -> !u.isBlank()).orElse("root");
    String password = Optional.ofNullable(System.getenv(PASSWORD_ENV)).orElse("");
    // f1, f2...; anything else (unset, or the placeholder left when not forked) means the named schema.
    String fork = System.getProperty(FORK_PROPERTY, "").strip();
    String schemaUrl = fork.matches("f[0-9]+") ? forkSchema(url.strip(), "_" + fork, user, password) : url.strip();
    return Optional.of(new DbSettings(schemaUrl, user, password, POOL_SIZE, CONNECTION_TIMEOUT, true));
  }

  /**
   * The URL of a sibling schema, created (utf8mb4, as {@code .ci/run} creates the named one) when missing.
   *
   * @param url {@code jdbc:mysql://host:port/schema} with optional {@code ?parameters}
   * @param suffix appended to the schema name
   * @return the same URL naming {@code schema + suffix}
   */
  private static String forkSchema(String url, String suffix, String user, String password) {
    int query = url.indexOf('?') < 0 ? url.length() : url.indexOf('?');
    int slash = url.lastIndexOf('/', query);
    if (slash < "jdbc:mysql://".length() || slash + 1 >= query) {
      throw new IllegalStateException(URL_ENV + " names no schema: " + url);
    }
    String schema = url.substring(slash + 1, query) + suffix;
    String server = url.substring(0, slash + 1) + url.substring(query);
    try (Connection c = DriverManager.getConnection(server, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + schema + "` CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test schema " + schema + " on " + server, e);
    }
    return url.substring(0, slash + 1) + schema + url.substring(query);
  }

  /** @return a new H2 database, plus the MySQL scratch schema when set; for {@code @MethodSource} */
  public static List<DbSettings> all() {
    List<DbSettings> all = new ArrayList<>();
    all.add(h2());
    mysql().ifPresent(all::add);
    return List.copyOf(all);
  }

  /**
   * Opens and migrates a database that starts empty. For MySQL/MariaDB the scratch schema is wiped
   * first (Flyway clean: every table, Flyway's history included); H2 from {@link #h2()} is new anyway.
   * The caller closes the database.
   *
   * @param settings from {@link #h2()} or {@link #mysql()}
   * @return the open, migrated database with no routes, changes, statistics or names
   */
  public static Database fresh(DbSettings settings) {
    if (!settings.isH2()) {
      Flyway.configure()
          .dataSource(settings.url(), settings.user(), settings.password())
          .cleanDisabled(false)
          .loggers("slf4j")
          .load()
          .clean();
    }
    return Database.open(settings);
  }

  /**
   * A config overlay that points a node at a database. It is unresolved, so it can sit under the
   * substitutions of the defaults: {@code ConfigFactory.load(nodeConfig(s).withFallback(
   * ConfigFactory.defaultApplication()))} gives a node config in which {@code lars.db.*} and every
   * {@code ${lars.db.url}} use this database ({@code nodeConfig(s).withFallback(LarsConfig.load(null))}
   * only replaces the three keys themselves).
   *
   * @param settings the database
   * @return {@code lars.db.url}, {@code lars.db.user} and {@code lars.db.password} set to it
   */
  public static Config nodeConfig(DbSettings settings) {
    return ConfigFactory.parseMap(Map.of(
        "lars.db.url", settings.url(),
        "lars.db.user", settings.user(),
        "lars.db.password", settings.password()));
  }
}
