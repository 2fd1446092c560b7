package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The views hand-over between two incarnations of an agent node (issue 19 item 12): the new
 * incarnation serves the old one's views, overload states included, without a dns (the usual
 * reason a node was downed is that the core is gone), subscribes to their entities, and a request
 * that started a first pull before the hand-over is answered from the adopted view, not NOEXIST.
 */
class NodeViewsHandOverTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "akka.actor.provider = local\n"
          // no dns listens there: only handed-over views can answer
          + "lars.agent.dns.port = " + TestNodeConfig.freeTcpPort() + "\n"
          + "lars.agent.load-balance.first-pull-wait = 100ms\n").withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ModuleId MODULE = new ModuleId(5, 6);
  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Host H2 = Host.of("10.0.0.2", 7002);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theNewIncarnationServesTheOldViewsAndSubscribesToTheirEntities() {
    TestProbe<LoadBalanceEntity.Command> entity = testKit.createTestProbe();
    ActorRef<NodeViews.Command> old = spawnViews(entity);
    ModuleView overloaded = new ModuleView(MODULE, 7, true, List.of(H1, H2), List.of(H2));
    old.tell(new NodeViews.Adopt(List.of(overloaded)));
    entity.expectMessageClass(LoadBalanceEntity.Subscribe.class, WAIT);

    ActorRef<NodeViews.Command> fresh = spawnViews(entity);
    TestProbe<Object> port = testKit.createTestProbe();
    fresh.tell(new NodeViews.AddPort(new ProbePort(port.getRef())));
    // A request that arrived before the views: a first pull starts, the dns does not answer.
    fresh.tell(new NodeViews.Need(MODULE));
    old.tell(new NodeViews.HandOverTo(fresh));

    assertEquals(overloaded, port.expectMessageClass(ModuleView.class, WAIT));
    LoadBalanceEntity.Subscribe subscribe = entity.expectMessageClass(LoadBalanceEntity.Subscribe.class, WAIT);
    assertEquals(List.of(H1, H2), subscribe.route());
    // first-pull-wait (100 ms) passes: the adopted view stands, no NOEXIST for the module
    port.expectNoMessage(Duration.ofMillis(500));

    fresh.tell(new NodeViews.Need(MODULE));
    assertEquals(overloaded, port.expectMessageClass(ModuleView.class, WAIT));
  }

  private static ActorRef<NodeViews.Command> spawnViews(TestProbe<LoadBalanceEntity.Command> entity) {
    AgentSettings settings = AgentSettings.fromConfig(testKit.system().settings().config());
    return testKit.spawn(NodeViews.create(settings, module -> entity.getRef(), AgentStats.get(testKit.system())));
  }
}
