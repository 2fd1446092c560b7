package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.JournalFixture;
import io.lars.testkit.TestDatabases;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A lease journal written by the previous format (Jackson CBOR, manifest = class name; the
 * checked-in fixture of commit ce4edc1) recovers with today's {@link LeaseEntity} through
 * {@link LeaseLegacyJournal}: every event type, and a snapshot. On H2 and, with
 * {@code LARS_TEST_DB_URL}, on MariaDB/MySQL.
 */
class LeaseJournalFixtureTest {

  // Generous: the first recovery of a fresh actor system starts the Slick pool, slow on a busy machine.
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  // The leases the fixture writer registered.
  private static final Lease L1 = new Lease("3-3.a1", Host.of("10.0.0.1", 80), 10, 100,
      Map.of("zone", "a", "v", "1.2"), 1_700_000_000_000L, 0);
  private static final Lease L2 = new Lease("3-3.b2", Host.of("10.0.0.2", 8080), 30, 50, Map.of(),
      1_700_000_001_000L, 0);
  private static final Lease L5 = new Lease("4-4.e5", Host.of("10.0.0.1", 80), 20, 70, Map.of(),
      1_700_000_004_000L, 0);

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theOldFormatRecovers(DbSettings settings) throws Exception {
    try (Database db = TestDatabases.fresh(settings)) {
      assertEquals(10, JournalFixture.load().insert(db, "Leases|"));
      // Module 4-4 as retention leaves it: only the snapshot at 3 and the event after it.
      JournalFixture.deleteEvents(db, "Leases|4-4", 3);
      ActorTestKit testKit = ActorTestKit.create("LeaseJournalFixtureTest", JournalFixture.actorSystemConfig(settings));
      try {
        // Registered x3, DrainStarted, Removed.
        assertEquals(List.of(L1, L2.drainingUntil(1_700_000_600_000L)), recover(testKit, new ModuleId(3, 3)));
        // Snapshot (two leases, one draining) then Removed.
        assertEquals(List.of(L5.drainingUntil(1_700_000_900_000L)), recover(testKit, new ModuleId(4, 4)));
      } finally {
        testKit.shutdownTestKit();
      }
    }
  }

  private static List<Lease> recover(ActorTestKit testKit, ModuleId module) {
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    LeaseNode node = LeaseNode.get(testKit.system());
    // The longest check interval: the drains in the fixture ended long ago and must not be removed
    // before the recovered leases are read.
    LeaseSettings slowChecks = new LeaseSettings(Duration.ofSeconds(10), node.settings().publishInterval(),
        node.settings().askTimeout(), node.settings().maxExpiryFraction(), node.settings().minLeasesForProtection());
    ActorRef<LeaseEntity.Command> entity = testKit.spawn(LeaseEntity.create(module, shard.getRef(),
        new LeaseEntity.Dependencies(slowChecks, registry.getRef(), node)));
    TestProbe<LeaseSet> leases = testKit.createTestProbe();
    entity.tell(new LeaseEntity.GetLeases(leases.getRef()));
    List<Lease> recovered = leases.receiveMessage(TIMEOUT).leases();
    testKit.stop(entity, TIMEOUT);
    return recovered;
  }
}
