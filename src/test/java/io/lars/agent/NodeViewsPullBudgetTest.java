package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A flood of new modules is bounded before it reaches the dns (DESIGN.md "Robustness rules", H10):
 * beyond {@code max-new-pulls-per-second} new modules in one second, requests are answered NOEXIST
 * at once and counted; the next second has a new budget.
 */
class NodeViewsPullBudgetTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "akka.actor.provider = local\n"
          // no dns listens there: pulls stay open for the whole first-pull-wait
          + "lars.agent.dns.port = " + TestNodeConfig.freeTcpPort() + "\n"
          + "lars.agent.max-new-pulls-per-second = 3\n"
          + "lars.agent.load-balance.first-pull-wait = 20s\n"
          + "lars.agent.ask-timeout = 30s\n").withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void newModulesBeyondTheBudgetAreNoexistAtOnceAndCountedUntilTheNextSecond() {
    AgentSettings settings = AgentSettings.fromConfig(testKit.system().settings().config());
    AgentStats stats = AgentStats.get(testKit.system());
    TestProbe<LoadBalanceEntity.Command> entity = testKit.createTestProbe();
    AtomicLong clock = new AtomicLong(1_000_000);
    ActorRef<NodeViews.Command> views = testKit.spawn(
        NodeViews.create(settings, module -> entity.getRef(), stats, clock::get));
    TestProbe<Object> port = testKit.createTestProbe();
    views.tell(new NodeViews.AddPort(new ProbePort(port.getRef())));
    long refused = stats.pullsRefused();

    for (int modid = 1; modid <= 5; modid++) {
      views.tell(new NodeViews.Need(new ModuleId(modid, 1)));
    }
    // Three pulls wait for the dns (first-pull-wait 20 s); the fourth and fifth are refused at once.
    assertEquals(new ProbePort.Unknown(new ModuleId(4, 1)), port.expectMessageClass(ProbePort.Unknown.class, WAIT));
    assertEquals(new ProbePort.Unknown(new ModuleId(5, 1)), port.expectMessageClass(ProbePort.Unknown.class, WAIT));
    assertEquals(refused + 2, stats.pullsRefused());

    // A second later the budget is new: the module is pulled, not refused.
    clock.addAndGet(1000);
    views.tell(new NodeViews.Need(new ModuleId(6, 1)));
    port.expectNoMessage(Duration.ofMillis(300));
    assertEquals(refused + 2, stats.pullsRefused());
  }
}
