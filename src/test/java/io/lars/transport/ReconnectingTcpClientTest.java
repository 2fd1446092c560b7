package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.util.ByteString;
import io.lars.Backoff;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.transport.ReconnectingTcpClient.Command;
import io.lars.transport.ReconnectingTcpClient.Connected;
import io.lars.transport.ReconnectingTcpClient.Disconnected;
import io.lars.transport.ReconnectingTcpClient.Event;
import io.lars.transport.ReconnectingTcpClient.Received;
import io.lars.transport.ReconnectingTcpClient.Send;
import io.lars.transport.ReconnectingTcpClient.Settings;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReconnectingTcpClientTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ReconnectingTcpClientTest", TransportTestConfig.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static TcpServer bindEchoServer(int port) throws Exception {
    MessageRouter echo = MessageRouter.builder()
        .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class,
            (c, request) -> c.send(Frame.of(MessageId.GET_ROUTE_REQUEST, request)))
        .build();
    return TcpServer.bind(testKit.system(), "echo", new TcpServer.Settings("127.0.0.1", port, 10, 100), echo)
        .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Frame route(int modid, int cmdid) {
    return Frame.of(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(modid).setCmdid(cmdid).build());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void exchangesFramesAndSurvivesAServerRestartDeliveringPendingFramesUpToTheBound() throws Exception {
    TcpServer server = bindEchoServer(0);
    int port = server.localAddress().getPort();
    TestProbe<Event> owner = testKit.createTestProbe();
    TransportStats stats = new TransportStats();
    ActorRef<Command> client = testKit.spawn(ReconnectingTcpClient.create(
        new Settings("127.0.0.1", port, Duration.ofMillis(50), Duration.ofMillis(300), 0.2, 10), owner.getRef(), stats));

    assertEquals(port, owner.expectMessageClass(Connected.class, TIMEOUT).remote().getPort());
    client.tell(new Send(route(1, 1)));
    assertEquals(new Received(route(1, 1)), owner.receiveMessage(TIMEOUT));

    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    owner.expectMessageClass(Disconnected.class, TIMEOUT);
    for (int i = 0; i < 15; i++) {
      client.tell(new Send(route(2, i)));
    }
    owner.awaitAssert(TIMEOUT, () -> {
      assertEquals(5, stats.outgoingOverflows(), "frames beyond maxPendingFrames 10");
      return null;
    });

    TcpServer restarted = bindEchoServer(port);
    owner.expectMessageClass(Connected.class, TIMEOUT);
    for (int i = 0; i < 10; i++) {
      assertEquals(new Received(route(2, i)), owner.receiveMessage(TIMEOUT), "pending frame " + i);
    }
    client.tell(new Send(route(3, 3)));
    assertEquals(new Received(route(3, 3)), owner.receiveMessage(TIMEOUT), "the first frame after the pending ones");
    assertEquals(2, stats.connectionsAccepted());
    assertEquals(1, stats.connectionsOpen());
    assertEquals(5, stats.outgoingOverflows());

    testKit.stop(client);
    owner.awaitAssert(TIMEOUT, () -> {
      assertEquals(0, restarted.stats().connectionsOpen(), "connection closed when the client stopped");
      return null;
    });
    restarted.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void retriesAClosedPortWithBackoffAndTellsDisconnectedOnce() throws Exception {
    TestProbe<Event> owner = testKit.createTestProbe();
    TransportStats stats = new TransportStats();
    long start = System.nanoTime();
    ActorRef<Command> client = testKit.spawn(ReconnectingTcpClient.create(
        new Settings("127.0.0.1", freePort(), Duration.ofMillis(100), Duration.ofMillis(400), 0.2, 10),
        owner.getRef(), stats));

    owner.expectMessageClass(Disconnected.class, TIMEOUT);
    owner.awaitAssert(TIMEOUT, () -> {
      assertTrue(stats.connectionsRejected() >= 4, "failed attempts " + stats.connectionsRejected());
      return null;
    });
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // The 4th attempt comes after waits of at least 100 + 200 + 400 ms.
    assertTrue(elapsedMs >= 700, "4 attempts in " + elapsedMs + " ms: the backoff does not grow");
    owner.expectNoMessage(Duration.ofMillis(200));
    testKit.stop(client);
  }

  @Test
  void backoffDoublesFromMinToMaxWithJitterOnTop() {
    Duration min = Duration.ofMillis(100);
    Duration max = Duration.ofSeconds(1);
    assertEquals(Duration.ofMillis(100), new Backoff(min, max, 0.5).delay(0, 0));
    assertEquals(Duration.ofMillis(800), new Backoff(min, max, 0.5).delay(3, 0));
    assertEquals(Duration.ofSeconds(1), new Backoff(min, max, 0.5).delay(4, 0));
    assertEquals(Duration.ofSeconds(1), new Backoff(min, max, 0.5).delay(1000, 0));
    assertEquals(Duration.ofMillis(150), new Backoff(min, max, 0.5).delay(0, 1.0));
  }

  @Test
  void aFrameThatBreaksTheCodecClosesTheConnectionAndTheClientReconnects() throws Exception {
    try (ServerSocket raw = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      raw.setSoTimeout((int) TIMEOUT.toMillis());
      TestProbe<Event> owner = testKit.createTestProbe();
      TransportStats stats = new TransportStats();
      ActorRef<Command> client = testKit.spawn(ReconnectingTcpClient.create(
          new Settings("127.0.0.1", raw.getLocalPort(), Duration.ofMillis(50), Duration.ofMillis(200), 0.2, 10),
          owner.getRef(), stats));
      try (Socket first = raw.accept()) {
        owner.expectMessageClass(Connected.class, TIMEOUT);
        first.getOutputStream().write(FrameCodec.encode(route(5, 5)).toArray());
        assertEquals(new Received(route(5, 5)), owner.receiveMessage(TIMEOUT));
        first.getOutputStream().write(RawTcpClient.header(2, -1));
        Disconnected disconnected = owner.expectMessageClass(Disconnected.class, TIMEOUT);
        assertTrue(disconnected.reason().contains("NEGATIVE_LENGTH"), disconnected.reason());
        first.setSoTimeout((int) TIMEOUT.toMillis());
        awaitClosedByClient(first.getInputStream());
      }
      try (Socket second = raw.accept()) {
        owner.expectMessageClass(Connected.class, TIMEOUT);
        Frame frame = new Frame(MessageId.GET_ROUTE_RESPONSE.id(), ByteString.fromArray(new byte[] {8, 1}));
        second.getOutputStream().write(FrameCodec.encode(frame).toArray());
        assertEquals(new Received(frame), owner.receiveMessage(TIMEOUT));
      }
      assertEquals(1, stats.badFrames());
      testKit.stop(client);
    }
  }

  /** Returns on EOF or reset; a SocketTimeoutException fails the test if the client keeps it open. */
  private static void awaitClosedByClient(InputStream in) throws Exception {
    try {
      while (in.read() >= 0) {
        // nothing else is sent
      }
    } catch (SocketException e) {
      // a reset is a close too
    }
  }

  @Test
  void settingsRefuseValuesOutOfRange() {
    Duration ms = Duration.ofMillis(1);
    assertThrows(IllegalArgumentException.class, () -> new Settings(" ", 1, ms, ms, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Settings("h", 0, ms, ms, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Settings("h", 1, Duration.ZERO, ms, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Settings("h", 1, ms.multipliedBy(2), ms, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Settings("h", 1, ms, ms, 1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> new Settings("h", 1, ms, ms, 0, 0));
  }
}
