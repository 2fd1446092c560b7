package io.lars.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.ReportRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** call() retries on another host, the blocking convenience, and the ClientActor protocol, against a scripted agent. */
class LarsClientScriptedAgentTest {

  private static final Host A = Host.of("10.0.0.1", 9001);
  private static final Host B = Host.of("10.0.0.2", 9002);
  private static final Host C = Host.of("10.0.0.3", 9003);

  private static ActorTestKit testKit;
  private ScriptedAgent agent;
  private LarsClient client;

  @BeforeAll
  static void startKit() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void start() throws Exception {
    agent = new ScriptedAgent().route(5, 1, A, B, C).route(6, 1, A);
    client = LarsClient.create(testKit.system(), new ClientSettings("127.0.0.1", agent.ports(), Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    agent.close();
  }

  /** The reports the agent has read; a get_route on the module's port after them proves they were read. */
  private List<ReportRequest> reportsOf(int modid) {
    client.getRoute(modid, 1).toCompletableFuture().join();
    return agent.reports().stream().filter(r -> r.getModid() == modid).toList();
  }

  private static CompletableFuture<String> failingOn(Host bad, Host h) {
    return h.equals(bad) ? CompletableFuture.failedFuture(new IllegalStateException("down: " + h))
        : CompletableFuture.completedFuture("ok from " + h);
  }

  @Test
  void idempotentCallMovesToAnotherHostAndReportsEachAttempt() throws Exception {
    List<Host> called = Collections.synchronizedList(new ArrayList<>());
    String result = client.callIdempotent(5, 1, 3, h -> {
      called.add(h);
      return failingOn(A, h);
    }).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("ok from " + B, result);
    assertEquals(List.of(A, B), called);
    List<ReportRequest> reports = reportsOf(5);
    assertEquals(List.of(A, B), reports.stream().map(r -> Host.of(r.getHost())).toList());
    assertEquals(List.of(RetCode.OVERLOAD.code(), RetCode.SUCC.code()), reports.stream().map(ReportRequest::getRetcode).toList());
  }

  @Test
  void attemptsAreBoundedAndEveryFailureIsKept() {
    CompletionException e = assertThrows(CompletionException.class, () -> client.callIdempotent(5, 1, 2,
        h -> CompletableFuture.<String>failedFuture(new IllegalStateException("down: " + h))).toCompletableFuture().join());
    assertEquals("down: " + B, e.getCause().getMessage());
    assertEquals("down: " + A, e.getCause().getSuppressed()[0].getMessage());
    assertEquals(2, reportsOf(5).size());
  }

  @Test
  void aModuleWithOneHostIsNotCalledTwice() {
    List<Host> called = Collections.synchronizedList(new ArrayList<>());
    CompletionException e = assertThrows(CompletionException.class, () -> client.callIdempotent(6, 1, 3, h -> {
      called.add(h);
      return failingOn(A, h);
    }).toCompletableFuture().join());
    assertEquals("down: " + A, e.getCause().getMessage());
    assertEquals(List.of(A), called);
    assertEquals(1, reportsOf(6).size());
  }

  @Test
  void plainCallDoesNotRetry() {
    List<Host> called = Collections.synchronizedList(new ArrayList<>());
    assertThrows(CompletionException.class, () -> client.call(5, 1, h -> {
      called.add(h);
      return failingOn(A, h);
    }).toCompletableFuture().join());
    assertEquals(List.of(A), called);
  }

  @Test
  void noHostIsATypedFailure() {
    CompletionException e = assertThrows(CompletionException.class,
        () -> client.callIdempotent(99, 1, 3, h -> CompletableFuture.completedFuture("x")).toCompletableFuture().join());
    assertEquals(RetCode.NOEXIST, assertInstanceOf(NoHostException.class, e.getCause()).retCode());
  }

  @Test
  void blockingGetHost() {
    assertEquals(new HostResult(RetCode.SUCC, A), client.getHostBlocking(6, 1));
    assertEquals(new HostResult(RetCode.NOEXIST, null), client.getHostBlocking(98, 1));
  }

  @Test
  void askPatternThroughTheClientsActor() throws Exception {
    ClientActor.Reply reply = AskPattern.<ClientActor.Command, ClientActor.Reply>ask(client.actor(),
        replyTo -> new ClientActor.GetHost(6, 1, replyTo), Duration.ofSeconds(5), testKit.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(new ClientActor.HostReply(new HostResult(RetCode.SUCC, A)), reply);
  }

  @Test
  void aClientActorOfItsOwnAnswersRoutesAndFailsOnSilence() throws Exception {
    ActorRef<ClientActor.Command> actor = testKit.spawn(ClientActor.create(
        new ClientSettings("127.0.0.1", agent.ports(), Duration.ofSeconds(1))));
    TestProbe<ClientActor.Reply> probe = testKit.createTestProbe();
    actor.tell(new ClientActor.GetRoute(5, 1, probe.ref()));
    assertEquals(List.of(A, B, C), probe.expectMessageClass(ClientActor.RouteReply.class).result().hosts());
    actor.tell(new ClientActor.Report(5, 1, C, 1, 30));
    // the actor sends in message order on one socket, and the agent reads a port in order
    actor.tell(new ClientActor.GetRoute(5, 1, probe.ref()));
    probe.expectMessageClass(ClientActor.RouteReply.class);
    assertEquals(List.of(C), agent.reports().stream().map(r -> Host.of(r.getHost())).toList());
    assertEquals(30, agent.reports().get(0).getTimecostMs());
    agent.silent();
    actor.tell(new ClientActor.GetHost(5, 1, probe.ref()));
    ClientActor.Failed failed = probe.expectMessageClass(ClientActor.Failed.class, Duration.ofSeconds(10));
    assertInstanceOf(LarsTimeoutException.class, failed.error());
    actor.tell(ClientActor.Stop.INSTANCE);
    probe.expectTerminated(actor, Duration.ofSeconds(5));
  }

  @Test
  void actorNeedsAnActorSystem() throws Exception {
    try (LarsClient plain = LarsClient.create(new ClientSettings("127.0.0.1", agent.ports(), Duration.ofSeconds(1)))) {
      assertSame(IllegalStateException.class, assertThrows(IllegalStateException.class, plain::actor).getClass());
    }
  }
}
