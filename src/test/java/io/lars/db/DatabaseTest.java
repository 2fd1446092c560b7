package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import io.lars.testkit.TestDatabases;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DatabaseTest {

  private static final Set<String> LARS_TABLES =
      Set.of("routedata", "routeversion", "routechange", "servercallstatus", "modidconfig", "cmdidconfig");
  private static final Set<String> AKKA_TABLES = Set.of("event_journal", "event_tag", "snapshot", "durable_state");

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void migratesFromEmptyAndASecondMigrateIsANoOp(DbSettings settings) throws SQLException {
    try (Database db = TestDatabases.fresh(settings)) {
      Set<String> tables = tableNames(db);
      assertTrue(tables.containsAll(LARS_TABLES), () -> "Lars tables missing from " + tables);
      assertTrue(tables.containsAll(AKKA_TABLES), () -> "akka-persistence-jdbc tables missing from " + tables);
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT id, version FROM RouteVersion");
          ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "RouteVersion has a row");
        assertEquals(1, rs.getInt(1));
        assertEquals(0, rs.getLong(2));
        assertFalse(rs.next(), "RouteVersion has exactly one row");
      }
      Flyway flyway = Database.flyway(db.dataSource(), settings);
      assertEquals(flyway.info().all().length, flyway.info().applied().length, "every migration is applied");
      assertTrue(flyway.info().applied().length >= 6, () -> flyway.info().applied().length + " applied, V1..V5 and V7 at least");
      assertEquals(0, flyway.migrate().migrationsExecuted);
    }
    try (Database again = Database.open(settings)) {
      assertEquals(0, new JdbcRouteRepository(again.dataSource()).readVersion());
    }
  }

  @Test
  void anUnreachableDatabaseFailsFastWithTheUrlUserAndReason() throws IOException {
    int closedPort = freePort();
    DbSettings settings = new DbSettings("jdbc:mysql://127.0.0.1:" + closedPort + "/lars_dns?password=secret", "lars",
        "secret", 2, Duration.ofMillis(500), true);
    DatabaseException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(DatabaseException.class, () -> Database.open(settings)));
    assertTrue(e.getMessage().startsWith("cannot connect to database jdbc:mysql://127.0.0.1:" + closedPort
        + "/lars_dns?password=*** as user 'lars' within 500ms: "), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void aBadH2UrlFailsWithTheReason() {
    DbSettings settings = new DbSettings("jdbc:h2:mem:bad;NO_SUCH_SETTING=1", "sa", "", 1, Duration.ofMillis(500), true);
    DatabaseException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(DatabaseException.class, () -> Database.open(settings)));
    assertTrue(e.getMessage().startsWith("cannot connect to database jdbc:h2:mem:bad;NO_SUCH_SETTING=1"), e.getMessage());
    assertTrue(e.getMessage().contains("NO_SUCH_SETTING"), e.getMessage());
  }

  @Test
  void aSchemaLarsDidNotCreateStopsTheOpenWithTheReason() throws SQLException {
    DbSettings settings = TestDatabases.h2();
    try (Connection keepAlive = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        PreparedStatement ps = keepAlive.prepareStatement("CREATE TABLE RouteData (id INT)")) {
      ps.executeUpdate();
      DatabaseException e = assertThrows(DatabaseException.class, () -> Database.open(settings));
      assertTrue(e.getMessage().startsWith("cannot migrate database " + settings.url() + ": "), e.getMessage());
      assertTrue(e.getMessage().contains("no schema history table"), e.getMessage());
    }
  }

  @Test
  void withoutMigrationsTheDatabaseOpensWhileTheServerIsDown() throws IOException {
    DbSettings settings = new DbSettings("jdbc:mysql://127.0.0.1:" + freePort() + "/lars_dns", "lars", "", 1,
        Duration.ofMillis(300), false);
    try (Database db = Database.open(settings)) {
      DatabaseException e = assertThrows(DatabaseException.class, () -> new JdbcRouteRepository(db.dataSource()).readVersion());
      assertTrue(e.getMessage().startsWith("read route version failed: "), e.getMessage());
    }
  }

  @Test
  void jdbcWorkRunsOnTheDedicatedDispatcherSizedLikeThePool() throws Exception {
    ActorTestKit testKit = ActorTestKit.create("DatabaseTest",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
    try {
      String thread = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(),
          Database.jdbcExecutor(testKit.system())).get(5, TimeUnit.SECONDS);
      assertTrue(thread.contains(Database.DISPATCHER), thread);
      assertEquals(testKit.system().settings().config().getInt("lars.db.pool-size"),
          testKit.system().settings().config().getInt("lars-jdbc-dispatcher.thread-pool-executor.fixed-pool-size"));
    } finally {
      testKit.shutdownTestKit();
    }
  }

  private static Set<String> tableNames(Database db) throws SQLException {
    Set<String> names = new TreeSet<>();
    try (Connection c = db.dataSource().getConnection()) {
      DatabaseMetaData meta = c.getMetaData();
      try (ResultSet rs = meta.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
