package io.lars.db;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's database: a HikariCP pool, migrated by Flyway when opened.
 *
 * <p>Migrations live in {@code db/migration/common} (the Lars tables, portable SQL) and
 * {@code db/migration/h2} or {@code db/migration/mysql} (the akka-persistence-jdbc tables, which
 * differ per vendor). Close the database when the node stops. Every use of {@link #dataSource()}
 * blocks and belongs on {@link #jdbcExecutor}.
 */
public final class Database implements AutoCloseable {

  /** Config path of the dispatcher that runs blocking JDBC work. */
  public static final String DISPATCHER = "lars-jdbc-dispatcher";

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final DbSettings settings;
  private final HikariDataSource dataSource;

  private Database(DbSettings settings, HikariDataSource dataSource) {
    this.settings = settings;
    this.dataSource = dataSource;
  }

  /**
   * Opens the pool and, when {@code settings.migrate()}, checks that the database answers and runs
   * the migrations. Without migrations the pool opens even while the database is down; queries
   * then fail (after {@code connection-timeout}) until it is back.
   *
   * @param settings validated settings
   * @return the open database
   * @throws DatabaseException if the database cannot be reached within {@code connection-timeout}
   *     or a migration fails; the message names the URL (password masked), the user and the reason
   */
  public static Database open(DbSettings settings) {
    HikariDataSource ds = new HikariDataSource(hikariConfig(settings));
    Database db = new Database(settings, ds);
    if (settings.migrate()) {
      try {
        db.checkConnection();
        db.migrate();
      } catch (RuntimeException e) {
        ds.close();
        throw e;
      }
    }
    return db;
  }

  private static HikariConfig hikariConfig(DbSettings settings) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(settings.url());
    hc.setUsername(settings.user());
    hc.setPassword(settings.password());
    hc.setMaximumPoolSize(settings.poolSize());
    hc.setConnectionTimeout(settings.connectionTimeout().toMillis());
    hc.setPoolName("lars-db");
    // The pool must open even while the database is down; open() checks it when migrating.
    hc.setInitializationFailTimeout(-1);
    if (!settings.isH2()) {
      // Bound a connect to an unreachable server, and send a JDBC batch as one multi-row statement.
      hc.addDataSourceProperty("connectTimeout", String.valueOf(settings.connectionTimeout().toMillis()));
      hc.addDataSourceProperty("rewriteBatchedStatements", "true");
    }
    return hc;
  }

  private void checkConnection() {
    try (Connection c = dataSource.getConnection()) {
      log.debug("connected to {} ({} {})", settings.safeUrl(), c.getMetaData().getDatabaseProductName(),
          c.getMetaData().getDatabaseProductVersion());
    } catch (SQLException e) {
      throw new DatabaseException("cannot connect to database " + settings.safeUrl() + " as user '" + settings.user()
          + "' within " + settings.connectionTimeout().toMillis() + "ms: " + causeChain(e), e);
    }
  }

  private void migrate() {
    try {
      MigrateResult result = flyway(dataSource, settings).migrate();
      log.info("database {} is at schema version {} ({} migrations applied now)", settings.safeUrl(),
          result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
          result.migrationsExecuted);
    } catch (RuntimeException e) {
      throw new DatabaseException("cannot migrate database " + settings.safeUrl() + ": " + causeChain(e), e);
    }
  }

  /** The Flyway setup of {@link #open}, also used by tests to check that a second migrate is a no-op. */
  static Flyway flyway(DataSource dataSource, DbSettings settings) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration/common", "classpath:db/migration/" + settings.vendor())
        .failOnMissingLocations(true)
        .loggers("slf4j")
        .load();
  }

  /** @return the pooled data source; every call on it blocks */
  public DataSource dataSource() {
    return dataSource;
  }

  /** @return the settings this database was opened with */
  public DbSettings settings() {
    return settings;
  }

  /**
   * The executor for blocking JDBC work: {@code lars-jdbc-dispatcher}, sized like the pool.
   *
   * @param system the node's actor system
   * @return the dispatcher as an executor
   */
  public static Executor jdbcExecutor(ActorSystem<?> system) {
    return system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER));
  }

  /**
   * The first line of each distinct message down the cause chain, joined, so a log line says why;
   * a JDBC URL a driver put in its message is masked ({@link JdbcUrls#maskIn}).
   */
  static String causeChain(Throwable e) {
    StringBuilder sb = new StringBuilder();
    String previous = "";
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip().lines().findFirst().orElse("");
      if (!msg.isEmpty() && !previous.contains(msg)) {
        sb.append(sb.length() == 0 ? "" : " <- ").append(msg);
        previous = previous + msg;
      }
    }
    return JdbcUrls.maskIn(sb.toString());
  }

  /** @return {@code Database[<url with password masked>]} */
  @Override
  public String toString() {
    return "Database[" + settings.safeUrl() + "]";
  }

  /** Closes the pool; pending queries fail. */
  @Override
  public void close() {
    dataSource.close();
  }
}
