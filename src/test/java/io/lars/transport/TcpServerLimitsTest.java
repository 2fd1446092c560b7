package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetRouteRequest;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The listener limits of issue 19: allow-list (item 14), outgoing bytes (item 3), idle timeout,
 * per-address limit and reserved connections (item 8), accept pause (item 9), throttled logs
 * (item 11). Small limits and short timeouts; no assertion on how long anything took.
 */
class TcpServerLimitsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("TcpServerLimitsTest", TransportTestConfig.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Echoes GetRouteRequests and keeps each connection by its peer port. */
  private static final class Echo {
    final Map<Integer, Connection> byPeerPort = new ConcurrentHashMap<>();

    MessageRouter router() {
      return MessageRouter.builder()
          .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class,
              (c, request) -> c.send(Frame.of(MessageId.GET_ROUTE_REQUEST, request)))
          .onConnect(c -> byPeerPort.put(c.peer().getPort(), c))
          .build();
    }

    Connection awaitConnection(RawTcpClient client) {
      return testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        Connection c = byPeerPort.get(client.localPort());
        assertTrue(c != null, "connection of port " + client.localPort() + " not seen yet");
        return c;
      });
    }
  }

  private static TcpServer bind(TcpServer.Settings settings, MessageRouter router) throws Exception {
    return bind(settings, router, DescriptorBudget.ofProcess());
  }

  private static TcpServer bind(TcpServer.Settings settings, MessageRouter router, DescriptorBudget budget)
      throws Exception {
    return TcpServer.bind(testKit.system(), "limits", settings, router, budget).toCompletableFuture()
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void unbind(TcpServer server) throws Exception {
    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Frame route(int modid) {
    return Frame.of(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(modid).setCmdid(1).build());
  }

  private static Frame echo(RawTcpClient client, Frame frame) throws IOException {
    client.write(frame);
    return client.readFrame();
  }

  private static TcpServer.Settings settings(int maxConnections) {
    return new TcpServer.Settings("127.0.0.1", 0, maxConnections, 1024);
  }

  // --- item 14: allow-list

  @Test
  void anAllowListWithoutLoopbackClosesLoopbackConnectionsAndCountsThem() throws Exception {
    Echo echo = new Echo();
    TcpServer server = bind(settings(10).withAllow(AddressFilter.parse(List.of("10.0.0.0/8", "fd00::/8"))),
        echo.router());
    for (int i = 0; i < 3; i++) {
      try (RawTcpClient client = new RawTcpClient(server.localAddress())) {
        client.write(route(1));
        client.awaitClosedByServer();
      }
    }
    awaitEquals(3, () -> server.stats().connectionsNotAllowed());
    assertEquals(3, server.stats().connectionsRejected());
    assertEquals(0, server.stats().connectionsAccepted());
    assertTrue(echo.byPeerPort.isEmpty(), "the router never saw a refused connection");
    unbind(server);
  }

  @Test
  void theDefaultAllowListServesLoopbackAndAnyAllowListWarnsOnceAtStart() throws Exception {
    TcpServer server = bind(settings(10), new Echo().router());
    try (RawTcpClient client = new RawTcpClient(server.localAddress())) {
      assertEquals(route(1), echo(client, route(1)));
    }
    unbind(server);
    TcpServer open = LoggingTestKit.warn("lets any address connect").expect(testKit.system(), () -> {
      try {
        return bind(settings(10).withAllow(AddressFilter.parse(List.of("0.0.0.0/0"))), new Echo().router());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    unbind(open);
  }

  // --- item 8: per-address limit, reserved connections, idle timeout

  @Test
  void oneAddressCannotTakeMoreThanItsShareNorTheReservedConnections() throws Exception {
    TcpServer server = bind(settings(4).withAddressLimits(2, 1), new Echo().router());
    List<RawTcpClient> open = new ArrayList<>();
    open.add(new RawTcpClient(server.localAddress()));
    open.add(new RawTcpClient(server.localAddress()));
    for (RawTcpClient c : open) {
      assertEquals(route(1), echo(c, route(1)));
    }
    try (RawTcpClient third = new RawTcpClient(server.localAddress())) {
      third.awaitClosedByServer();
    }
    awaitEquals(1, () -> server.stats().connectionsOverAddressLimit());

    // Another loopback address: one more fills the shared slots, then only new addresses get the reserved one.
    try (Socket second = connectFrom("127.0.0.2", server);
        Socket secondAgain = connectFrom("127.0.0.2", server);
        Socket third = connectFrom("127.0.0.3", server)) {
      assertEquals(route(2), echo(second, route(2)));
      assertClosedByServer(secondAgain);
      awaitEquals(2, () -> server.stats().connectionsOverAddressLimit()); // 127.0.0.2 may not use the reserved slot
      assertEquals(route(3), echo(third, route(3)), "a new address gets the reserved slot");
      assertEquals(4, server.stats().connectionsOpen());
    }
    for (RawTcpClient c : open) {
      c.close();
    }
    unbind(server);
  }

  @Test
  void aConnectionWithoutACompleteFrameIsClosedWhileASubscribedOneStaysOpen() throws Exception {
    TcpServer server = bind(settings(10).withIdleTimeout(Duration.ofMillis(300), TcpServer.IdleRule.UNTIL_FIRST_FRAME),
        new Echo().router());
    try (RawTcpClient subscribed = new RawTcpClient(server.localAddress());
        RawTcpClient silent = new RawTcpClient(server.localAddress());
        RawTcpClient slowloris = new RawTcpClient(server.localAddress())) {
      assertEquals(route(1), echo(subscribed, route(1)));
      slowloris.write(RawTcpClient.header(1, 4)); // a header and never the body
      silent.awaitClosedByServer();
      slowloris.awaitClosedByServer();
      awaitEquals(2, () -> server.stats().connectionsIdleClosed());
      // Both idle ones were closed after the timeout, counted from a connect later than the subscriber's.
      assertEquals(route(2), echo(subscribed, route(2)), "the subscribed connection is still served");
      awaitEquals(1, () -> server.stats().connectionsOpen());
    }
    unbind(server);
  }

  @Test
  void betweenFramesTheTimeoutAlsoClosesAConnectionThatStoppedSending() throws Exception {
    TcpServer server = bind(settings(10).withIdleTimeout(Duration.ofMillis(300), TcpServer.IdleRule.BETWEEN_FRAMES),
        new Echo().router());
    try (RawTcpClient client = new RawTcpClient(server.localAddress())) {
      assertEquals(route(1), echo(client, route(1)));
      client.awaitClosedByServer();
    }
    awaitEquals(1, () -> server.stats().connectionsIdleClosed());
    unbind(server);
  }

  // --- item 3: outgoing bytes

  @Test
  void clientsThatNeverReadAreClosedWithinTheByteBoundsAndAReaderIsUnaffected() throws Exception {
    long perConnection = 512 * 1024;
    long total = 1024 * 1024;
    Echo echo = new Echo();
    TcpServer server = bind(settings(20).withOutgoingBytes(perConnection, total), echo.router());
    List<RawTcpClient> nonReaders = new ArrayList<>();
    List<Connection> toNonReaders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RawTcpClient c = new RawTcpClient(server.localAddress());
      nonReaders.add(c);
      toNonReaders.add(echo.awaitConnection(c));
    }
    RawTcpClient reader = new RawTcpClient(server.localAddress());
    Frame push = new Frame(MessageId.GET_ROUTE_RESPONSE.id(), ByteString.fromArray(new byte[60_000]));
    long maxQueued = 0;
    int open = toNonReaders.size();
    boolean[] closed = new boolean[open];
    for (int round = 0; open > 0 && round < 20_000; round++) {
      for (int i = 0; i < toNonReaders.size(); i++) {
        if (!closed[i] && !toNonReaders.get(i).send(push)) {
          closed[i] = true;
          open--;
        }
        maxQueued = Math.max(maxQueued, server.stats().outgoingBytesQueued());
      }
    }
    assertEquals(0, open, "every non-reader was closed as too slow");
    assertTrue(maxQueued <= total, "queued " + maxQueued + " bytes, above the total bound " + total);
    assertEquals(toNonReaders.size(), server.stats().outgoingOverflows());
    for (RawTcpClient c : nonReaders) {
      c.awaitClosedByServer();
      c.close();
    }
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals(0, server.stats().outgoingBytesQueued(), "bytes of closed connections are given back");
      return null;
    });
    assertEquals(route(9), echo(reader, route(9)), "a reading client is still served");
    reader.close();
    unbind(server);
  }

  // --- item 9: accept pause

  @Test
  void acceptingPausesWhileFileDescriptorsRunLowAndResumesAfter() throws Exception {
    AtomicLong open = new AtomicLong(1000);
    DescriptorBudget budget = new DescriptorBudget(open::get, () -> 1000);
    TcpServer server = bind(settings(10), new Echo().router(), budget);
    try (RawTcpClient first = new RawTcpClient(server.localAddress())) {
      assertEquals(route(1), echo(first, route(1)), "the connection pulled before the check is served");
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertTrue(server.stats().acceptPauses() >= 1, "accepting paused");
        return null;
      });
      try (RawTcpClient second = new RawTcpClient(server.localAddress())) {
        second.write(route(2)); // the kernel completes the handshake; the server does not accept yet
        assertEquals(1, server.stats().connectionsAccepted(), "nothing accepted while paused");
        open.set(10);
        assertEquals(route(2), second.readFrame(), "accepted once descriptors are free again");
      }
    }
    unbind(server);
  }

  @Test
  void maxConnectionsWithoutHeadroomBelowTheDescriptorLimitIsWarnedAbout() {
    DescriptorBudget budget = new DescriptorBudget(() -> 100, () -> 1024);
    assertTrue(budget.warningFor("lars.dns", 10_000).orElseThrow().contains("1024"));
    assertTrue(budget.warningFor("lars.dns", 1024 - (int) DescriptorBudget.RESERVED).isEmpty());
    assertTrue(new DescriptorBudget(() -> -1, () -> -1).warningFor("lars.dns", 10_000).isEmpty(), "unknown limit");
    assertTrue(budget.hasHeadroom());
    assertFalse(new DescriptorBudget(() -> 1024 - DescriptorBudget.RESERVED, () -> 1024).hasHeadroom());
  }

  // --- item 11: one log line per cause per interval

  @Test
  void manyBadConnectionsLogOneLine() throws Exception {
    TcpServer server = bind(settings(50), new Echo().router());
    LoggingTestKit.warn("bad input").withOccurrences(1).expect(testKit.system(), () -> {
      for (int i = 0; i < 20; i++) {
        try (RawTcpClient garbage = new RawTcpClient(server.localAddress())) {
          garbage.write(RawTcpClient.header(1, -1));
          garbage.awaitClosedByServer();
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertEquals(20, server.stats().badFrames());
        return null;
      });
      return null;
    });
    unbind(server);
  }

  private static void awaitEquals(long expected, java.util.function.LongSupplier actual) {
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals(expected, actual.getAsLong());
      return null;
    });
  }

  private static Socket connectFrom(String local, TcpServer server) throws IOException {
    Socket s = new Socket();
    s.setSoTimeout(10_000);
    s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
    s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 5_000);
    return s;
  }

  private static Frame echo(Socket socket, Frame frame) throws IOException {
    socket.getOutputStream().write(io.lars.protocol.FrameCodec.encode(frame).toArray());
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] header = new byte[8];
    in.readFully(header);
    java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int msgId = h.getInt();
    byte[] body = new byte[h.getInt()];
    in.readFully(body);
    return new Frame(msgId, ByteString.fromArray(body));
  }

  private static void assertClosedByServer(Socket socket) throws IOException {
    try {
      while (socket.getInputStream().read(new byte[4096]) >= 0) {
        // discard
      }
    } catch (SocketException e) {
      // a reset is a close too
    }
  }
}
