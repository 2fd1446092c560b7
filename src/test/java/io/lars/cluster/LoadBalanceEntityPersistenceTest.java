package io.lars.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.japi.Pair;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import io.lars.agent.DnsClient;
import io.lars.agent.LoadBalance;
import io.lars.agent.LoadBalanceEntity;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.agent.LoadBalanceSettings;
import io.lars.agent.ReporterClient;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LoadBalance entity's persistence (SPEC 10) with the in-memory journal and snapshot store:
 * route updates and host transitions become events, per-call counters do not, and a restarted
 * entity answers from its recovered route and overload states without asking the dns first.
 */
class LoadBalanceEntityPersistenceTest {

  private static final ModuleId MODULE = new ModuleId(1, 1);
  private static final Host A = Host.of("10.0.0.1", 80);
  private static final Host B = Host.of("10.0.0.2", 80);
  private static final Host C = Host.of("10.0.0.3", 80);

  private static ActorTestKit testKit;

  private TestProbe<DnsClient.Command> dns;
  private EventSourcedBehaviorTestKit<LoadBalanceEntity.Command, Event, State> entity;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("LoadBalanceEntityPersistenceTest", EventSourcedBehaviorTestKit.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.parseString("akka.actor.provider = local"))
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void createEntity() {
    entity = entityWithSnapshotsEvery(100);
  }

  @AfterEach
  void clear() {
    entity.clear();
  }

  private EventSourcedBehaviorTestKit<LoadBalanceEntity.Command, Event, State> entityWithSnapshotsEvery(int n) {
    dns = testKit.createTestProbe();
    TestProbe<ReporterClient.Command> reporter = testKit.createTestProbe();
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    LoadBalanceEntity.Dependencies deps = new LoadBalanceEntity.Dependencies(LoadBalanceSettings.defaults(), 0,
        Duration.ofMinutes(30), dns.getRef(), reporter.getRef());
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        LoadBalanceEntity.create(MODULE, shard.getRef(), deps, new LoadBalanceEntity.PersistenceSettings(n, 2)));
  }

  @Test
  void aChangedRouteIsPersistedAnUnchangedOneIsNot() {
    EventSourcedBehaviorTestKit.CommandResult<LoadBalanceEntity.Command, Event, State> first =
        entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(B, A)));
    assertEquals(List.of(new Event.RoutesUpdated(List.of(A, B))), first.events());
    assertEquals(new State(true, List.of(A, B), List.of()), first.state());

    assertTrue(entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(A, B))).hasNoEvents());

    assertEquals(List.of(new Event.RoutesUpdated(List.of(A, C))),
        entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(A, C))).events());
  }

  @Test
  void callsAreNotPersistedTransitionsAre() {
    entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(A, B)));
    assertTrue(entity.runCommand(new LoadBalanceEntity.Report(A, 0, 5)).hasNoEvents());
    overloadA();
    assertEquals(List.of(A), entity.getState().overloaded());

    // Back to idle after contin-succ-limit successes (10 by default).
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < LoadBalanceSettings.defaults().continSuccLimit(); i++) {
      events.addAll(entity.runCommand(new LoadBalanceEntity.Report(A, 0, 5)).events());
    }
    assertEquals(List.of(new Event.HostIdled(A)), events);
    assertEquals(List.of(), entity.getState().overloaded());
  }

  @Test
  void aRestartedEntityAnswersFromItsRecoveredRouteAndOverloadStates() {
    entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(A, B)));
    overloadA();

    State recovered = entity.restart().state();
    assertEquals(new State(true, List.of(A, B), List.of(A)), recovered);

    // Answered at once from the recovered route: only the idle host B, never NOEXIST.
    for (int i = 0; i < 5; i++) {
      long requestId = i;
      LoadBalanceEntity.HostAnswer answer = entity.<LoadBalanceEntity.HostAnswer>runCommand(
          replyTo -> new LoadBalanceEntity.GetHost(requestId, replyTo)).reply();
      assertEquals(RetCode.SUCC, answer.retCode());
      assertEquals(B, answer.host());
    }
    LoadBalance.Snapshot state = entity.<LoadBalance.Snapshot>runCommand(LoadBalanceEntity.GetState::new).reply();
    assertEquals(List.of(A), state.overload().stream().map(LoadBalance.HostSnapshot::host).toList());
    // The recovered route is refreshed from the dns, but the answers did not wait for it.
    assertEquals(new DnsClient.Pull(MODULE), dns.expectMessageClass(DnsClient.Pull.class));
  }

  @Test
  void recoveryFromASnapshotAndTheEventsAfterIt() {
    entity = entityWithSnapshotsEvery(2);
    entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(A, B)));
    overloadA();
    // Snapshot at sequence number 2; this event comes after it.
    entity.runCommand(new LoadBalanceEntity.RoutesUpdated(List.of(A, B, C)));

    List<?> snapshots = entity.snapshotTestKit().orElseThrow()
        .persistedInStorage(LoadBalanceEntity.persistenceId(MODULE).id());
    assertEquals(1, snapshots.size());
    assertEquals(new State(true, List.of(A, B), List.of(A)), ((Pair<?, ?>) snapshots.get(0)).second());

    assertEquals(new State(true, List.of(A, B, C), List.of(A)), entity.restart().state());
  }

  /** Reports consecutive failures of host A until it is overloaded; exactly one event results. */
  private void overloadA() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < LoadBalanceSettings.defaults().continErrLimit(); i++) {
      events.addAll(entity.runCommand(new LoadBalanceEntity.Report(A, 1, 5)).events());
    }
    assertEquals(List.of(new Event.HostOverloaded(A)), events);
  }
}
