package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.EveryDatabaseTest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JdbcRouteRepositoryTest extends EveryDatabaseTest {

  private static final long NOW = 1_700_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
  private static final ModuleId M1 = new ModuleId(1, 1);
  private static final ModuleId M2 = new ModuleId(2, 7);
  private static final Host H1 = Host.of("192.168.1.177", 7777);
  private static final Host H2 = Host.of("10.0.0.2", 80);
  /** A repository over an emptied database: no routes, no changes, version 0. */
  private static JdbcRouteRepository emptyRepository(Database db) {
    for (String sql : List.of("DELETE FROM RouteData", "DELETE FROM RouteChange", "UPDATE RouteVersion SET version = 0 WHERE id = 1")) {
      execute(db.dataSource(), sql);
    }
    return new JdbcRouteRepository(db.dataSource(), CLOCK);
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void addHostWritesTheRouteTheVersionAndAChangeTogether(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    RouteRow row = repo.addHost(M1, H1);

    assertEquals(M1, row.module());
    assertEquals(H1, row.host());
    assertEquals(List.of(row), repo.list(M1));
    assertEquals(List.of(row), repo.loadAll());
    assertEquals(Optional.of(row), repo.find(row.id()));
    Map<ModuleId, SortedSet<Host>> routes = repo.loadRoutes();
    assertEquals(Map.of(M1, new TreeSet<>(Set.of(H1))), routes);
    assertThrows(UnsupportedOperationException.class, () -> routes.put(M2, new TreeSet<>()));
    assertThrows(UnsupportedOperationException.class, () -> routes.get(M1).add(H2));
    assertEquals(NOW, repo.readVersion());
    assertEquals(List.of(M1), repo.readChanges(NOW));
    assertEquals(1, countRows(db, "SELECT COUNT(*) FROM RouteChange WHERE version = ?", NOW));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void versionsRiseStrictlyEvenWithinOneSecond(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    repo.addHost(M1, H1);
    repo.addHost(M1, H2);
    repo.addHost(M2, H1);
    assertEquals(NOW + 2, repo.readVersion());
    assertEquals(List.of(M1), repo.readChanges(NOW + 1));
    assertEquals(List.of(M1, M2), repo.readChanges(NOW + 2));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void versionsFollowUnixTimeAndStayAboveOnesSetByExternalTools(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    execute(db.dataSource(), "UPDATE RouteVersion SET version = 12345 WHERE id = 1");
    repo.addHost(M1, H1);
    assertEquals(NOW, repo.readVersion(), "an older version gives way to unix time");
    execute(db.dataSource(), "UPDATE RouteVersion SET version = 1800000000 WHERE id = 1");
    repo.addHost(M1, H2);
    assertEquals(1_800_000_001L, repo.readVersion(), "a version ahead of the clock still rises");
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void aDuplicateHostIsRejectedAndNothingIsWritten(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    RouteRow first = repo.addHost(M1, H1);
    DuplicateHostException e = assertThrows(DuplicateHostException.class, () -> repo.addHost(M1, H1));
    assertEquals(M1, e.module());
    assertEquals(H1, e.host());
    assertEquals("module (1,1) already has host 192.168.1.177:7777", e.getMessage());
    assertEquals(List.of(first), repo.loadAll());
    assertEquals(NOW, repo.readVersion());
    assertEquals(1, countRows(db, "SELECT COUNT(*) FROM RouteChange WHERE version >= ?", 0));
    assertEquals(M2, repo.addHost(M2, H1).module(), "the same host may serve another module");
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void aModuleIsRefusedHostsBeyondWhatOneGetRouteResponseCarries(Database db) throws SQLException {
    JdbcRouteRepository repo = emptyRepository(db);
    int max = RouteLimits.MAX_HOSTS_PER_MODULE;
    // All but the last host written in one batch, as a SQL tool would.
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO RouteData (modid, cmdid, serverip, serverport) VALUES (1, 1, ?, 65535)")) {
      for (int i = 0; i < max - 1; i++) {
        ps.setLong(1, 3_232_235_520L + i); // 192.168.0.0 + i: every ip a 10-byte varint on the wire
        ps.addBatch();
      }
      ps.executeBatch();
    }
    RouteRow last = repo.addHost(M1, H1);
    assertEquals(max, repo.list(M1).size(), "the module is full, not over");
    long version = repo.readVersion();

    RouteTooLargeException e = assertThrows(RouteTooLargeException.class, () -> repo.addHost(M1, H2));
    assertEquals(M1, e.module());
    assertEquals(max, e.hosts());
    assertEquals(max, e.maxHosts());
    assertTrue(e.getMessage().contains("at most " + max), e.getMessage());
    RouteRow other = repo.addHost(M2, H2);
    assertThrows(RouteTooLargeException.class, () -> repo.updateRoute(other.id(), M1, H2),
        "moving a host into the full module");
    assertEquals(max, repo.list(M1).size(), "nothing written to the full module");
    assertEquals(List.of(other), repo.list(M2), "the other module is unaffected");
    assertEquals(version + 1, repo.readVersion(), "only the write to the other module raised the version");
    assertTrue(repo.removeRoute(last.id()));
    assertEquals(M1, repo.addHost(M1, H2).module(), "room again after a host was removed");
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void removeHostAndRemoveRouteWriteAChangeOnlyWhenSomethingWasRemoved(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    repo.addHost(M1, H1);
    RouteRow second = repo.addHost(M2, H2);

    assertTrue(repo.removeHost(M1, H1));
    assertEquals(NOW + 2, repo.readVersion());
    assertEquals(List.of(M1), repo.readChanges(NOW + 2).stream().filter(M1::equals).toList());
    assertFalse(repo.removeHost(M1, H1));
    assertTrue(repo.removeRoute(second.id()));
    assertEquals(NOW + 3, repo.readVersion());
    assertFalse(repo.removeRoute(second.id()));
    assertEquals(NOW + 3, repo.readVersion(), "a remove of nothing leaves the version");
    assertEquals(List.of(), repo.loadAll());
    assertEquals(Map.of(), repo.loadRoutes());
    assertEquals(4, countRows(db, "SELECT COUNT(*) FROM RouteChange WHERE version >= ?", 0));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void updateAcrossModulesWritesAChangeForTheOldAndTheNewModule(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    RouteRow row = repo.addHost(M1, H1);

    RouteRow moved = repo.updateRoute(row.id(), M2, H2);
    assertEquals(new RouteRow(row.id(), M2, H2), moved);
    assertEquals(List.of(moved), repo.loadAll());
    assertEquals(NOW + 1, repo.readVersion());
    assertEquals(2, countRows(db, "SELECT COUNT(*) FROM RouteChange WHERE version = ?", NOW + 1));
    assertEquals(List.of(M1, M2), repo.readChanges(NOW + 1));

    repo.updateRoute(row.id(), M2, H1);
    assertEquals(1, countRows(db, "SELECT COUNT(*) FROM RouteChange WHERE version = ?", NOW + 2));
    repo.updateRoute(row.id(), M2, H1);
    assertEquals(NOW + 2, repo.readVersion(), "rewriting the same values writes nothing");
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void updateRejectsAMissingRowAndADuplicateWithoutWriting(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    RouteRow a = repo.addHost(M1, H1);
    RouteRow b = repo.addHost(M1, H2);

    assertThrows(DuplicateHostException.class, () -> repo.updateRoute(b.id(), M1, H1));
    NoSuchElementException missing = assertThrows(NoSuchElementException.class, () -> repo.updateRoute(b.id() + 1000, M1, H1));
    assertEquals("no route with id " + (b.id() + 1000), missing.getMessage());
    assertEquals(List.of(a, b), repo.loadAll());
    assertEquals(NOW + 1, repo.readVersion());
    assertEquals(2, countRows(db, "SELECT COUNT(*) FROM RouteChange WHERE version >= ?", 0));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void aFailureInsideTheWriteRollsEverythingBack(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    repo.addHost(M1, H1);
    JdbcRouteRepository failing = new JdbcRouteRepository(failingOn("INSERT INTO RouteChange", db.dataSource()), CLOCK);

    DatabaseException e = assertThrows(DatabaseException.class, () -> failing.addHost(M2, H2));
    assertEquals("add host 10.0.0.2:80 to module (2,7) failed: injected failure", e.getMessage());
    assertEquals(List.of(), repo.list(M2));
    assertEquals(NOW, repo.readVersion());
    assertEquals(List.of(M1), repo.readChanges(Long.MAX_VALUE));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void changesAreReadAndDeletedUpToAVersion(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    repo.addHost(M2, H1);
    repo.addHost(M1, H1);
    repo.addHost(M2, H2);

    assertEquals(List.of(M2), repo.readChanges(NOW));
    assertEquals(List.of(M1, M2), repo.readChanges(NOW + 1));
    assertEquals(List.of(), repo.readChanges(NOW - 1));
    assertEquals(2, repo.deleteChanges(NOW + 1));
    assertEquals(List.of(M2), repo.readChanges(Long.MAX_VALUE));
    assertEquals(1, repo.clearChanges());
    assertEquals(List.of(), repo.readChanges(Long.MAX_VALUE));
    assertEquals(NOW + 2, repo.readVersion(), "deleting changes leaves the version");
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void hostsAreValidatedBeforeAnythingIsWritten(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    IllegalArgumentException ip = assertThrows(IllegalArgumentException.class, () -> repo.addHost(M1, new Host(0, 80)));
    assertEquals("host ip must not be 0.0.0.0", ip.getMessage());
    IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> repo.addHost(M1, new Host(H1.ip(), 0)));
    assertEquals("host port must be 1..65535, got 0", low.getMessage());
    RouteRow row = repo.addHost(M1, H1);
    IllegalArgumentException high =
        assertThrows(IllegalArgumentException.class, () -> repo.updateRoute(row.id(), M1, new Host(H1.ip(), 65536)));
    assertEquals("host port must be 1..65535, got 65536", high.getMessage());
    assertEquals(List.of(row), repo.loadAll());
    assertEquals(NOW, repo.readVersion());
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void serverIpIsStoredUnsignedAndExternalToolsWritesAreRead(Database db) {
    JdbcRouteRepository repo = emptyRepository(db);
    RouteRow row = repo.addHost(M1, H1);
    assertEquals(3232235953L, countRows(db, "SELECT serverip FROM RouteData WHERE id = ?", row.id()));

    // The reference's test_insert_dns_route.sql, as any SQL client would run it.
    execute(db.dataSource(), "INSERT INTO RouteData (modid, cmdid, serverip, serverport) VALUES (2, 7, 3232235953, 9999)");
    execute(db.dataSource(), "UPDATE RouteVersion SET version = 1800000000 WHERE id = 1");
    execute(db.dataSource(), "INSERT INTO RouteChange (modid, cmdid, version) VALUES (2, 7, 1800000000)");
    assertEquals(Set.of(Host.of("192.168.1.177", 9999)), repo.loadRoutes().get(M2));
    assertEquals(1_800_000_000L, repo.readVersion());
    assertEquals(List.of(M1, M2), repo.readChanges(1_800_000_000L));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void concurrentWritersGetDistinctVersions(Database db) throws Exception {
    JdbcRouteRepository repo = emptyRepository(db);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<RouteRow>> adds = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        ModuleId module = i % 2 == 0 ? M1 : M2;
        Host host = new Host(H1.ip(), i);
        adds.add(pool.submit(() -> repo.addHost(module, host)));
      }
      for (Future<RouteRow> add : adds) {
        add.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(NOW + 19, repo.readVersion());
    assertEquals(20, countRows(db, "SELECT COUNT(DISTINCT version) FROM RouteChange WHERE version >= ?", 0));
    assertEquals(20, repo.loadAll().size());
  }

  /** A data source whose connections fail to prepare statements starting with the given SQL. */
  private static DataSource failingOn(String sqlPrefix, DataSource real) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(real, method, args);
          if (!method.getName().equals("getConnection")) {
            return result;
          }
          Connection connection = (Connection) result;
          return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                if (m.getName().equals("prepareStatement") && ((String) a[0]).startsWith(sqlPrefix)) {
                  throw new SQLException("injected failure");
                }
                return invoke(connection, m, a);
              });
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }


  /** Runs a one-number query with one long parameter. */
  private static long countRows(Database db, String sql, long parameter) {
    try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, parameter);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new AssertionError(sql, e);
    }
  }
}
