package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
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
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentEndpointTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "akka.actor.provider = local").withFallback(ConfigFactory.load()));
  private static final Duration ASK_TIMEOUT = Duration.ofMillis(300);
  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Host H2 = Host.of("10.0.0.2", 7002);

  private static TestProbe<LoadBalanceEntity.Command> entity;
  private static TestProbe<ModuleId> modules;
  private static InetSocketAddress agent;
  private static AgentStats stats;

  @BeforeAll
  static void start() throws Exception {
    entity = testKit.createTestProbe();
    modules = testKit.createTestProbe();
    stats = AgentStats.get(testKit.system());
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    testKit.spawn(AgentEndpoint.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bound,
        module -> {
          modules.getRef().tell(module);
          return entity.getRef();
        }, ASK_TIMEOUT, stats));
    agent = bound.get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void getHostGoesToTheModulesEntityAndTheAnswerEchoesSeq() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      CompletableFuture<GetHostResponse> response =
          CompletableFuture.supplyAsync(() -> client.getHost(agent, 0xfffffff0, 11, 22));
      LoadBalanceEntity.GetHost request = entity.expectMessageClass(LoadBalanceEntity.GetHost.class);
      assertEquals(new ModuleId(11, 22), modules.receiveMessage());
      request.replyTo().tell(new LoadBalanceEntity.HostAnswer(request.requestId(), new ModuleId(11, 22), RetCode.SUCC, H2, null));
      GetHostResponse answer = response.join();
      assertEquals(0xfffffff0, answer.getSeq());
      assertEquals(11, answer.getModid());
      assertEquals(22, answer.getCmdid());
      assertEquals(RetCode.SUCC.code(), answer.getRetcode());
      assertEquals(H2, Host.of(answer.getHost()));
    }
  }

  @Test
  void onceAnEntityAnsweredItIsAddressedDirectlyUntilItStops() {
    TestProbe<LoadBalanceEntity.Command> direct = testKit.createTestProbe();
    ModuleId module = new ModuleId(12, 34);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      CompletableFuture<GetHostResponse> first = CompletableFuture.supplyAsync(() -> client.getHost(agent, 1, 12, 34));
      LoadBalanceEntity.GetHost viaRegion = entity.expectMessageClass(LoadBalanceEntity.GetHost.class);
      assertEquals(module, modules.receiveMessage());
      viaRegion.replyTo().tell(new LoadBalanceEntity.HostAnswer(viaRegion.requestId(), module, RetCode.SUCC, H1,
          direct.getRef()));
      assertEquals(RetCode.SUCC.code(), first.join().getRetcode());

      client.report(agent, 12, 34, H1, 0, 0);
      assertEquals(new LoadBalanceEntity.Report(H1, 0, 0), direct.expectMessageClass(LoadBalanceEntity.Report.class));
      CompletableFuture<GetHostResponse> second = CompletableFuture.supplyAsync(() -> client.getHost(agent, 2, 12, 34));
      LoadBalanceEntity.GetHost viaDirect = direct.expectMessageClass(LoadBalanceEntity.GetHost.class);
      viaDirect.replyTo().tell(new LoadBalanceEntity.HostAnswer(viaDirect.requestId(), module, RetCode.SUCC, H2,
          direct.getRef()));
      assertEquals(H2, Host.of(second.join().getHost()));
      entity.expectNoMessage(Duration.ofMillis(50));
      modules.expectNoMessage(Duration.ofMillis(1));

      direct.stop();
      probeAwait(() -> {
        client.report(agent, 12, 34, H2, 0, 0);
        assertEquals(new LoadBalanceEntity.Report(H2, 0, 0),
            entity.expectMessageClass(LoadBalanceEntity.Report.class, Duration.ofMillis(200)));
        return true;
      });
      modules.receiveMessage();
    }
  }

  private static void probeAwait(akka.japi.function.Creator<Boolean> assertion) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), Duration.ofMillis(20), assertion);
  }

  @Test
  void reportIsToldToTheEntityWithoutAnswer() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofMillis(300))) {
      long before = stats.reportRequests();
      client.report(agent, 3, 4, H1, 1, 250);
      assertEquals(new LoadBalanceEntity.Report(H1, 1, 250), entity.expectMessageClass(LoadBalanceEntity.Report.class));
      assertEquals(new ModuleId(3, 4), modules.receiveMessage());
      assertTrue(client.receive().isEmpty(), "a report has no answer");
      assertEquals(before + 1, stats.reportRequests());
    }
  }

  @Test
  void apiGetRouteIsAnsweredWithEveryHost() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      CompletableFuture<GetRouteResponse> response = CompletableFuture.supplyAsync(() -> client.getRoute(agent, 5, 6));
      LoadBalanceEntity.GetRoute request = entity.expectMessageClass(LoadBalanceEntity.GetRoute.class);
      modules.receiveMessage();
      request.replyTo().tell(new LoadBalanceEntity.RouteAnswer(request.requestId(), new ModuleId(5, 6), List.of(H1, H2)));
      GetRouteResponse answer = response.join();
      assertEquals(5, answer.getModid());
      assertEquals(6, answer.getCmdid());
      assertEquals(List.of(H1, H2), answer.getHostList().stream().map(Host::of).toList());
    }
  }

  @Test
  void unansweredRequestsGetSystemErrorAfterTheAskTimeoutAndLateAnswersAreDropped() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      long timeouts = stats.timeouts();
      long start = System.nanoTime();
      CompletableFuture<GetHostResponse> response = CompletableFuture.supplyAsync(() -> client.getHost(agent, 9, 7, 8));
      LoadBalanceEntity.GetHost request = entity.expectMessageClass(LoadBalanceEntity.GetHost.class);
      modules.receiveMessage();
      GetHostResponse answer = response.join();
      assertTrue(System.nanoTime() - start >= ASK_TIMEOUT.toNanos(), "answered before the ask timeout");
      assertEquals(9, answer.getSeq());
      assertEquals(7, answer.getModid());
      assertEquals(RetCode.SYSTEM_ERROR.code(), answer.getRetcode());
      assertFalse(answer.hasHost());
      assertEquals(timeouts + 1, stats.timeouts());

      request.replyTo().tell(new LoadBalanceEntity.HostAnswer(request.requestId(), new ModuleId(7, 8), RetCode.SUCC, H1, null));
      CompletableFuture<GetRouteResponse> route = CompletableFuture.supplyAsync(() -> client.getRoute(agent, 7, 8));
      entity.expectMessageClass(LoadBalanceEntity.GetRoute.class);
      modules.receiveMessage();
      // The next datagram is the empty route of the timed-out route request, not the late host answer.
      assertEquals(0, route.join().getHostCount());
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
      entity.expectNoMessage(Duration.ofMillis(100));
      assertEquals(badFrames + 1, stats.udp().datagramsDropped());
      assertEquals(dropped + 3, stats.droppedDatagrams());

      // The endpoint still works.
      CompletableFuture<GetHostResponse> response = CompletableFuture.supplyAsync(() -> client.getHost(agent, 1, 1, 1));
      LoadBalanceEntity.GetHost request = entity.expectMessageClass(LoadBalanceEntity.GetHost.class);
      modules.receiveMessage();
      request.replyTo().tell(new LoadBalanceEntity.HostAnswer(request.requestId(), new ModuleId(1, 1), RetCode.OVERLOAD, null, null));
      assertEquals(RetCode.OVERLOAD.code(), response.join().getRetcode());
    }
  }

  @Test
  void requestsWithDefaultFieldsAreServedToo() {
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      // seq 0, modid 0, cmdid 0: proto3 leaves them off the wire, an empty body is a valid request.
      client.send(agent, MessageId.GET_HOST_REQUEST, GetHostRequest.getDefaultInstance());
      LoadBalanceEntity.GetHost request = entity.expectMessageClass(LoadBalanceEntity.GetHost.class);
      assertEquals(new ModuleId(0, 0), modules.receiveMessage());
      request.replyTo().tell(new LoadBalanceEntity.HostAnswer(request.requestId(), new ModuleId(0, 0), RetCode.NOEXIST, null, null));
      GetHostResponse answer = client.receive().orElseThrow().decode(GetHostResponse.class);
      assertEquals(RetCode.NOEXIST.code(), answer.getRetcode());
      client.send(agent, MessageId.API_GET_ROUTE_REQUEST, GetRouteRequest.getDefaultInstance());
      LoadBalanceEntity.GetRoute route = entity.expectMessageClass(LoadBalanceEntity.GetRoute.class);
      modules.receiveMessage();
      route.replyTo().tell(new LoadBalanceEntity.RouteAnswer(route.requestId(), new ModuleId(0, 0), List.of()));
      assertEquals(MessageId.API_GET_ROUTE_RESPONSE.id(), client.receive().orElseThrow().msgId());
    }
  }
}
