package io.lars.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.ReportRequest;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted agent made of three plain UDP sockets. */
class LarsClientFakeAgentTest {

  private final DatagramSocket[] agent = new DatagramSocket[3];
  private LarsClient client;

  @BeforeEach
  void start() throws Exception {
    for (int i = 0; i < 3; i++) {
      agent[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      agent[i].setSoTimeout(15_000);
    }
    client = LarsClient.create(new ClientSettings("127.0.0.1",
        List.of(agent[0].getLocalPort(), agent[1].getLocalPort(), agent[2].getLocalPort()), Duration.ofSeconds(1)));
  }

  @AfterEach
  void stop() {
    client.close();
    for (DatagramSocket s : agent) {
      s.close();
    }
  }

  private record Request(Frame frame, SocketAddress from) {}

  private Request receive(int port) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
    agent[port].receive(p);
    return new Request(FrameCodec.decodeDatagram(ByteString.fromArray(Arrays.copyOf(p.getData(), p.getLength()))),
        p.getSocketAddress());
  }

  private void answer(int port, SocketAddress to, MessageId id, com.google.protobuf.Message m) throws Exception {
    byte[] bytes = FrameCodec.encode(Frame.of(id, m)).toArray();
    agent[port].send(new DatagramPacket(bytes, bytes.length, to));
  }

  @Test
  void getHostGoesToPortModPlusCmdMod3AndMatchesSeq() throws Exception {
    CompletableFuture<HostResult> result = client.getHost(1, 1).toCompletableFuture();
    Request r = receive(2); // (1 + 1) % 3
    GetHostRequest req = r.frame().decode(GetHostRequest.class);
    assertEquals(1, req.getModid());
    Host host = Host.of("192.168.1.177", 7777);
    // a stale answer (other seq) and a wrong-module answer are ignored; the right one wins
    answer(2, r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(req.getSeq() + 100)
        .setModid(1).setCmdid(1).setRetcode(RetCode.NOEXIST.code()).build());
    answer(2, r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(req.getSeq())
        .setModid(9).setCmdid(1).setRetcode(RetCode.NOEXIST.code()).build());
    answer(2, r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(req.getSeq())
        .setModid(1).setCmdid(1).setHost(host.toHostInfo()).build());
    HostResult got = result.get(5, TimeUnit.SECONDS);
    assertEquals(new HostResult(RetCode.SUCC, host), got);
  }

  @Test
  void typedResultsForRefusals() throws Exception {
    CompletableFuture<HostResult> result = client.getHost(11, 1).toCompletableFuture();
    Request r = receive(0);
    GetHostRequest req = r.frame().decode(GetHostRequest.class);
    answer(0, r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(req.getSeq())
        .setModid(11).setCmdid(1).setRetcode(RetCode.OVERLOAD.code()).build());
    assertEquals(new HostResult(RetCode.OVERLOAD, null), result.get(5, TimeUnit.SECONDS));
  }

  @Test
  void lostRequestIsRetriedOnceWithTheSameSeq() throws Exception {
    CompletableFuture<HostResult> result = client.getHost(3, 0).toCompletableFuture();
    GetHostRequest first = receive(0).frame().decode(GetHostRequest.class);
    Request again = receive(0);
    GetHostRequest second = again.frame().decode(GetHostRequest.class);
    assertEquals(first.getSeq(), second.getSeq());
    answer(0, again.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(second.getSeq())
        .setModid(3).setRetcode(RetCode.NOEXIST.code()).build());
    assertEquals(RetCode.NOEXIST, result.get(5, TimeUnit.SECONDS).retCode());
  }

  @Test
  void silentAgentGivesATimeoutExceptionNotAHang() {
    long start = System.nanoTime();
    CompletionException e = assertThrows(CompletionException.class,
        () -> client.getHost(4, 4).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join());
    assertInstanceOf(LarsTimeoutException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("(4,4)"), e.getCause().getMessage());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms >= 1900, "timed out after " + ms + " ms, before two timeouts of 1 s");
    assertEquals(1, client.stats().retries());
    assertEquals(1, client.stats().timeouts());
  }

  @Test
  void getRouteMatchesByModuleAndAnswersEveryWaiter() throws Exception {
    CompletableFuture<RouteResult> a = client.getRoute(2, 2).toCompletableFuture();
    CompletableFuture<RouteResult> b = client.getRoute(2, 2).toCompletableFuture();
    Request r = receive(1);
    assertEquals(MessageId.API_GET_ROUTE_REQUEST.id(), r.frame().msgId());
    assertEquals(2, r.frame().decode(GetRouteRequest.class).getModid());
    List<Host> hosts = List.of(Host.of("10.0.0.1", 9001), Host.of("10.0.0.2", 9002));
    answer(1, r.from(), MessageId.API_GET_ROUTE_RESPONSE, GetRouteResponse.newBuilder().setModid(2).setCmdid(2)
        .addHost(hosts.get(0).toHostInfo()).addHost(hosts.get(1).toHostInfo()).build());
    assertEquals(hosts, a.get(5, TimeUnit.SECONDS).hosts());
    assertEquals(hosts, b.get(5, TimeUnit.SECONDS).hosts());
  }

  @Test
  void callReportsFailureWithElapsedTime() throws Exception {
    Host host = Host.of("10.0.0.7", 80);
    CompletableFuture<String> result = client.<String>call(5, 1, h ->
        CompletableFuture.supplyAsync(() -> {
          throw new IllegalStateException("backend said 500");
        }, CompletableFuture.delayedExecutor(120, TimeUnit.MILLISECONDS))).toCompletableFuture();
    Request r = receive(0);
    GetHostRequest req = r.frame().decode(GetHostRequest.class);
    answer(0, r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(req.getSeq())
        .setModid(5).setCmdid(1).setHost(host.toHostInfo()).build());
    CompletionException e = assertThrows(CompletionException.class, () -> result.orTimeout(5, TimeUnit.SECONDS).join());
    assertEquals("backend said 500", e.getCause().getMessage());
    ReportRequest report = receive(0).frame().decode(ReportRequest.class);
    assertEquals(host, Host.of(report.getHost()));
    assertEquals(RetCode.OVERLOAD.code(), report.getRetcode());
    assertTrue(report.getTimecostMs() >= 100, "timecost " + report.getTimecostMs());
  }

  @Test
  void callWithNoHostFailsWithTheRetCode() throws Exception {
    CompletableFuture<String> result = client.<String>call(5, 1, h -> CompletableFuture.completedFuture("x"))
        .toCompletableFuture();
    Request r = receive(0);
    GetHostRequest req = r.frame().decode(GetHostRequest.class);
    answer(0, r.from(), MessageId.GET_HOST_RESPONSE, GetHostResponse.newBuilder().setSeq(req.getSeq())
        .setModid(5).setCmdid(1).setRetcode(RetCode.NOEXIST.code()).build());
    CompletionException e = assertThrows(CompletionException.class, () -> result.orTimeout(5, TimeUnit.SECONDS).join());
    assertEquals(RetCode.NOEXIST, assertInstanceOf(NoHostException.class, e.getCause()).retCode());
  }
}
