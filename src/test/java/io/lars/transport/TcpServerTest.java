package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.util.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetRouteRequest;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpServerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static ActorTestKit testKit;
  private static ExecutorService pool;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("TcpServerTest", TransportTestConfig.config());
    pool = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    testKit.shutdownTestKit();
  }

  /** An echo router that records every connect and counts the closes of each connection. */
  private static final class Recorder {
    final Map<Long, Connection> connected = new ConcurrentHashMap<>();
    final Map<Long, AtomicInteger> closes = new ConcurrentHashMap<>();

    MessageRouter echoRouter() {
      return MessageRouter.builder()
          .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class,
              (c, request) -> c.send(Frame.of(MessageId.GET_ROUTE_REQUEST, request)))
          .onConnect(c -> connected.put(c.id(), c))
          .onClose(c -> closes.computeIfAbsent(c.id(), id -> new AtomicInteger()).incrementAndGet())
          .build();
    }

    Connection byPeerPort(int port) {
      return connected.values().stream().filter(c -> c.peer().getPort() == port).findFirst().orElseThrow();
    }

    void assertEveryConnectionClosedOnce(int expectedConnections) {
      assertEquals(expectedConnections, connected.size(), "connections seen by onConnect");
      assertEquals(connected.keySet(), closes.keySet(), "connections seen by onClose");
      closes.forEach((id, count) -> assertEquals(1, count.get(), "onClose calls for connection " + id));
    }
  }

  private static TcpServer bind(TcpServer.Settings settings, MessageRouter router) throws Exception {
    return TcpServer.bind(testKit.system(), "test", settings, router).toCompletableFuture()
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Frame route(int modid, int cmdid) {
    return Frame.of(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(modid).setCmdid(cmdid).build());
  }

  private static void unbind(TcpServer server) throws Exception {
    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.get(30, TimeUnit.SECONDS);
  }

  @Test
  void echoesEveryFrameOfSeveralClientsWhileGarbageSendersAreClosed() throws Exception {
    Recorder recorder = new Recorder();
    TcpServer server = bind(new TcpServer.Settings("127.0.0.1", 0, 100, 4096), recorder.echoRouter());
    int clients = 5;
    int frames = 2000;
    List<RawTcpClient> sockets = new ArrayList<>();
    List<Future<?>> work = new ArrayList<>();
    for (int k = 0; k < clients; k++) {
      RawTcpClient client = new RawTcpClient(server.localAddress());
      sockets.add(client);
      int modid = k + 1;
      // Even clients write in tiny random pieces (frames split), odd ones in big coalesced chunks.
      int maxChunk = k % 2 == 0 ? 17 : 8192;
      work.add(pool.submit(() -> writeFrames(client, modid, frames, maxChunk, new Random(modid))));
      work.add(pool.submit(() -> readEchoes(client, modid, frames)));
    }

    List<byte[]> garbage = List.of(
        RawTcpClient.header(1, FrameCodec.MAX_BODY_LENGTH + 1),
        RawTcpClient.header(1, -1),
        concat(RawTcpClient.header(99, 4), new byte[] {0x08, 0x01, 0x10, 0x01}),
        FrameCodec.encode(Frame.of(MessageId.GET_HOST_REQUEST, GetHostRequest.newBuilder().setModid(1).build())).toArray(),
        concat(RawTcpClient.header(1, 3), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    for (byte[] bad : garbage) {
      try (RawTcpClient client = new RawTcpClient(server.localAddress())) {
        client.write(route(7, 7));
        assertEquals(route(7, 7), client.readFrame());
        client.write(bad);
        client.awaitClosedByServer();
      }
    }

    for (Future<?> f : work) {
      await(f);
    }
    for (RawTcpClient client : sockets) {
      client.close();
    }
    // Counters are bumped after the handler ran, so they may trail the echoes a little.
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      recorder.assertEveryConnectionClosedOnce(clients + garbage.size());
      assertEquals(garbage.size(), server.stats().badFrames());
      assertEquals(clients * frames + garbage.size(), server.stats().framesIn());
      assertEquals(clients * frames + garbage.size(), server.stats().framesOut());
      return null;
    });
    assertEquals(0, server.stats().connectionsOpen());
    unbind(server);
  }

  private static Void writeFrames(RawTcpClient client, int modid, int frames, int maxChunk, Random random)
      throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < frames; i++) {
      all.write(FrameCodec.encode(route(modid, i)).toArray());
    }
    byte[] bytes = all.toByteArray();
    int at = 0;
    while (at < bytes.length) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(maxChunk));
      byte[] chunk = new byte[n];
      System.arraycopy(bytes, at, chunk, 0, n);
      client.write(chunk);
      at += n;
    }
    return null;
  }

  private static Void readEchoes(RawTcpClient client, int modid, int frames) throws Exception {
    for (int i = 0; i < frames; i++) {
      assertEquals(route(modid, i), client.readFrame(), "echo " + i + " of client " + modid);
    }
    return null;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void onCloseFiresOnceWhateverEndsTheConnection() throws Exception {
    Recorder recorder = new Recorder();
    TcpServer server = bind(new TcpServer.Settings("127.0.0.1", 0, 100, 64), recorder.echoRouter());
    RawTcpClient peerCloses = new RawTcpClient(server.localAddress());
    RawTcpClient sendsGarbage = new RawTcpClient(server.localAddress());
    RawTcpClient closedByServer = new RawTcpClient(server.localAddress());
    RawTcpClient openAtUnbind = new RawTcpClient(server.localAddress());
    for (RawTcpClient c : List.of(peerCloses, sendsGarbage, closedByServer, openAtUnbind)) {
      c.write(route(1, 1));
      assertEquals(route(1, 1), c.readFrame());
    }

    peerCloses.close();
    sendsGarbage.write(RawTcpClient.header(1, -5));
    sendsGarbage.awaitClosedByServer();
    Connection serverSide = recorder.byPeerPort(closedByServer.localPort());
    serverSide.close();
    closedByServer.awaitClosedByServer();
    serverSide.close();
    assertFalse(serverSide.send(route(1, 1)), "send on a closed connection");
    unbind(server);
    openAtUnbind.awaitClosedByServer();

    recorder.assertEveryConnectionClosedOnce(4);
    assertEquals(0, server.stats().connectionsOpen());
    assertEquals(4, server.stats().connectionsAccepted());
    assertEquals(1, server.stats().badFrames());
    sendsGarbage.close();
    closedByServer.close();
    openAtUnbind.close();
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
    Recorder recorder = new Recorder();
    TcpServer server = bind(new TcpServer.Settings("127.0.0.1", 0, 2, 64), recorder.echoRouter());
    RawTcpClient first = new RawTcpClient(server.localAddress());
    try (RawTcpClient second = new RawTcpClient(server.localAddress())) {
      for (RawTcpClient c : List.of(first, second)) {
        c.write(route(1, 1));
        assertEquals(route(1, 1), c.readFrame());
      }
      try (RawTcpClient third = new RawTcpClient(server.localAddress())) {
        third.awaitClosedByServer();
      }
      assertEquals(1, server.stats().connectionsRejected());
      assertEquals(2, server.stats().connectionsOpen());
      assertEquals(route(2, 2), echo(second, route(2, 2)), "open connections are unaffected");

      first.close();
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertEquals(1, server.stats().connectionsOpen());
        return null;
      });
      try (RawTcpClient fourth = new RawTcpClient(server.localAddress())) {
        assertEquals(route(4, 4), echo(fourth, route(4, 4)), "a free slot is usable again");
      }
    }
    unbind(server);
  }

  private static Frame echo(RawTcpClient client, Frame frame) throws Exception {
    client.write(frame);
    return client.readFrame();
  }

  @Test
  void aSlowReaderIsDisconnectedWhenItsQueueOverflowsAndOthersAreUnaffected() throws Exception {
    Recorder recorder = new Recorder();
    TcpServer server = bind(new TcpServer.Settings("127.0.0.1", 0, 10, 16), recorder.echoRouter());
    RawTcpClient fast = new RawTcpClient(server.localAddress());
    RawTcpClient slow = new RawTcpClient(server.localAddress());
    for (RawTcpClient c : List.of(fast, slow)) {
      assertEquals(route(1, 1), echo(c, route(1, 1)));
    }
    Connection toFast = recorder.byPeerPort(fast.localPort());
    Connection toSlow = recorder.byPeerPort(slow.localPort());
    BlockingQueue<Frame> fastReceived = new ArrayBlockingQueue<>(16);
    Future<?> fastReader = pool.submit(() -> {
      while (true) {
        fastReceived.put(fast.readFrame());
      }
    });

    // Push big frames to both, paced by the fast reader; the slow one never reads, so once the
    // kernel buffers are full its queue of 16 overflows.
    Frame push = new Frame(MessageId.GET_ROUTE_RESPONSE.id(), ByteString.fromArray(new byte[60_000]));
    int pushed = 0;
    boolean slowOpen = true;
    while (slowOpen && pushed < 5000) {
      assertTrue(toFast.send(push), "push " + pushed + " to the fast reader");
      assertEquals(push, fastReceived.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "push " + pushed);
      pushed++;
      slowOpen = toSlow.send(push);
    }
    assertFalse(slowOpen, "the slow reader was never disconnected after " + pushed + " pushes");
    assertEquals(1, server.stats().outgoingOverflows());
    slow.awaitClosedByServer();
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals(1, recorder.closes.get(toSlow.id()).get());
      return null;
    });
    assertTrue(toFast.send(push), "the fast reader is still connected");
    assertEquals(push, fastReceived.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    fast.close();
    slow.close();
    fastReader.cancel(true);
    unbind(server);
  }

  @Test
  void bindFailsWithAClearMessageWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<TcpServer> bound = TcpServer.bind(testKit.system(), "taken",
          new TcpServer.Settings("127.0.0.1", taken.getLocalPort(), 10, 10), new Recorder().echoRouter())
          .toCompletableFuture();
      ExecutionException e = assertThrows(ExecutionException.class, () -> bound.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      assertInstanceOf(IllegalStateException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getCause().getMessage());
    }
  }

  @Test
  void unbindReleasesThePort() throws Exception {
    TcpServer server = bind(new TcpServer.Settings("127.0.0.1", 0, 10, 10), new Recorder().echoRouter());
    int port = server.localAddress().getPort();
    unbind(server);
    TcpServer again = bind(new TcpServer.Settings("127.0.0.1", port, 10, 10), new Recorder().echoRouter());
    assertEquals(port, again.localAddress().getPort());
    try (RawTcpClient client = new RawTcpClient(new InetSocketAddress("127.0.0.1", port))) {
      assertEquals(route(3, 3), echo(client, route(3, 3)));
    }
    unbind(again);
  }

  @Test
  void settingsRefuseValuesOutOfRangeAndReadConfig() {
    assertThrows(IllegalArgumentException.class, () -> new TcpServer.Settings("", 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TcpServer.Settings("h", 65536, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TcpServer.Settings("h", 1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TcpServer.Settings("h", 1, 1, 0));
    Config shipped = ConfigFactory.load();
    TcpServer.Settings dns = TcpServer.Settings.fromConfig(shipped, "lars.dns", TcpServer.IdleRule.BETWEEN_FRAMES);
    assertEquals(new TcpServer.Settings("0.0.0.0", 7778, 10000, 1024)
        .withIdleTimeout(Duration.ofSeconds(60), TcpServer.IdleRule.BETWEEN_FRAMES).withAddressLimits(100, 100), dns);
    assertEquals(AddressFilter.defaults(), dns.allow());
    assertEquals(4L << 20, dns.maxOutgoingBytes());
    assertBadKey("lars.dns.allow", "lars.dns.allow = [\"10.0.0.0/33\"]");
    assertBadKey("lars.dns.max-outgoing-bytes", "lars.dns.max-outgoing-bytes = 1000");
    assertBadKey("lars.dns.max-outgoing-frames", "lars.dns.max-outgoing-frames = 0");
    assertBadKey("lars.dns.bind", "lars.dns.bind = \"\"");
    TcpServer.Settings reporter = TcpServer.Settings.fromConfig(shipped, "lars.reporter",
        TcpServer.IdleRule.BETWEEN_FRAMES);
    assertEquals(16, reporter.maxOutgoingFrames());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TcpServer.Settings.fromConfig(ConfigFactory.parseString("lars.dns { bind = x, port = 1 }"), "lars.dns",
            TcpServer.IdleRule.BETWEEN_FRAMES));
    assertTrue(e.getMessage().contains("lars.dns"), e.getMessage());
  }

  private static void assertBadKey(String key, String override) {
    Config config = ConfigFactory.parseString(override).withFallback(ConfigFactory.load());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TcpServer.Settings.fromConfig(config, "lars.dns", TcpServer.IdleRule.BETWEEN_FRAMES));
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
  }

  @Test
  void sendFromOnConnectWorksBeforeAnyFrame() throws Exception {
    TestProbe<Long> closed = testKit.createTestProbe();
    MessageRouter greeter = MessageRouter.builder()
        .onConnect(c -> c.send(route(42, 42)))
        .onClose(c -> closed.getRef().tell(c.id()))
        .build();
    TcpServer server = bind(new TcpServer.Settings("127.0.0.1", 0, 10, 10), greeter);
    try (RawTcpClient client = new RawTcpClient(server.localAddress())) {
      assertEquals(route(42, 42), client.readFrame());
    }
    closed.expectMessage(TIMEOUT, 1L);
    unbind(server);
  }
}
