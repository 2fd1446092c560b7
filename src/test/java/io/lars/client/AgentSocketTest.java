package io.lars.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import com.google.protobuf.Message;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket core with a hand-driven clock: retry, timeout, stale answers, drops, route sharing. */
class AgentSocketTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private DatagramSocket agent;
  private AgentSocket socket;

  @BeforeEach
  void start() throws Exception {
    agent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    agent.setSoTimeout(5000);
    int p = agent.getLocalPort();
    socket = new AgentSocket(new ClientSettings("127.0.0.1", List.of(p, p, p), TIMEOUT), clock::get, false);
  }

  @AfterEach
  void stop() {
    socket.close();
    agent.close();
  }

  private record Request(Frame frame, SocketAddress from) {}

  private Request receive() throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
    agent.receive(p);
    return new Request(FrameCodec.decodeDatagram(ByteString.fromArray(Arrays.copyOf(p.getData(), p.getLength()))),
        p.getSocketAddress());
  }

  private void answer(SocketAddress to, MessageId id, Message m) throws Exception {
    byte[] bytes = FrameCodec.encode(Frame.of(id, m)).toArray();
    agent.send(new DatagramPacket(bytes, bytes.length, to));
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
    socket.sweep();
  }

  private static GetHostResponse host(int seq, int modid, int cmdid, Host h) {
    return GetHostResponse.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid).setHost(h.toHostInfo()).build();
  }

  @Test
  void retriedOnceWithTheSameSeqThenTimesOutAndALateAnswerIsStale() throws Exception {
    CompletableFuture<HostResult> result = socket.getHost(7, 1);
    Request first = receive();
    advance(TIMEOUT.minusNanos(1));
    assertEquals(0, socket.stats().retries(), "no retry before the deadline");
    advance(Duration.ofNanos(1));
    Request second = receive();
    int seq = first.frame().decode(GetHostRequest.class).getSeq();
    assertEquals(seq, second.frame().decode(GetHostRequest.class).getSeq());
    assertEquals(first.frame(), second.frame());
    advance(TIMEOUT.minusNanos(1));
    assertFalse(result.isDone());
    advance(Duration.ofNanos(1));
    ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
    LarsTimeoutException timeout = assertInstanceOf(LarsTimeoutException.class, e.getCause());
    assertTrue(timeout.getMessage().contains("(7,1)") && timeout.getMessage().contains("2 x 500 ms"), timeout.getMessage());
    assertEquals(1, socket.stats().timeouts());

    // the late answer is stale; the receive thread reads in order, so once the next request is
    // answered the stale one has been counted
    answer(second.from(), MessageId.GET_HOST_RESPONSE, host(seq, 7, 1, Host.of("10.0.0.1", 1)));
    CompletableFuture<HostResult> next = socket.getHost(7, 1);
    int nextSeq = receive().frame().decode(GetHostRequest.class).getSeq();
    answer(second.from(), MessageId.GET_HOST_RESPONSE, host(nextSeq, 7, 1, Host.of("10.0.0.2", 2)));
    assertEquals(Host.of("10.0.0.2", 2), next.get(5, TimeUnit.SECONDS).host());
    assertEquals(1, socket.stats().stale());
  }

  @Test
  void anAnswerForAnotherModuleWithTheRightSeqIsIgnored() throws Exception {
    CompletableFuture<HostResult> result = socket.getHost(3, 4);
    Request r = receive();
    int seq = r.frame().decode(GetHostRequest.class).getSeq();
    answer(r.from(), MessageId.GET_HOST_RESPONSE, host(seq, 3, 5, Host.of("10.9.9.9", 9)));
    answer(r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(seq).setModid(3).setCmdid(4)
        .setRetcode(RetCode.OVERLOAD.code()).build());
    assertEquals(new HostResult(RetCode.OVERLOAD, null), result.get(5, TimeUnit.SECONDS));
    assertEquals(1, socket.stats().stale());
    assertEquals(1, socket.stats().answered());
  }

  @Test
  void succWithoutAHostIsASystemError() throws Exception {
    CompletableFuture<HostResult> result = socket.getHost(1, 1);
    Request r = receive();
    answer(r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder()
        .setSeq(r.frame().decode(GetHostRequest.class).getSeq()).setModid(1).setCmdid(1).build());
    assertEquals(new HostResult(RetCode.SYSTEM_ERROR, null), result.get(5, TimeUnit.SECONDS));
  }

  @Test
  void concurrentGetRoutesShareOneRequestAndMatchByModule() throws Exception {
    CompletableFuture<RouteResult> a = socket.getRoute(2, 2);
    CompletableFuture<RouteResult> b = socket.getRoute(2, 2);
    Request r = receive();
    assertEquals(2, r.frame().decode(GetRouteRequest.class).getModid());
    answer(r.from(), MessageId.API_GET_ROUTE_RESPONSE, GetRouteResponse.newBuilder().setModid(2).setCmdid(3)
        .addHost(Host.of("10.0.0.9", 9).toHostInfo()).build());
    answer(r.from(), MessageId.API_GET_ROUTE_RESPONSE, GetRouteResponse.newBuilder().setModid(2).setCmdid(2)
        .addHost(Host.of("10.0.0.1", 1).toHostInfo()).build());
    assertEquals(List.of(Host.of("10.0.0.1", 1)), a.get(5, TimeUnit.SECONDS).hosts());
    assertEquals(List.of(Host.of("10.0.0.1", 1)), b.get(5, TimeUnit.SECONDS).hosts());
    assertEquals(1, socket.stats().stale(), "the (2,3) answer");
    assertEquals(1, socket.stats().sent(), "one request for both askers");
  }

  @Test
  void getRouteIsRetriedThenTimesOut() throws Exception {
    CompletableFuture<RouteResult> result = socket.getRoute(5, 5);
    receive();
    advance(TIMEOUT);
    assertEquals(MessageId.API_GET_ROUTE_REQUEST.id(), receive().frame().msgId());
    advance(TIMEOUT);
    ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
    assertInstanceOf(LarsTimeoutException.class, e.getCause());
  }

  @Test
  void malformedDatagramsAreCountedDrops() {
    socket.onDatagram(ByteBuffer.wrap(new byte[] {5, 0, 0}));
    socket.onDatagram(ByteBuffer.wrap(new byte[] {5, 0, 0, 0, 9, 0, 0, 0, 1}));
    socket.onDatagram(ByteBuffer.wrap(new byte[] {5, 0, 0, 0, -1, -1, -1, -1}));
    socket.onDatagram(ByteBuffer.wrap(new byte[] {5, 0, 0, 0, 2, 0, 0, 0, (byte) 0xff, (byte) 0xff}));
    socket.onDatagram(FrameCodec.encode(Frame.of(MessageId.GET_HOST_REQUEST, GetHostRequest.newBuilder().build()))
        .asByteBuffer());
    assertEquals(5, socket.stats().dropped());
    assertEquals(0, socket.stats().stale());
  }

  @Test
  void closeFailsWaitersAndLaterCalls() {
    CompletableFuture<HostResult> waiting = socket.getHost(1, 2);
    socket.close();
    CompletionException e = assertThrows(CompletionException.class, waiting::join);
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertInstanceOf(IllegalStateException.class,
        assertThrows(CompletionException.class, () -> socket.getHost(1, 2).join()).getCause());
    assertFalse(socket.report(1, 2, Host.of("10.0.0.1", 1), 0, 0));
  }

  /** The blocking path waits in real time: a timeout a busy machine cannot beat by accident. */
  private AgentSocket blockingSocket() {
    socket.close();
    int p = agent.getLocalPort();
    socket = new AgentSocket(new ClientSettings("127.0.0.1", List.of(p, p, p), Duration.ofMillis(1500)), clock::get, false);
    return socket;
  }

  @Test
  void blockingGetHostIgnoresStaleAnswersAndRetriesWithTheSameSeq() throws Exception {
    AgentSocket socket = blockingSocket();
    CompletableFuture<HostResult> result = CompletableFuture.supplyAsync(() -> socket.getHostBlocking(8, 1));
    Request first = receive();
    int seq = first.frame().decode(GetHostRequest.class).getSeq();
    answer(first.from(), MessageId.GET_HOST_RESPONSE, host(seq + 1, 8, 1, Host.of("10.9.9.9", 9)));
    answer(first.from(), MessageId.GET_HOST_RESPONSE, host(seq, 8, 2, Host.of("10.9.9.9", 9)));
    Request again = receive(); // no valid answer within the timeout: the same request once more
    assertEquals(first.frame(), again.frame());
    assertEquals(first.from(), again.from(), "the caller's own socket");
    answer(again.from(), MessageId.GET_HOST_RESPONSE, host(seq, 8, 1, Host.of("10.0.0.8", 8)));
    assertEquals(new HostResult(RetCode.SUCC, Host.of("10.0.0.8", 8)), result.get(10, TimeUnit.SECONDS));
    assertEquals(2, socket.stats().stale());
    assertEquals(1, socket.stats().retries());
  }

  @Test
  void blockingGetHostTimesOutAfterOneRetry() throws Exception {
    AgentSocket socket = blockingSocket();
    CompletableFuture<HostResult> result = CompletableFuture.supplyAsync(() -> socket.getHostBlocking(8, 1));
    Request first = receive();
    assertEquals(first.frame(), receive().frame());
    ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
    assertInstanceOf(LarsTimeoutException.class, e.getCause());
    assertEquals(1, socket.stats().timeouts());
    socket.close();
    assertThrows(IllegalStateException.class, () -> socket.getHostBlocking(8, 1));
  }
}
