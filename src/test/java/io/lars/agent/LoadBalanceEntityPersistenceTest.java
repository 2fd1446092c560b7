package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.japi.Pair;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the LoadBalance entity records (SPEC 10), through its {@link LoadBalanceRecorder}, with the
 * in-memory journal and snapshot store: route updates and host transitions become the same events
 * as before (so older journals recover), an unchanged state writes nothing, and recovery from
 * snapshots and events gives back the last recorded state.
 */
class LoadBalanceEntityPersistenceTest {

  private static final ModuleId MODULE = new ModuleId(1, 1);
  private static final Host A = Host.of("10.0.0.1", 80);
  private static final Host B = Host.of("10.0.0.2", 80);
  private static final Host C = Host.of("10.0.0.3", 80);

  private static ActorTestKit testKit;

  private TestProbe<LoadBalanceEntity.Command> entity;
  private EventSourcedBehaviorTestKit<LoadBalanceRecorder.Record, Event, State> recorder;

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
  void createRecorder() {
    recorder = recorderWithSnapshotsEvery(100);
  }

  @AfterEach
  void clear() {
    recorder.clear();
  }

  private EventSourcedBehaviorTestKit<LoadBalanceRecorder.Record, Event, State> recorderWithSnapshotsEvery(int n) {
    entity = testKit.createTestProbe();
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        LoadBalanceRecorder.create(MODULE, entity.getRef(), new LoadBalanceEntity.PersistenceSettings(n, 2)),
        // Record never crosses nodes (the recorder is the entity's child); events and state do.
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false));
  }

  private EventSourcedBehaviorTestKit.CommandResult<LoadBalanceRecorder.Record, Event, State> record(State desired) {
    return recorder.runCommand(new LoadBalanceRecorder.Record(desired));
  }

  @Test
  void aChangedRouteIsRecordedAnUnchangedOneIsNot() {
    var first = record(new State(true, List.of(B, A), List.of()));
    assertEquals(List.of(new Event.RoutesUpdated(List.of(A, B))), first.events());
    assertEquals(new State(true, List.of(A, B), List.of()), first.state());

    assertTrue(record(new State(true, List.of(A, B), List.of())).hasNoEvents());
    assertEquals(List.of(new Event.RoutesUpdated(List.of(A, C))), record(new State(true, List.of(A, C), List.of())).events());
  }

  @Test
  void transitionsAreRecordedAsOneEventPerHost() {
    record(new State(true, List.of(A, B), List.of()));
    assertEquals(List.of(new Event.HostOverloaded(A), new Event.HostOverloaded(B)),
        record(new State(true, List.of(A, B), List.of(A, B))).events());
    assertEquals(List.of(new Event.HostIdled(A)), record(new State(true, List.of(A, B), List.of(B))).events());
    // A route change that drops an overloaded host needs no idle event for it.
    assertEquals(List.of(new Event.RoutesUpdated(List.of(A))), record(new State(true, List.of(A), List.of())).events());
  }

  @Test
  void aRestartedRecorderRecoversTheLastRecordedState() {
    record(new State(true, List.of(A, B), List.of()));
    record(new State(true, List.of(A, B), List.of(A)));
    assertEquals(new State(true, List.of(A, B), List.of(A)), recorder.restart().state());
  }

  @Test
  void recoveryFromASnapshotAndTheEventsAfterIt() {
    recorder = recorderWithSnapshotsEvery(2);
    record(new State(true, List.of(A, B), List.of()));
    record(new State(true, List.of(A, B), List.of(A)));
    // Snapshot at sequence number 2; this event comes after it.
    record(new State(true, List.of(A, B, C), List.of(A)));

    List<?> snapshots = recorder.snapshotTestKit().orElseThrow()
        .persistedInStorage(LoadBalanceEntity.persistenceId(MODULE).id());
    assertEquals(1, snapshots.size());
    assertEquals(new State(true, List.of(A, B), List.of(A)), ((Pair<?, ?>) snapshots.get(0)).second());

    assertEquals(new State(true, List.of(A, B, C), List.of(A)), recorder.restart().state());
  }
}
