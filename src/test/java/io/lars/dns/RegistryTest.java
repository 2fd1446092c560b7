package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RegistryTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));

  private static final ModuleId A = new ModuleId(1, 1);
  private static final ModuleId B = new ModuleId(1, 2);
  private static final Host H1 = Host.of("10.0.0.1", 80);
  private static final Host H2 = Host.of("10.0.0.2", 80);
  private static final Host H3 = Host.of("10.0.0.3", 80);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static List<Host> hosts(GetRouteResponse r) {
    return r.getHostList().stream().map(Host::of).toList();
  }

  private static RouteTable table(Map<ModuleId, List<Host>> routes) {
    return RouteTable.of(routes);
  }

  private static Registry.Status status(ActorRef<Registry.Command> registry) {
    TestProbe<Registry.Status> probe = testKit.createTestProbe();
    registry.tell(new Registry.GetStatus(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void answersFromTheTableAndPushesOnlySubscribedModules() throws Exception {
    ActorRef<Registry.Command> registry = testKit.spawn(Registry.create());
    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H1))), Set.of(A)));
    FakeConnection c1 = new FakeConnection(1);
    FakeConnection c2 = new FakeConnection(2);
    registry.tell(new Registry.Connected(c1));
    registry.tell(new Registry.Connected(c2));
    registry.tell(new Registry.Request(c1, A));
    registry.tell(new Registry.Request(c2, B));
    assertEquals(List.of(H1), hosts(c1.next()));
    GetRouteResponse unknown = c2.next();
    assertEquals(2, unknown.getCmdid());
    assertEquals(List.of(), hosts(unknown));

    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H1, H2), B, List.of(H3))), Set.of(A, B)));
    assertEquals(List.of(H1, H2), hosts(c1.next()));
    GetRouteResponse firstHost = c2.next();
    assertEquals(1, firstHost.getModid());
    assertEquals(2, firstHost.getCmdid());
    assertEquals(List.of(H3), hosts(firstHost));
    assertNull(c1.poll(100));
    assertNull(c2.poll(100));
    assertEquals(new Registry.Status(2, 2, 2), status(registry));
  }

  @Test
  void unchangedModulesAreNotPushedAndAModuleLosingAllHostsIsPushedEmpty() throws Exception {
    ActorRef<Registry.Command> registry = testKit.spawn(Registry.create());
    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H1), B, List.of(H2))), Set.of(A, B)));
    FakeConnection c = new FakeConnection(1);
    registry.tell(new Registry.Connected(c));
    registry.tell(new Registry.Request(c, A));
    registry.tell(new Registry.Request(c, B));
    c.next();
    c.next();
    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H1))), Set.of(B)));
    GetRouteResponse push = c.next();
    assertEquals(2, push.getCmdid());
    assertEquals(List.of(), hosts(push));
    assertNull(c.poll(100));
  }

  @Test
  void aClosedConnectionLosesItsSubscriptions() throws Exception {
    ActorRef<Registry.Command> registry = testKit.spawn(Registry.create());
    FakeConnection c = new FakeConnection(1);
    registry.tell(new Registry.Connected(c));
    registry.tell(new Registry.Request(c, A));
    c.next();
    registry.tell(new Registry.Closed(c));
    assertEquals(new Registry.Status(0, 0, 0), status(registry));
    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H1))), Set.of(A)));
    assertNull(c.poll(200));
  }

  @Test
  void aSubscriberWhoseQueueIsFullIsDroppedWithoutStallingOthers() throws Exception {
    ActorRef<Registry.Command> registry = testKit.spawn(Registry.create());
    FakeConnection slow = new FakeConnection(1);
    FakeConnection fast = new FakeConnection(2);
    registry.tell(new Registry.Request(slow, A));
    registry.tell(new Registry.Request(fast, A));
    slow.next();
    fast.next();
    slow.fill();
    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H1))), Set.of(A)));
    assertEquals(List.of(H1), hosts(fast.next()));
    TestProbe<Registry.Status> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      registry.tell(new Registry.GetStatus(probe.getRef()));
      assertEquals(new Registry.Status(1, 1, 1), probe.receiveMessage());
      return null;
    });
    assertTrue(slow.isClosed());
    registry.tell(new Registry.RoutesUpdated(table(Map.of(A, List.of(H2))), Set.of(A)));
    assertEquals(List.of(H2), hosts(fast.next()));
  }
}
