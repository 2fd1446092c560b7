package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LoadBalance entity as the authority of its module (issue 13): views pushed to every
 * subscribed node, reports applied in batch order, statistics, passivation, and persistence that
 * never holds a decision back (in-memory journal of the persistence testkit).
 */
class LoadBalanceEntityTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "akka.actor.provider = local\nakka.persistence.testkit.events.assert-timeout = 10s")
      .withFallback(PersistenceTestKitPlugin.config())
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.load()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final AtomicInteger modules = new AtomicInteger();
  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Host H2 = Host.of("10.0.0.2", 7002);
  private static final int CALLER = io.lars.protocol.Ipv4.parse("192.168.1.177");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private ModuleId module;
  private TestProbe<ReporterClient.Command> reporter;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private TestProbe<NodeViews.Command> node1;
  private TestProbe<NodeViews.Command> node2;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    journal.clearAll();
    journal.resetPolicy();
    module = new ModuleId(modules.incrementAndGet(), 1);
    reporter = testKit.createTestProbe();
    shard = testKit.createTestProbe();
    node1 = testKit.createTestProbe();
    node2 = testKit.createTestProbe();
  }

  private ActorRef<LoadBalanceEntity.Command> spawn(LoadBalanceSettings settings, Duration passivateAfter) {
    return testKit.spawn(LoadBalanceEntity.create(module, shard.getRef(),
        new LoadBalanceEntity.Dependencies(settings, CALLER, passivateAfter, reporter.getRef()),
        new LoadBalanceEntity.PersistenceSettings(100, 2)));
  }

  private ActorRef<LoadBalanceEntity.Command> spawn() {
    return spawn(settings(Duration.ofSeconds(1)), Duration.ofMinutes(30));
  }

  private static LoadBalanceSettings settings(Duration reportInterval) {
    LoadBalanceSettings d = LoadBalanceSettings.defaults();
    return new LoadBalanceSettings(d.probeNum(), d.initSuccCnt(), d.initErrCnt(), d.errRate(), d.succRate(),
        d.continErrLimit(), d.continSuccLimit(), d.windowErrRate(), d.idleTimeout(), d.overloadTimeout(),
        d.updateTimeout(), reportInterval, d.firstPullWait(), d.timecostUnit());
  }

  private static ModuleView nextView(TestProbe<NodeViews.Command> node) {
    return node.expectMessageClass(NodeViews.EntityView.class, WAIT).view();
  }

  /** Views until one satisfies the condition (the entity may send intermediate ones). */
  private static ModuleView viewWith(TestProbe<NodeViews.Command> node, java.util.function.Predicate<ModuleView> p) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      ModuleView v = nextView(node);
      if (p.test(v)) {
        return v;
      }
      assertTrue(System.nanoTime() < deadline, "no view as wanted; last " + v);
    }
  }

  private static List<LoadBalanceEntity.ReportItem> failures(Host host, int n) {
    return Collections.nCopies(n, new LoadBalanceEntity.ReportItem(host, 1, 0));
  }

  @Test
  void aSubscriberGetsTheViewAndATransitionFromOneNodesReportsReachesEveryNode() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn();
    entity.tell(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H2, H1)));
    ModuleView first = nextView(node1);
    assertEquals(List.of(H1, H2), first.hosts());
    assertEquals(List.of(), first.overloaded());
    assertTrue(first.fromEntity());

    // Node 2 only reports: the batch subscribes it, and its failures overload H1 on both nodes.
    entity.tell(new LoadBalanceEntity.ReportBatch(node2.getRef(),
        failures(H1, LoadBalanceSettings.defaults().continErrLimit())));
    assertEquals(List.of(H1), viewWith(node1, v -> !v.overloaded().isEmpty()).overloaded());
    assertEquals(List.of(H1), viewWith(node2, v -> !v.overloaded().isEmpty()).overloaded());
  }

  @Test
  void reportsOfABatchAreAppliedInOrder() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn();
    entity.tell(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H1, H2)));
    nextView(node1);
    int limit = LoadBalanceSettings.defaults().continErrLimit();
    // limit-1 failures, a success, limit-1 failures: never limit consecutive failures, and the
    // error rate stays below err-rate with the idle start counts. Reordered, it would overload.
    List<LoadBalanceEntity.ReportItem> items = new ArrayList<>(failures(H1, limit - 1));
    items.add(new LoadBalanceEntity.ReportItem(H1, 0, 0));
    items.addAll(failures(H1, limit - 1));
    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(), items));
    node1.expectNoMessage(Duration.ofMillis(300));
    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(), failures(H1, 1)));
    assertEquals(List.of(H1), nextView(node1).overloaded());
  }

  @Test
  void aTransitionIsDecidedWhileTheJournalFailsAndRecordedWhenItWorksAgain() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn();
    entity.tell(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H1, H2)));
    nextView(node1);
    journal.expectNextPersisted(LoadBalanceEntity.persistenceId(module).id(),
        new LoadBalanceEntity.Event.RoutesUpdated(List.of(H1, H2)));

    journal.failNextNPersisted(3);
    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(),
        failures(H1, LoadBalanceSettings.defaults().continErrLimit())));
    // Decided at once, not after the write.
    assertEquals(List.of(H1), nextView(node1).overloaded());
    // The recorder retries with backoff until a write succeeds.
    journal.expectNextPersisted(LoadBalanceEntity.persistenceId(module).id(),
        new LoadBalanceEntity.Event.HostOverloaded(H1));
  }

  @Test
  void aRestartedEntityAdoptsTheRecordedOverloadState() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn();
    entity.tell(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H1, H2)));
    nextView(node1);
    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(),
        failures(H1, LoadBalanceSettings.defaults().continErrLimit())));
    viewWith(node1, v -> v.overloaded().equals(List.of(H1)));
    journal.expectNextPersisted(LoadBalanceEntity.persistenceId(module).id(),
        new LoadBalanceEntity.Event.RoutesUpdated(List.of(H1, H2)));
    journal.expectNextPersisted(LoadBalanceEntity.persistenceId(module).id(),
        new LoadBalanceEntity.Event.HostOverloaded(H1));
    testKit.stop(entity);

    ActorRef<LoadBalanceEntity.Command> again = spawn();
    again.tell(new LoadBalanceEntity.Subscribe(node2.getRef(), List.of(H1, H2)));
    assertEquals(List.of(H1), viewWith(node2, v -> v.overloaded().equals(List.of(H1))).overloaded());
  }

  @Test
  void statisticsAreSentOncePerIntervalAndOnlyWhenSomethingChanged() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofMillis(200)), Duration.ofMinutes(30));
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1, H2)));
    reporter.expectNoMessage(Duration.ofMillis(400));

    List<LoadBalanceEntity.ReportItem> items = new ArrayList<>(
        Collections.nCopies(5, new LoadBalanceEntity.ReportItem(H1, 0, 0)));
    items.add(new LoadBalanceEntity.ReportItem(H2, 1, 0));
    long beforeS = System.currentTimeMillis() / 1000;
    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(), items));
    ReportStatusReq first = reporter.expectMessageClass(ReporterClient.Statistics.class).request();
    assertEquals(module.modid(), first.getModid());
    assertEquals(module.cmdid(), first.getCmdid());
    assertEquals(CALLER, first.getCaller());
    // Stamped between the tell and the receipt: a range that holds however slow the machine.
    long ts = Integer.toUnsignedLong(first.getTs());
    assertTrue(ts >= beforeS && ts <= System.currentTimeMillis() / 1000, "ts is unix seconds: " + ts);
    assertEquals(List.of(result(H1, 5, 0, false), result(H2, 0, 1, false)), first.getResultsList());
    reporter.expectNoMessage(Duration.ofMillis(500));

    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(), List.of(new LoadBalanceEntity.ReportItem(H2, 0, 0))));
    ReportStatusReq second = reporter.expectMessageClass(ReporterClient.Statistics.class).request();
    assertEquals(List.of(result(H1, 5, 0, false), result(H2, 1, 1, false)), second.getResultsList());
    reporter.expectNoMessage(Duration.ofMillis(400));
  }

  private static HostCallResult result(Host host, int succ, int err, boolean overload) {
    return HostCallResult.newBuilder().setIp(host.ip()).setPort(host.port()).setSucc(succ).setErr(err)
        .setOverload(overload).build();
  }

  @Test
  void getStateReturnsTheSnapshotWithOverloadedHosts() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn();
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1, H2)));
    entity.tell(new LoadBalanceEntity.ReportBatch(node1.getRef(), failures(H1, 30)));
    TestProbe<LoadBalanceEntity.CurrentState> state = testKit.createTestProbe();
    entity.tell(new LoadBalanceEntity.GetState(state.getRef()));
    LoadBalance.Snapshot snapshot = state.receiveMessage().snapshot();
    assertEquals(module, snapshot.module());
    assertTrue(snapshot.routeKnown());
    assertEquals(List.of(H2), snapshot.idle().stream().map(LoadBalance.HostSnapshot::host).toList());
    assertEquals(List.of(H1), snapshot.overload().stream().map(LoadBalance.HostSnapshot::host).toList());
  }

  @Test
  void anEntityPassivatesOnlyWhenNoNodeIsSubscribed() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1)), Duration.ofMillis(300));
    entity.tell(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H1)));
    shard.expectNoMessage(Duration.ofMillis(900));
    entity.tell(new LoadBalanceEntity.Unsubscribe(node1.getRef()));
    ClusterSharding.Passivate<?> passivate = shard.expectMessageClass(ClusterSharding.Passivate.class, WAIT);
    assertEquals(entity, passivate.entity());
  }

  @Test
  void aSubscriberThatStopsIsForgotten() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1)), Duration.ofMillis(300));
    entity.tell(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H1)));
    nextView(node1);
    node1.stop();
    ClusterSharding.Passivate<?> passivate = shard.expectMessageClass(ClusterSharding.Passivate.class, WAIT);
    assertEquals(entity, passivate.entity());
  }

  @Test
  void crossNodeMessagesSurviveJacksonCbor() {
    var serialization = testKit.serializationTestKit();
    serialization.verifySerialization(new LoadBalanceEntity.Subscribe(node1.getRef(), List.of(H1, H2)), true);
    serialization.verifySerialization(new LoadBalanceEntity.Unsubscribe(node1.getRef()), true);
    serialization.verifySerialization(new LoadBalanceEntity.ReportBatch(node1.getRef(),
        List.of(new LoadBalanceEntity.ReportItem(H1, 1, 300), new LoadBalanceEntity.ReportItem(H2, 0, 0))), true);
    serialization.verifySerialization(new LoadBalanceEntity.RoutesUpdated(List.of(H1)), true);
    ActorRef<LoadBalanceEntity.Command> someEntity = testKit.<LoadBalanceEntity.Command>createTestProbe().getRef();
    serialization.verifySerialization(new NodeViews.EntityView(
        new ModuleView(module, 7, true, List.of(H1, H2), List.of(H2)), someEntity), true);
    TestProbe<LoadBalanceEntity.Located> located = testKit.createTestProbe();
    serialization.verifySerialization(new LoadBalanceEntity.Locate(located.getRef()), true);
    serialization.verifySerialization(new LoadBalanceEntity.Located(someEntity), true);
    TestProbe<LoadBalanceEntity.CurrentState> state = testKit.createTestProbe();
    serialization.verifySerialization(new LoadBalanceEntity.GetState(state.getRef()), true);
    ActorRef<LoadBalanceEntity.Command> entity = spawn();
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1, H2)));
    entity.tell(new LoadBalanceEntity.GetState(state.getRef()));
    LoadBalanceEntity.CurrentState answer = state.receiveMessage();
    assertFalse(answer.snapshot().idle().isEmpty());
    serialization.verifySerialization(answer, true);
  }
}
