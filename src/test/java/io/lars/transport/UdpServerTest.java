package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.lars.protocol.Frame;
import io.lars.transport.UdpServer.Datagram;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UdpServerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("UdpServerTest", TransportTestConfig.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Answers every frame with msgid + 1 and the same body. */
  private static Behavior<Datagram> echo() {
    return Behaviors.receive(Datagram.class)
        .onMessage(Datagram.class, d -> {
          d.reply(new Frame(d.frame().msgId() + 1, d.frame().body()));
          return Behaviors.same();
        })
        .build();
  }

  private record Running(ActorRef<UdpServer.Command> server, InetSocketAddress address, TransportStats stats) {}

  private static Running startEchoServer() throws Exception {
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    TransportStats stats = new TransportStats();
    ActorRef<UdpServer.Command> server = testKit.spawn(UdpServer.create(
        new InetSocketAddress(LOOPBACK, 0), testKit.spawn(echo()), bound, stats));
    return new Running(server, bound.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), stats);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] exchange(DatagramSocket socket, InetSocketAddress server, byte[] request) throws Exception {
    socket.send(new DatagramPacket(request, request.length, server));
    DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
    socket.receive(reply);
    return Arrays.copyOf(reply.getData(), reply.getLength());
  }

  @Test
  void answersAGoldenGetHostRequestFromAPlainSocket() throws Exception {
    Running running = startEchoServer();
    assertTrue(running.address().getPort() > 0);
    try (DatagramSocket socket = new DatagramSocket(0, LOOPBACK)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      // wire-captures section 1: GetHostRequest seq 7, modid 11, cmdid 1
      byte[] reply = exchange(socket, running.address(), hex("04 00 00 00 06 00 00 00 08 07 10 0b 18 01"));
      assertArrayEquals(hex("05 00 00 00 06 00 00 00 08 07 10 0b 18 01"), reply);
    }
    assertEquals(1, running.stats().datagramsIn());
    assertEquals(1, running.stats().datagramsOut());
    testKit.stop(running.server());
  }

  @Test
  void dropsAndCountsBadDatagramsAndKeepsAnsweringGoodOnes() throws Exception {
    Running running = startEchoServer();
    List<byte[]> bad = List.of(
        hex("04 00 00"),                                       // shorter than a header
        hex("04 00 00 00 0a 00 00 00 08 07 10 0b 18 01"),      // msglen 10, body 6
        hex("04 00 00 00 ff ff ff ff 08 07 10 0b 18 01"),      // msglen -1
        hex("04 00 00 00 f8 ff 00 00 08 07 10 0b 18 01"),      // msglen 65528
        hex("04 00 00 00 06 00 00 00 08 07"));                 // body shorter than msglen
    byte[] good = hex("04 00 00 00 06 00 00 00 08 07 10 0b 18 01");
    try (DatagramSocket socket = new DatagramSocket(0, LOOPBACK)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      for (byte[] datagram : bad) {
        socket.send(new DatagramPacket(datagram, datagram.length, running.address()));
        assertEquals(5, exchange(socket, running.address(), good)[0], "the answer to the good datagram after a bad one");
      }
    }
    assertEquals(bad.size(), running.stats().datagramsDropped());
    assertEquals(2L * bad.size(), running.stats().datagramsIn());
    assertEquals(bad.size(), running.stats().datagramsOut());
    testKit.stop(running.server());
  }

  @Test
  void bindFailsOnAPortInUseAndTheServerStops() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, LOOPBACK)) {
      CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
      ActorRef<UdpServer.Command> server = testKit.spawn(UdpServer.create(
          new InetSocketAddress(LOOPBACK, taken.getLocalPort()), testKit.spawn(echo()), bound, new TransportStats()));
      ExecutionException e = assertThrows(ExecutionException.class, () -> bound.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      assertInstanceOf(IllegalStateException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains(":" + taken.getLocalPort()), e.getCause().getMessage());
      testKit.createTestProbe().expectTerminated(server, TIMEOUT);
    }
  }

  @Test
  void stoppingTheServerReleasesThePort() throws Exception {
    Running running = startEchoServer();
    testKit.stop(running.server());
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      try (DatagramSocket again = new DatagramSocket(running.address())) {
        return again.getLocalPort();
      }
    });
  }
}
