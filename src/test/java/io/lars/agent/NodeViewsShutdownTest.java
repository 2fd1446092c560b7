package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A node's views subscribe again when a module's entity stops (it moved or passivated), but not
 * once the node is shutting down: its own region is handing entities off, and a new subscription
 * would start an entity there again and hold the shutdown until the sharding phase times out.
 */
class NodeViewsShutdownTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ModuleId MODULE = new ModuleId(8, 9);
  private static final Host H1 = Host.of("10.0.0.1", 7001);

  @Test
  void aStoppedEntityIsSubscribedToAgainWhileTheNodeRuns() {
    ActorTestKit testKit = testKit();
    try {
      TestProbe<LoadBalanceEntity.Command> region = testKit.createTestProbe();
      ActorRef<LoadBalanceEntity.Command> entity = servedBy(testKit, region);
      testKit.stop(entity);
      assertEquals(List.of(H1), region.expectMessageClass(LoadBalanceEntity.Subscribe.class, WAIT).route());
    } finally {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aStoppedEntityIsNotSubscribedToAgainOnceTheNodeShutsDown() {
    ActorTestKit testKit = testKit();
    CompletableFuture<Done> hold = new CompletableFuture<>();
    try {
      TestProbe<LoadBalanceEntity.Command> region = testKit.createTestProbe();
      ActorRef<LoadBalanceEntity.Command> entity = servedBy(testKit, region);
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(testKit.system());
      // The first phase waits for this task: the shutdown has begun and the actors still run.
      shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "hold-for-test", () -> hold);
      shutdown.run(CoordinatedShutdown.unknownReason());
      testKit.stop(entity);
      region.expectNoMessage(Duration.ofSeconds(1));
    } finally {
      hold.complete(Done.getInstance());
      testKit.shutdownTestKit();
    }
  }

  /** Views that serve MODULE with {@code entity} (a live actor) confirmed as its entity. */
  private static ActorRef<LoadBalanceEntity.Command> servedBy(ActorTestKit testKit,
      TestProbe<LoadBalanceEntity.Command> region) {
    AgentSettings settings = AgentSettings.fromConfig(testKit.system().settings().config());
    ActorRef<NodeViews.Command> views = testKit.spawn(
        NodeViews.create(settings, module -> region.getRef(), AgentStats.get(testKit.system())));
    ModuleView view = new ModuleView(MODULE, 1, true, List.of(H1), List.of());
    views.tell(new NodeViews.Adopt(List.of(view)));
    region.expectMessageClass(LoadBalanceEntity.Subscribe.class, WAIT);
    ActorRef<LoadBalanceEntity.Command> entity = testKit.spawn(Behaviors.<LoadBalanceEntity.Command>ignore());
    views.tell(new NodeViews.EntityView(view, entity));
    // the views watch the entity once they took its view: a port added now gets that view
    TestProbe<Object> port = testKit.createTestProbe();
    views.tell(new NodeViews.AddPort(new ProbePort(port.getRef())));
    port.expectMessage(WAIT, view);
    return entity;
  }

  private static ActorTestKit testKit() {
    return ActorTestKit.create(ConfigFactory.parseString(
        "akka.actor.provider = local\n"
            // no dns listens there; the views' pull for the adopted module gets no answer
            + "lars.agent.dns.port = " + TestNodeConfig.freeTcpPort() + "\n"
            + "lars.agent.resubscribe-interval = 1h\n").withFallback(ConfigFactory.load()));
  }
}
