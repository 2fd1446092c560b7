package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.JournalFixture;
import io.lars.testkit.TestDatabases;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A LoadBalance journal written by the previous format (Jackson CBOR, manifest = class name; the
 * checked-in fixture of commit ce4edc1) recovers with today's code through
 * {@link LoadBalanceLegacyJournal}: every event type, and a snapshot; what is written on top of
 * it uses {@link LoadBalanceSerializer}'s manifests, and the mixed journal recovers again. On H2
 * and, with {@code LARS_TEST_DB_URL}, on MariaDB/MySQL.
 */
class LoadBalanceJournalFixtureTest {

  // Generous: the first recovery of a fresh actor system starts the Slick pool, slow on a busy machine.
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  // The hosts the fixture writer used.
  private static final Host A = Host.of("10.0.0.1", 80);
  private static final Host B = Host.of("10.0.0.2", 8080);
  private static final Host C = Host.of("192.168.1.177", 7777);
  private static final Host D = Host.of("255.255.255.254", 65535);
  private static final LoadBalanceEntity.PersistenceSettings SNAPSHOTS = new LoadBalanceEntity.PersistenceSettings(100, 2);

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theOldFormatRecoversAndNewRowsUseTheFixedManifests(DbSettings settings) throws Exception {
    try (Database db = TestDatabases.fresh(settings)) {
      assertEquals(12, JournalFixture.load().insert(db, "LoadBalance|"));
      // Module 2-2 as retention leaves it: only the snapshot at 4 and the event after it.
      JournalFixture.deleteEvents(db, "LoadBalance|2-2", 4);
      ActorTestKit testKit = ActorTestKit.create("LoadBalanceJournalFixtureTest",
          JournalFixture.actorSystemConfig(settings));
      try {
        // RoutesUpdated, HostOverloaded x2, HostIdled, RoutesUpdated.
        ModuleId eventsOnly = new ModuleId(1, 1);
        assertEquals(new State(true, List.of(A, B, C, D), List.of(C)), recover(testKit, eventsOnly));
        // Snapshot (routeKnown, hosts, overloaded) then RoutesUpdated.
        assertEquals(new State(true, List.of(A, B, D), List.of(B)), recover(testKit, new ModuleId(2, 2)));

        State next = new State(true, List.of(A, B, C, D), List.of(A));
        record(testKit, eventsOnly, next);
        assertEquals(LoadBalanceSerializer.IDENTIFIER + "/" + LoadBalanceSerializer.HOST_OVERLOADED,
            JournalFixture.serializerOf(db, "LoadBalance|1-1", 6));
        assertEquals(LoadBalanceSerializer.IDENTIFIER + "/" + LoadBalanceSerializer.HOST_IDLED,
            JournalFixture.serializerOf(db, "LoadBalance|1-1", 7));
        assertEquals(next, recover(testKit, eventsOnly));
      } finally {
        testKit.shutdownTestKit();
      }
    }
  }

  private static State recover(ActorTestKit testKit, ModuleId module) {
    TestProbe<LoadBalanceEntity.Command> entity = testKit.createTestProbe();
    ActorRef<LoadBalanceRecorder.Record> recorder =
        testKit.spawn(LoadBalanceRecorder.create(module, entity.getRef(), SNAPSHOTS));
    State state = entity.expectMessageClass(LoadBalanceEntity.Recovered.class, TIMEOUT).state();
    testKit.stop(recorder, TIMEOUT);
    return state;
  }

  private static void record(ActorTestKit testKit, ModuleId module, State desired) {
    TestProbe<LoadBalanceEntity.Command> entity = testKit.createTestProbe();
    ActorRef<LoadBalanceRecorder.Record> recorder =
        testKit.spawn(LoadBalanceRecorder.create(module, entity.getRef(), SNAPSHOTS));
    entity.expectMessageClass(LoadBalanceEntity.Recovered.class, TIMEOUT);
    recorder.tell(new LoadBalanceRecorder.Record(desired));
    assertEquals(desired, entity.expectMessageClass(LoadBalanceEntity.Recorded.class, TIMEOUT).state());
    testKit.stop(recorder, TIMEOUT);
  }
}
