package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.EveryDatabaseTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The audit log of route writes on every test database: each write of {@link JdbcRouteRepository}
 * leaves one entry with its writer, time, action, rows and version; failed writes leave none; the
 * dns's deletion of {@code RouteChange} rows does not touch it.
 */
class AuditRepositoryTest extends EveryDatabaseTest {

  private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_123L);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final ModuleId M1 = new ModuleId(1, 1);
  private static final ModuleId M2 = new ModuleId(2, 7);
  private static final Host H1 = Host.of("192.168.1.177", 7777);
  private static final Host H2 = Host.of("10.0.0.2", 80);

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("databases")
  void everyWriteIsAuditedWithItsWriterAndSurvivesThePushBookkeeping(Database db) {
    for (String sql : List.of("DELETE FROM RouteData", "DELETE FROM RouteChange", "DELETE FROM RouteAudit")) {
      execute(db.dataSource(), sql);
    }
    JdbcRouteRepository admin = new JdbcRouteRepository(db.dataSource(), CLOCK, "ops-token");
    JdbcRouteRepository sql = new JdbcRouteRepository(db.dataSource(), CLOCK);
    AuditRepository audit = new AuditRepository(db.dataSource());

    RouteRow added = admin.addHost(M1, H1);
    assertThrows(DuplicateHostException.class, () -> admin.addHost(M1, H1));
    RouteRow moved = admin.updateRoute(added.id(), M2, H2);
    sql.addHost(M1, H1);
    assertTrue(sql.removeHost(M1, H1));
    assertTrue(admin.removeRoute(moved.id()));
    sql.removeHost(M1, H2);
    long version = sql.readVersion();
    sql.deleteChanges(version);

    List<AuditRepository.Entry> all = audit.recent(Optional.empty(), 100);
    assertEquals(List.of("remove", "remove", "add", "update", "add"),
        all.stream().map(e -> e.action().name().toLowerCase()).toList(), "newest first; nothing for failed or no-op writes");
    assertEquals(List.of("ops-token", AuditRepository.SQL_ACTOR, AuditRepository.SQL_ACTOR, "ops-token", "ops-token"),
        all.stream().map(AuditRepository.Entry::actor).toList());
    AuditRepository.Entry update = all.get(3);
    assertEquals(new AuditRepository.Entry(update.id(), NOW.toEpochMilli(), "ops-token", AuditRepository.Action.UPDATE,
        added.id(), M2, H2, Optional.of(added), update.version()), update);
    assertEquals(version, all.get(0).version());
    assertTrue(all.get(0).version() > all.get(4).version());
    assertTrue(all.get(1).routeId() > 0, "a remove by host names the removed row");

    List<AuditRepository.Entry> m1 = audit.recent(Optional.of(M1), 100);
    assertEquals(4, m1.size(), "the update that moved the row away from M1 belongs to M1's history too");
    assertEquals(2, audit.recent(Optional.of(M2), 100).size());
    assertEquals(2, audit.recent(Optional.empty(), 2).size());
    assertThrows(IllegalArgumentException.class, () -> audit.recent(Optional.empty(), 0));
    assertThrows(IllegalArgumentException.class, () -> new JdbcRouteRepository(db.dataSource(), CLOCK, "a\nb"));
  }
}
