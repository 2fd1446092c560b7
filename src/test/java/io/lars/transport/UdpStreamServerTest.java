package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.Flow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent's stream UDP port: frames in and out on one thread, bad input counted, clean stop. */
class UdpStreamServerTest {

  /** msgid that makes the echo stage answer with a frame too large for a datagram. */
  private static final int OVERSIZE = 99;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("UdpStreamServerTest", TransportTestConfig.config()
        .withFallback(com.typesafe.config.ConfigFactory.parseString(
            "test-port-dispatcher { type = PinnedDispatcher, executor = thread-pool-executor }")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Echoes every frame to its sender; frames handed in from other threads go to the last sender. */
  private static final class Echo extends GraphStage<FlowShape<UdpStreamServer.Datagram, UdpStreamServer.Outgoing>> {
    final Inlet<UdpStreamServer.Datagram> in = Inlet.create("Echo.in");
    final Outlet<UdpStreamServer.Outgoing> out = Outlet.create("Echo.out");
    final FlowShape<UdpStreamServer.Datagram, UdpStreamServer.Outgoing> shape = FlowShape.of(in, out);
    final CompletableFuture<Consumer<Frame>> external = new CompletableFuture<>();

    @Override
    public FlowShape<UdpStreamServer.Datagram, UdpStreamServer.Outgoing> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        private InetSocketAddress last;

        {
          // emit() queues what the port cannot take yet and pushes it on the next pull
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              UdpStreamServer.Datagram d = grab(in);
              last = d.sender();
              Frame frame = d.frame().msgId() == OVERSIZE
                  ? new Frame(1, ByteString.fromArray(new byte[UdpStreamServer.MAX_DATAGRAM_PAYLOAD]))
                  : d.frame();
              emit(out, new UdpStreamServer.Outgoing(d.sender(), frame), () -> pullIn());
            }
          });
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              pullIn();
            }
          });
        }

        private void pullIn() {
          if (!hasBeenPulled(in) && !isClosed(in)) {
            pull(in);
          }
        }

        @Override
        public void preStart() {
          AsyncCallback<Frame> callback = createAsyncCallback(f -> emit(out, new UdpStreamServer.Outgoing(last, f)));
          external.complete(callback::invoke);
        }
      };
    }
  }

  private static byte[] bytes(Frame frame) {
    return FrameCodec.encode(frame).toArray();
  }

  private static void send(DatagramSocket socket, InetSocketAddress to, byte[] bytes) throws Exception {
    socket.send(new DatagramPacket(bytes, bytes.length, to));
  }

  private static byte[] receive(DatagramSocket socket) throws Exception {
    byte[] buffer = new byte[70_000];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    socket.receive(packet);
    return Arrays.copyOf(buffer, packet.getLength());
  }

  @Test
  void framesAreAnsweredBadDatagramsAndUnsendableAnswersCountedAndThePortGoesOn() throws Exception {
    TransportStats stats = new TransportStats();
    Echo echo = new Echo();
    UdpStreamServer.Binding binding = UdpStreamServer.bind(testKit.system(),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), port -> Flow.fromGraph(echo), stats,
        "test-port-dispatcher", false);
    try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      client.setSoTimeout(10_000);
      byte[] first = bytes(new Frame(4, ByteString.fromString("abc")));
      send(client, binding.localAddress(), first);
      assertArrayEquals(first, receive(client));

      send(client, binding.localAddress(), new byte[] {1, 2, 3});
      byte[] wrongLength = bytes(new Frame(4, ByteString.fromString("abc")));
      wrongLength[7] = 9;
      send(client, binding.localAddress(), wrongLength);
      send(client, binding.localAddress(), bytes(new Frame(OVERSIZE, ByteString.emptyByteString())));
      byte[] next = bytes(new Frame(6, ByteString.fromString("after")));
      send(client, binding.localAddress(), next);
      assertArrayEquals(next, receive(client));
      // The answer can arrive before the port thread counts it as sent.
      testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(2, stats.datagramsDropped(), stats.toString());
        assertEquals(1, stats.outgoingOverflows(), stats.toString());
        assertEquals(5, stats.datagramsIn(), stats.toString());
        assertEquals(2, stats.datagramsOut(), stats.toString());
        return null;
      });

      // Work handed in from another thread is sent even without a wake-up: the idle port lets
      // its mailbox run (a callback invoked on the port's own thread must not starve it).
      byte[] pushed = bytes(new Frame(8, ByteString.fromString("pushed")));
      echo.external.get(5, TimeUnit.SECONDS).accept(FrameCodec.decodeDatagram(ByteString.fromArray(pushed)));
      client.setSoTimeout(3_000);
      assertArrayEquals(pushed, receive(client));
    } finally {
      binding.stop();
    }
    binding.whenStopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // The port is free again.
    UdpStreamServer.Binding again = UdpStreamServer.bind(testKit.system(), binding.localAddress(),
        port -> Flow.fromGraph(new Echo()), new TransportStats(), "test-port-dispatcher", false);
    again.stop();
    again.whenStopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
