package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.CoordinatedShutdown;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Behaviors;
import io.lars.protocol.Frame;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetRouteRequest;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportShutdownTest {

  @Test
  void coordinatedShutdownUnbindsBothServersAndClosesTcpConnections() throws Exception {
    ActorTestKit kit = ActorTestKit.create("TransportShutdownTest", TransportTestConfig.config());
    try {
      CompletableFuture<Long> closed = new CompletableFuture<>();
      MessageRouter router = MessageRouter.builder()
          .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class,
              (c, request) -> c.send(Frame.of(MessageId.GET_ROUTE_REQUEST, request)))
          .onClose(c -> closed.complete(c.id()))
          .build();
      TcpServer tcp = TcpServer.bind(kit.system(), "shutdown", new TcpServer.Settings("127.0.0.1", 0, 10, 10), router)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      CompletableFuture<InetSocketAddress> udpBound = new CompletableFuture<>();
      kit.spawn(UdpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
          kit.spawn(Behaviors.ignore()), udpBound, new TransportStats()));
      InetSocketAddress udp = udpBound.get(10, TimeUnit.SECONDS);
      Frame frame = Frame.of(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(1).build());
      try (RawTcpClient client = new RawTcpClient(tcp.localAddress())) {
        client.write(frame);
        assertEquals(frame, client.readFrame());

        CoordinatedShutdown.get(kit.system()).runAll(CoordinatedShutdown.unknownReason())
            .toCompletableFuture().get(30, TimeUnit.SECONDS);

        client.awaitClosedByServer();
        assertEquals(1L, closed.get(10, TimeUnit.SECONDS));
      }
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", tcp.localAddress().getPort()).close());
      new DatagramSocket(udp).close();
    } finally {
      kit.shutdownTestKit();
    }
  }
}
