package io.lars.db;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The node's database: a HikariCP pool, migrated by Flyway when opened.
 *
 * <p>Close it when the node stops. Every use of {@link #dataSource()} blocks and belongs on
 * {@link #jdbcExecutor}.
 */
public final class Database implements AutoCloseable {

  /** Config path of the dispatcher that runs blocking JDBC work. */
  public static final String DISPATCHER = "lars-jdbc-dispatcher";

  private final DbSettings settings;
  private final HikariDataSource dataSource;

  private Database(DbSettings settings, HikariDataSource dataSource) {
    this.settings = settings;
    this.dataSource = dataSource;
  }

  /**
   * Opens the pool and, when {@code settings.migrate()}, runs the migrations.
   *
   * @param settings validated settings
   * @return the open database
   * @throws DatabaseException if the database cannot be reached or a migration fails, with the
   *     URL (password removed) and the reason
   */
  public static Database open(DbSettings settings) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(settings.url());
    hc.setUsername(settings.user());
    hc.setPassword(settings.password());
    hc.setMaximumPoolSize(settings.poolSize());
    hc.setConnectionTimeout(settings.connectionTimeout().toMillis());
    hc.setPoolName("lars-db");
    // A node must start even while the database is down; queries fail until it is back.
    hc.setInitializationFailTimeout(-1);
    HikariDataSource ds = new HikariDataSource(hc);
    Database db = new Database(settings, ds);
    if (settings.migrate()) {
      try {
        db.migrate();
      } catch (RuntimeException e) {
        ds.close();
        throw new DatabaseException("cannot migrate database " + settings.safeUrl() + ": " + rootMessage(e), e);
      }
    }
    return db;
  }

  private void migrate() {
    String vendor = settings.isH2() ? "h2" : "mysql";
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration/common", "classpath:db/migration/" + vendor)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new DatabaseException("Flyway migration failed: " + e.getMessage(), e);
    }
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

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
  }

  /** Closes the pool. */
  @Override
  public void close() {
    dataSource.close();
  }
}
