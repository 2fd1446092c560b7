package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadBalanceEntityTest {

  // The entity is event-sourced: the in-memory journal and snapshot store of the persistence testkit.
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "akka.actor.provider = local")
      .withFallback(PersistenceTestKitPlugin.config())
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.load()));
  private static final AtomicInteger modules = new AtomicInteger();
  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Host H2 = Host.of("10.0.0.2", 7002);
  private static final int CALLER = io.lars.protocol.Ipv4.parse("192.168.1.177");

  private ModuleId module;
  private TestProbe<DnsClient.Command> dns;
  private TestProbe<ReporterClient.Command> reporter;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private TestProbe<LoadBalanceEntity.HostAnswer> hostAnswers;
  private TestProbe<LoadBalanceEntity.RouteAnswer> routeAnswers;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    module = new ModuleId(modules.incrementAndGet(), 1);
    dns = testKit.createTestProbe();
    reporter = testKit.createTestProbe();
    shard = testKit.createTestProbe();
    hostAnswers = testKit.createTestProbe();
    routeAnswers = testKit.createTestProbe();
  }

  private ActorRef<LoadBalanceEntity.Command> spawn(LoadBalanceSettings settings, Duration passivateAfter) {
    return testKit.spawn(LoadBalanceEntity.create(module, shard.getRef(),
        new LoadBalanceEntity.Dependencies(settings, CALLER, passivateAfter, dns.getRef(), reporter.getRef())));
  }

  private ActorRef<LoadBalanceEntity.Command> spawn(LoadBalanceSettings settings) {
    return spawn(settings, Duration.ofMinutes(30));
  }

  private static LoadBalanceSettings settings(Duration reportInterval, Duration firstPullWait) {
    LoadBalanceSettings d = LoadBalanceSettings.defaults();
    return new LoadBalanceSettings(d.probeNum(), d.initSuccCnt(), d.initErrCnt(), d.errRate(), d.succRate(),
        d.continErrLimit(), d.continSuccLimit(), d.windowErrRate(), d.idleTimeout(), d.overloadTimeout(),
        d.updateTimeout(), reportInterval, firstPullWait, d.timecostUnit());
  }

  @Test
  void unknownModuleIsPulledAndHeldRequestsAreAnsweredWhenTheRouteArrives() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1), Duration.ofSeconds(3)));
    entity.tell(new LoadBalanceEntity.GetHost(1, hostAnswers.getRef()));
    entity.tell(new LoadBalanceEntity.GetRoute(2, routeAnswers.getRef()));
    entity.tell(new LoadBalanceEntity.GetHost(3, hostAnswers.getRef()));
    assertEquals(new DnsClient.Pull(module), dns.expectMessageClass(DnsClient.Pull.class));
    hostAnswers.expectNoMessage(Duration.ofMillis(100));

    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H2, H1)));
    assertEquals(new LoadBalanceEntity.HostAnswer(1, module, RetCode.SUCC, H1, entity), hostAnswers.receiveMessage());
    assertEquals(new LoadBalanceEntity.RouteAnswer(2, module, List.of(H1, H2)), routeAnswers.receiveMessage());
    assertEquals(new LoadBalanceEntity.HostAnswer(3, module, RetCode.SUCC, H2, entity), hostAnswers.receiveMessage());
    dns.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void unknownModuleAnswersNoexistWhenNoRouteArrivesWithinTheFirstPullWait() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1), Duration.ofMillis(300)));
    long start = System.nanoTime();
    entity.tell(new LoadBalanceEntity.GetHost(7, hostAnswers.getRef()));
    dns.expectMessage(new DnsClient.Pull(module));
    LoadBalanceEntity.HostAnswer answer = hostAnswers.receiveMessage(Duration.ofSeconds(3));
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos(), "answered before the wait was over");
    assertEquals(new LoadBalanceEntity.HostAnswer(7, module, RetCode.NOEXIST, null, entity), answer);

    // A known-but-empty route answers NOEXIST at once.
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of()));
    entity.tell(new LoadBalanceEntity.GetHost(8, hostAnswers.getRef()));
    assertEquals(RetCode.NOEXIST, hostAnswers.receiveMessage(Duration.ofMillis(200)).retCode());
  }

  @Test
  void statisticsAreSentOncePerIntervalAndOnlyWhenSomethingChanged() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofMillis(200), Duration.ofMillis(100)));
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1, H2)));
    reporter.expectNoMessage(Duration.ofMillis(400));

    for (int i = 0; i < 5; i++) {
      entity.tell(new LoadBalanceEntity.Report(H1, 0, 0));
    }
    entity.tell(new LoadBalanceEntity.Report(H2, 1, 0));
    ReportStatusReq first = reporter.expectMessageClass(ReporterClient.Statistics.class).request();
    assertEquals(module.modid(), first.getModid());
    assertEquals(module.cmdid(), first.getCmdid());
    assertEquals(CALLER, first.getCaller());
    long now = System.currentTimeMillis() / 1000;
    assertTrue(Math.abs(now - Integer.toUnsignedLong(first.getTs())) <= 2, "ts is unix seconds: " + first.getTs());
    assertEquals(List.of(result(H1, 5, 0, false), result(H2, 0, 1, false)), first.getResultsList());
    reporter.expectNoMessage(Duration.ofMillis(500));

    entity.tell(new LoadBalanceEntity.Report(H2, 0, 0));
    ReportStatusReq second = reporter.expectMessageClass(ReporterClient.Statistics.class).request();
    assertEquals(List.of(result(H1, 5, 0, false), result(H2, 1, 1, false)), second.getResultsList());
    reporter.expectNoMessage(Duration.ofMillis(400));
  }

  private static HostCallResult result(Host host, int succ, int err, boolean overload) {
    return HostCallResult.newBuilder().setIp(host.ip()).setPort(host.port()).setSucc(succ).setErr(err)
        .setOverload(overload).build();
  }

  @Test
  void dnsReconnectedEndsAnOutstandingPullSoTheModuleIsPulledAgain() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1), Duration.ofMillis(50)));
    entity.tell(new LoadBalanceEntity.GetHost(1, hostAnswers.getRef()));
    dns.expectMessage(new DnsClient.Pull(module));
    assertEquals(RetCode.NOEXIST, hostAnswers.receiveMessage().retCode());

    // Still PULLING: another request does not pull again.
    entity.tell(new LoadBalanceEntity.GetHost(2, hostAnswers.getRef()));
    assertEquals(RetCode.NOEXIST, hostAnswers.receiveMessage().retCode());
    dns.expectNoMessage(Duration.ofMillis(100));

    entity.tell(new LoadBalanceEntity.DnsReconnected());
    entity.tell(new LoadBalanceEntity.GetHost(3, hostAnswers.getRef()));
    dns.expectMessage(new DnsClient.Pull(module));
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1)));
    assertEquals(new LoadBalanceEntity.HostAnswer(3, module, RetCode.SUCC, H1, entity), hostAnswers.receiveMessage());
  }

  @Test
  void getStateReturnsTheSnapshotWithOverloadedHosts() {
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1), Duration.ofMillis(100)));
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1, H2)));
    for (int i = 0; i < 30; i++) {
      entity.tell(new LoadBalanceEntity.Report(H1, 1, 0));
    }
    TestProbe<LoadBalance.Snapshot> state = testKit.createTestProbe();
    entity.tell(new LoadBalanceEntity.GetState(state.getRef()));
    LoadBalance.Snapshot snapshot = state.receiveMessage();
    assertEquals(module, snapshot.module());
    assertTrue(snapshot.routeKnown());
    assertEquals(List.of(H2), snapshot.idle().stream().map(LoadBalance.HostSnapshot::host).toList());
    assertEquals(List.of(H1), snapshot.overload().stream().map(LoadBalance.HostSnapshot::host).toList());
    assertEquals(LoadBalance.PullStatus.NEW, snapshot.pullStatus());

    // With H1 overloaded, get_host picks H2 until the probe turn.
    for (int i = 0; i < LoadBalanceSettings.defaults().probeNum(); i++) {
      entity.tell(new LoadBalanceEntity.GetHost(i, hostAnswers.getRef()));
      assertEquals(H2, hostAnswers.receiveMessage().host());
    }
    entity.tell(new LoadBalanceEntity.GetHost(99, hostAnswers.getRef()));
    assertEquals(H1, hostAnswers.receiveMessage().host());
  }

  @Test
  void idleEntityAsksItsShardToPassivateIt() {
    ActorRef<LoadBalanceEntity.Command> entity =
        spawn(settings(Duration.ofSeconds(1), Duration.ofMillis(100)), Duration.ofMillis(300));
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1)));
    ClusterSharding.Passivate<?> passivate = shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(3));
    assertEquals(entity, passivate.entity());
  }

  @Test
  void crossNodeMessagesSurviveJacksonCbor() {
    var serialization = testKit.serializationTestKit();
    serialization.verifySerialization(new LoadBalanceEntity.GetHost(5, hostAnswers.getRef()), true);
    ActorRef<LoadBalanceEntity.Command> someEntity = testKit.<LoadBalanceEntity.Command>createTestProbe().getRef();
    serialization.verifySerialization(new LoadBalanceEntity.HostAnswer(5, module, RetCode.SUCC, H1, someEntity), true);
    LoadBalanceEntity.HostAnswer noHost =
        serialization.verifySerialization(new LoadBalanceEntity.HostAnswer(6, module, RetCode.NOEXIST, null, null), true);
    assertNull(noHost.host());
    serialization.verifySerialization(new LoadBalanceEntity.GetRoute(5, routeAnswers.getRef()), true);
    serialization.verifySerialization(new LoadBalanceEntity.RouteAnswer(5, module, List.of(H1, H2)), true);
    serialization.verifySerialization(new LoadBalanceEntity.Report(H1, 1, 300), true);
    serialization.verifySerialization(new LoadBalanceEntity.RoutesUpdated(List.of(H1)), true);
    serialization.verifySerialization(new LoadBalanceEntity.DnsReconnected(), true);
    TestProbe<LoadBalance.Snapshot> state = testKit.createTestProbe();
    serialization.verifySerialization(new LoadBalanceEntity.GetState(state.getRef()), true);
    ActorRef<LoadBalanceEntity.Command> entity = spawn(settings(Duration.ofSeconds(1), Duration.ofMillis(100)));
    entity.tell(new LoadBalanceEntity.RoutesUpdated(List.of(H1, H2)));
    entity.tell(new LoadBalanceEntity.Report(H1, 1, 0));
    entity.tell(new LoadBalanceEntity.GetState(state.getRef()));
    LoadBalance.Snapshot snapshot = state.receiveMessage();
    assertFalse(snapshot.idle().isEmpty());
    serialization.verifySerialization(snapshot, true);
  }
}
