package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One agent UDP port (stream stage and its restart keeper) against a fake node-views actor and a
 * fake entity: answers from views without asking anyone, bounded waiting, report batches, the
 * oversize route (issue 19 item 4), bad input.
 */
class AgentPortTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      akka.actor.provider = local
      lars.agent.ask-timeout = 400ms
      lars.agent.max-waiting-requests = 50
      lars.agent.report-batch-interval = 20ms
      """).withFallback(ConfigFactory.load()));
  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Host H2 = Host.of("10.0.0.2", 7002);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static TestProbe<NodeViews.Command> views;
  private static TestProbe<LoadBalanceEntity.Command> entity;
  private static NodeViews.Port port;
  private static InetSocketAddress agent;
  private static AgentStats stats;

  @BeforeAll
  static void start() throws Exception {
    views = testKit.createTestProbe();
    entity = testKit.createTestProbe();
    stats = AgentStats.get(testKit.system());
    AgentSettings settings = AgentSettings.fromConfig(testKit.system().settings().config());
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    testKit.spawn(AgentPort.create(settings, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bound,
        views.getRef(), module -> entity.getRef(), stats));
    agent = bound.get(10, TimeUnit.SECONDS);
    port = views.expectMessageClass(NodeViews.AddPort.class, WAIT).port();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * Waits for the port's {@code Need} of a module. Needs of other modules are skipped: a test that
   * hands a view and asks at once may have asked just before the view applied, and its Need then
   * reaches the shared probe late.
   */
  private static void expectNeed(ModuleId module) {
    views.fishForMessage(WAIT, message -> {
      if (message.equals(new NodeViews.Need(module))) {
        return FishingOutcomes.complete();
      }
      return message instanceof NodeViews.Need ? FishingOutcomes.continueAndIgnore()
          : FishingOutcomes.fail("expected Need of " + module + ", got " + message);
    });
  }

  private static ModuleView view(ModuleId module, List<Host> hosts, List<Host> overloaded) {
    return new ModuleView(module, 1, true, hosts, overloaded);
  }

  @Test
  void aRequestWaitsForTheFirstViewThenRequestsAreAnsweredFromTheViewAlone() {
    ModuleId module = new ModuleId(11, 22);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      CompletableFuture<GetHostResponse> first =
          CompletableFuture.supplyAsync(() -> client.getHost(agent, 0xfffffff0, 11, 22));
      expectNeed(module);
      port.view(view(module, List.of(H1, H2), List.of()));
      GetHostResponse answer = first.join();
      assertEquals(0xfffffff0, answer.getSeq());
      assertEquals(11, answer.getModid());
      assertEquals(22, answer.getCmdid());
      assertEquals(RetCode.SUCC.code(), answer.getRetcode());
      assertEquals(H1, Host.of(answer.getHost()));
      // From now on answered at once, rotating, with nobody asked.
      assertEquals(H2, Host.of(client.getHost(agent, 2, 11, 22).getHost()));
      assertEquals(H1, Host.of(client.getHost(agent, 3, 11, 22).getHost()));
      views.expectNoMessage(Duration.ofMillis(50));
      entity.expectNoMessage(Duration.ofMillis(1));

      // A new view (H1 overloaded) is used at once: H2 until the probe turn.
      port.view(view(module, List.of(H1, H2), List.of(H1)));
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        assertEquals(H2, Host.of(client.getHost(agent, 4, 11, 22).getHost()));
        return true;
      });
      assertEquals(List.of(H1, H2), client.getRoute(agent, 11, 22).getHostList().stream().map(Host::of).toList());
    }
  }

  @Test
  void reportsGoToTheEntityAsOneBatchInOrderAndReportsOfModulesWithoutViewAreDropped() {
    ModuleId module = new ModuleId(3, 4);
    port.view(view(module, List.of(H1, H2), List.of()));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofMillis(300))) {
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        assertEquals(RetCode.SUCC.code(), client.getHost(agent, 1, 3, 4).getRetcode());
        return true;
      });
      long dropped = stats.reportsDropped();
      client.report(agent, 3, 4, H1, 1, 250);
      client.report(agent, 3, 4, H2, 0, 10);
      client.report(agent, 3, 4, H1, 0, 20);
      client.report(agent, 99, 99, H1, 0, 20);
      List<LoadBalanceEntity.ReportItem> items = new ArrayList<>();
      while (items.size() < 3) {
        LoadBalanceEntity.ReportBatch batch = entity.expectMessageClass(LoadBalanceEntity.ReportBatch.class, WAIT);
        assertEquals(views.getRef(), batch.node());
        items.addAll(batch.items());
      }
      assertEquals(List.of(new LoadBalanceEntity.ReportItem(H1, 1, 250), new LoadBalanceEntity.ReportItem(H2, 0, 10),
          new LoadBalanceEntity.ReportItem(H1, 0, 20)), items);
      assertTrue(client.receive().isEmpty(), "a report has no answer");
      entity.expectNoMessage(Duration.ofMillis(100));
      assertEquals(dropped + 1, stats.reportsDropped());
    }
  }

  @Test
  void anUnknownModuleIsNoexistAndAnUnansweredOneSystemErrorAfterTheAskTimeout() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      CompletableFuture<GetHostResponse> unknown = CompletableFuture.supplyAsync(() -> client.getHost(agent, 5, 5, 6));
      expectNeed(new ModuleId(5, 6));
      port.unknown(new ModuleId(5, 6));
      assertEquals(RetCode.NOEXIST.code(), unknown.join().getRetcode());

      long timeouts = stats.timeouts();
      GetHostResponse late = client.getHost(agent, 9, 7, 8);
      assertEquals(9, late.getSeq());
      assertEquals(RetCode.SYSTEM_ERROR.code(), late.getRetcode());
      assertFalse(late.hasHost());
      assertEquals(timeouts + 1, stats.timeouts());
      expectNeed(new ModuleId(7, 8));
    }
  }

  @Test
  void aBurstForAModuleWithoutViewIsBoundedAndTheExcessAnsweredSystemErrorAtOnce() {
    int burst = 2_000;
    ModuleId module = new ModuleId(77, 1);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      long rejected = stats.waitingRejected();
      long systemErrors = stats.getHostAnswers(RetCode.SYSTEM_ERROR);
      for (int i = 0; i < burst; i++) {
        client.send(agent, MessageId.GET_HOST_REQUEST,
            GetHostRequest.newBuilder().setSeq(i).setModid(77).setCmdid(1).build());
      }
      expectNeed(module);
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        // Datagrams may be lost in socket buffers, but what arrived beyond 50 is rejected.
        assertTrue(stats.waitingRejected() - rejected >= 1, "some requests were rejected");
        return true;
      });
      // The 50 that waited get SYSTEM_ERROR after the ask timeout; all answers are counted.
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        long answered = stats.getHostAnswers(RetCode.SYSTEM_ERROR) - systemErrors;
        assertEquals(stats.waitingRejected() - rejected + 50, answered);
        return true;
      });
    }
    // The port still serves (a new client: the old one's socket holds the burst's answers).
    port.view(view(module, List.of(H1), List.of()));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        assertEquals(RetCode.SUCC.code(), client.getHost(agent, 1, 77, 1).getRetcode());
        return true;
      });
    }
  }

  @Test
  void aRouteLargerThanADatagramIsCutToAValidAnswerAndThePortGoesOn() {
    ModuleId module = new ModuleId(40, 94);
    List<Host> hosts = new ArrayList<>();
    for (int i = 0; i < 4_094; i++) {
      hosts.add(Host.of("192.168." + (i / 250) + "." + (i % 250 + 1), 10_000 + i));
    }
    port.view(view(module, hosts, List.of()));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      long truncated = stats.routesTruncated();
      GetRouteResponse[] route = new GetRouteResponse[1];
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        route[0] = client.getRoute(agent, 40, 94);
        return true;
      });
      int count = route[0].getHostCount();
      assertTrue(count > 1000 && count < hosts.size(), "a cut route, got " + count);
      assertEquals(hosts.subList(0, count).stream().sorted().toList(),
          route[0].getHostList().stream().map(Host::of).toList());
      assertTrue(stats.routesTruncated() > truncated);
      assertEquals(RetCode.SUCC.code(), client.getHost(agent, 1, 40, 94).getRetcode());
    }
  }

  @Test
  void garbageIsDroppedAndCountedWithoutAnswer() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofMillis(300))) {
      long badFrames = stats.udp().datagramsDropped();
      long dropped = stats.droppedDatagrams();
      client.sendRaw(agent, new byte[] {1, 2, 3});
      client.send(agent, new Frame(99, ByteString.emptyByteString()));
      client.send(agent, new Frame(MessageId.GET_HOST_RESPONSE.id(), ByteString.emptyByteString()));
      client.send(agent, new Frame(MessageId.GET_HOST_REQUEST.id(), ByteString.fromArray(new byte[] {0x0a, 0x7f})));
      assertTrue(client.receive().isEmpty(), "garbage is never answered");
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        assertEquals(badFrames + 1, stats.udp().datagramsDropped());
        assertEquals(dropped + 3, stats.droppedDatagrams());
        return true;
      });
    }
  }

  @Test
  void requestsWithDefaultFieldsAreServedToo() {
    port.view(view(new ModuleId(0, 0), List.of(H2), List.of()));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      testKit.createTestProbe().awaitAssert(WAIT, () -> {
        // seq 0, modid 0, cmdid 0: proto3 leaves them off the wire, an empty body is a valid request.
        client.send(agent, MessageId.GET_HOST_REQUEST, GetHostRequest.getDefaultInstance());
        Optional<Frame> frame = client.receive();
        assertTrue(frame.isPresent());
        GetHostResponse answer = frame.orElseThrow().decode(GetHostResponse.class);
        assertEquals(RetCode.SUCC.code(), answer.getRetcode());
        assertEquals(H2, Host.of(answer.getHost()));
        return true;
      });
    }
  }
}
