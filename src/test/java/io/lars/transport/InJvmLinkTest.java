package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.lars.protocol.Frame;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.transport.ReconnectingTcpClient.Command;
import io.lars.transport.ReconnectingTcpClient.Connected;
import io.lars.transport.ReconnectingTcpClient.Disconnected;
import io.lars.transport.ReconnectingTcpClient.Event;
import io.lars.transport.ReconnectingTcpClient.Received;
import io.lars.transport.ReconnectingTcpClient.Send;
import io.lars.transport.ReconnectingTcpClient.Settings;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DESIGN.md "In-JVM links": a client of the same actor system reaches its server without a socket. */
class InJvmLinkTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("InJvmLinkTest", TransportTestConfig.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** An echo server that hands every accepted connection to {@code accepted}. */
  private static TcpServer bind(ActorTestKit kit, int port, int maxOutgoingFrames,
      LinkedBlockingQueue<Connection> accepted) throws Exception {
    MessageRouter echo = MessageRouter.builder()
        .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class,
            (c, request) -> c.send(Frame.of(MessageId.GET_ROUTE_REQUEST, request)))
        .onConnect(accepted::add)
        .build();
    return TcpServer.bind(kit.system(), "echo", new TcpServer.Settings("127.0.0.1", port, 10, maxOutgoingFrames), echo)
        .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Frame route(int modid) {
    return Frame.of(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(modid).setCmdid(1).build());
  }

  private static Settings settings(String host, int port, boolean inJvm) {
    return new Settings(host, port, Duration.ofMillis(50), Duration.ofMillis(300), 0.2, 10, inJvm);
  }

  private static Connection next(LinkedBlockingQueue<Connection> accepted) throws InterruptedException {
    Connection connection = accepted.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(connection != null, "the server accepted a connection");
    return connection;
  }

  @Test
  void aClientOfTheSameSystemConnectsInMemoryAndReconnectsWhenTheServerClosesIt() throws Exception {
    LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    TcpServer server = bind(testKit, 0, 100, accepted);
    int port = server.localAddress().getPort();
    TestProbe<Event> owner = testKit.createTestProbe();
    ActorRef<Command> client = testKit.spawn(ReconnectingTcpClient.create(settings("localhost", port, true),
        owner.getRef(), new TransportStats()));

    owner.expectMessageClass(Connected.class, TIMEOUT);
    Connection first = next(accepted);
    assertEquals(0, first.peer().getPort(), "an in-JVM connection has no peer port");
    assertTrue(first.peer().getAddress().isLoopbackAddress());
    client.tell(new Send(route(1)));
    assertEquals(new Received(route(1)), owner.receiveMessage(TIMEOUT));
    assertEquals(1, server.stats().connectionsOpen());

    first.close();
    owner.expectMessageClass(Disconnected.class, TIMEOUT);
    owner.expectMessageClass(Connected.class, TIMEOUT);
    Connection second = next(accepted);
    assertEquals(0, second.peer().getPort());
    assertNotEquals(first.id(), second.id());
    client.tell(new Send(route(2)));
    assertEquals(new Received(route(2)), owner.receiveMessage(TIMEOUT));

    testKit.stop(client);
    owner.awaitAssert(TIMEOUT, () -> {
      assertEquals(0, server.stats().connectionsOpen(), "stopping the client closed its in-JVM connection");
      return null;
    });
    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void afterAnUnbindTheClientWaitsAndSendsItsPendingFramesInMemoryToTheServerBoundAgain() throws Exception {
    LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    TcpServer server = bind(testKit, 0, 100, accepted);
    int port = server.localAddress().getPort();
    TestProbe<Event> owner = testKit.createTestProbe();
    ActorRef<Command> client = testKit.spawn(ReconnectingTcpClient.create(settings("127.0.0.1", port, true),
        owner.getRef(), new TransportStats()));
    owner.expectMessageClass(Connected.class, TIMEOUT);
    next(accepted);

    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    owner.expectMessageClass(Disconnected.class, TIMEOUT);
    client.tell(new Send(route(3)));

    TcpServer again = bind(testKit, port, 100, accepted);
    owner.expectMessageClass(Connected.class, TIMEOUT);
    assertEquals(0, next(accepted).peer().getPort(), "connected in memory again");
    assertEquals(new Received(route(3)), owner.receiveMessage(TIMEOUT), "the frame sent while disconnected");
    testKit.stop(client);
    again.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void offOrAServerOfAnotherActorSystemMeansTcp() throws Exception {
    LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    TcpServer server = bind(testKit, 0, 100, accepted);
    int port = server.localAddress().getPort();
    TestProbe<Event> owner = testKit.createTestProbe();
    ActorRef<Command> off = testKit.spawn(ReconnectingTcpClient.create(settings("127.0.0.1", port, false),
        owner.getRef(), new TransportStats()));
    owner.expectMessageClass(Connected.class, TIMEOUT);
    assertNotEquals(0, next(accepted).peer().getPort(), "in-jvm off: a TCP connection with its peer port");
    testKit.stop(off);

    ActorTestKit other = ActorTestKit.create("InJvmLinkTestOther", TransportTestConfig.config());
    try {
      TestProbe<Event> otherOwner = other.createTestProbe();
      other.spawn(ReconnectingTcpClient.create(settings("127.0.0.1", port, true), otherOwner.getRef(),
          new TransportStats()));
      otherOwner.expectMessageClass(Connected.class, TIMEOUT);
      assertNotEquals(0, next(accepted).peer().getPort(), "a server of another actor system is reached over TCP");
    } finally {
      other.shutdownTestKit();
    }
    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void onlyTheServersOwnHostOrLoopbackForAnAnyAddressServerMatches() throws Exception {
    LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    TcpServer server = bind(testKit, 0, 100, accepted);
    int port = server.localAddress().getPort();
    LocalServers local = LocalServers.get(testKit.system());

    assertTrue(local.find("127.0.0.1", port).isPresent());
    assertTrue(local.find("localhost", port).isPresent(), "localhost stands for 127.0.0.1");
    assertTrue(local.find("127.0.0.2", port).isEmpty(), "another loopback address does not reach a 127.0.0.1 bind");
    assertTrue(local.find("10.1.2.3", port).isEmpty(), "another host with the same port is another machine");
    assertTrue(local.find("127.0.0.1", port == 65535 ? 1 : port + 1).isEmpty(), "another port");

    server.unbind().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(local.find("127.0.0.1", port).isEmpty(), "an unbound server is no longer listed");
  }

  @Test
  void aServerOnEveryInterfaceIsReachedThroughLoopbackOnly() {
    assertTrue(LocalServers.reaches("127.0.0.1", "0.0.0.0"));
    assertTrue(LocalServers.reaches("localhost", "0.0.0.0"));
    assertTrue(LocalServers.reaches("::1", "::"));
    assertTrue(LocalServers.reaches("[::1]", "0.0.0.0"));
    assertTrue(LocalServers.reaches("10.1.2.3", "10.1.2.3"), "the very address the server was bound to");
    assertTrue(!LocalServers.reaches("10.1.2.3", "0.0.0.0"), "no address is resolved to find out it is ours");
    assertTrue(!LocalServers.reaches("dns.example", "0.0.0.0"), "no name is resolved");
    assertTrue(!LocalServers.reaches("127.0.0.1", "10.1.2.3"));
  }
}
