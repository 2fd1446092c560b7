package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An agent node under load, garbage and idleness (issue 19 items 1 and 10; issue 13): a burst for
 * a starting module, modules the dns does not know, and modules nobody uses any more. The dns and
 * reporter are {@link FakeLarsServer}s.
 */
class AgentLimitsTest {

  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static AgentTestNode agent;

  @BeforeAll
  static void start() throws Exception {
    agent = AgentTestNode.startWithFakes("""
        lars.agent.passivate-after = 2s
        lars.agent.resubscribe-interval = 200ms
        # Each unknown module's first answer takes first-pull-wait, one after the other: 200 of them
        # took 20 s at the default 100 ms. The fake dns answers within it on loopback, and a later
        # answer still lands in the cache long before the module is asked again.
        lars.agent.load-balance.first-pull-wait = 20ms
        # ... and may still outlast the default ttl on a busy machine.
        lars.agent.negative-cache.ttl = 5m
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  /** Entity ids running on this node's shard region. */
  private static Set<String> runningEntities() {
    return AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(agent.node().system()).shardState(),
            replyTo -> new GetShardRegionState(LoadBalanceEntity.ENTITY_KEY, replyTo), Duration.ofSeconds(5),
            agent.node().system().scheduler())
        .toCompletableFuture().join()
        .getShards().stream().flatMap(s -> s.getEntityIds().stream()).collect(Collectors.toSet());
  }

  @Test
  void aBurstOf20000RequestsForAStartingModuleLeavesTheNodeServingAndEveryExcessCounted() throws Exception {
    ModuleId module = new ModuleId(20, 1);
    agent.dns().routes.put(module, List.of(H1));
    long systemErrors = agent.stats().getHostAnswers(RetCode.SYSTEM_ERROR);
    long rejected = agent.stats().waitingRejected();
    long timeouts = agent.stats().timeouts();
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofMillis(200))) {
      for (int i = 0; i < 20_000; i++) {
        client.send(agent.portOf(module), MessageId.GET_HOST_REQUEST,
            GetHostRequest.newBuilder().setSeq(i).setModid(20).setCmdid(1).build());
      }
    }
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      Await.awaitAssert(agent.node().system(), WAIT, () -> {
        assertEquals(RetCode.SUCC.code(), client.getHost(agent.portOf(module), 1, 20, 1).getRetcode());
        return true;
      });
    }
    // Every SYSTEM_ERROR is a counted rejection or timeout, never a crash or a silent drop.
    assertEquals(agent.stats().getHostAnswers(RetCode.SYSTEM_ERROR) - systemErrors,
        (agent.stats().waitingRejected() - rejected) + (agent.stats().timeouts() - timeouts));
    assertEquals(0, agent.stats().portsDown());
  }

  @Test
  void modulesTheDnsDoesNotKnowAreNoexistFromTheNegativeCacheAndStartNoEntity() {
    long hits = agent.stats().negativeHits();
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      for (int i = 0; i < 200; i++) {
        assertEquals(RetCode.NOEXIST.code(), client.getHost(agent.portOf(new ModuleId(5000 + i, 7)), i, 5000 + i, 7)
            .getRetcode());
      }
      // Asked again: answered from the cache, the dns is not asked again.
      agent.dns().routeRequests.clear();
      for (int i = 0; i < 200; i++) {
        assertEquals(RetCode.NOEXIST.code(), client.getHost(agent.portOf(new ModuleId(5000 + i, 7)), i, 5000 + i, 7)
            .getRetcode());
      }
      assertEquals(200, agent.stats().negativeHits() - hits);
      assertTrue(agent.dns().routeRequests.isEmpty(), "asked the dns again: " + agent.dns().routeRequests);
    }
    Set<String> running = runningEntities();
    for (int i = 0; i < 200; i++) {
      assertTrue(!running.contains(new ModuleId(5000 + i, 7).entityId()), "entity started for an unknown module");
    }
  }

  @Test
  void aModuleNobodyUsesIsReleasedOnTheNodeAndItsEntityPassivates() {
    ModuleId module = new ModuleId(30, 1);
    agent.dns().routes.put(module, List.of(H1));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      Await.awaitAssert(agent.node().system(), WAIT, () -> {
        assertEquals(RetCode.SUCC.code(), client.getHost(agent.portOf(module), 1, 30, 1).getRetcode());
        return true;
      });
    }
    Await.awaitAssert(agent.node().system(), WAIT, () -> {
      assertTrue(runningEntities().contains(module.entityId()), "entity subscribed");
      return true;
    });
    // No more requests: within passivate-after (2 s) and a housekeeping round the view is released
    // everywhere and the entity, with no node subscribed, passivates.
    Await.awaitAssert(agent.node().system(), WAIT, () -> {
      assertTrue(!runningEntities().contains(module.entityId()), "entity still running");
      return true;
    });
    // Every module of this class is idle by now: no view is left on the node.
    Await.awaitAssert(agent.node().system(), WAIT, () -> {
      assertEquals(0, agent.stats().views());
      return true;
    });
  }
}
