package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.kernel.Role;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@link ClusterSettings}: the join mode, agent rejoin and the keys a bad value is reported under. */
@Execution(ExecutionMode.CONCURRENT)
class ClusterSettingsTest {

  private static final String SEEDS = "akka.cluster.seed-nodes = [\"akka://lars@127.0.0.1:2551\"]";

  private static ClusterSettings settings(String overrides) {
    return ClusterSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void shippedDefaultsFormAClusterOfItsOwn() {
    ClusterSettings s = settings("");
    assertEquals(ClusterSettings.Join.SELF, s.joinBy());
    assertTrue(s.formsCluster());
    assertTrue(s.agentRejoin());
    assertEquals(Duration.ofSeconds(5), s.agentRejoinRetryInterval());
    assertTrue(s.incarnation().check());
    assertEquals("akka://lars@127.0.0.1:2551", s.canonicalAddress());
  }

  @Test
  void bootstrapWinsOverSeedNodes() {
    assertEquals(ClusterSettings.Join.SEED_NODES, settings(SEEDS).joinBy());
    assertEquals(ClusterSettings.Join.BOOTSTRAP, settings(SEEDS + "\nlars.cluster.bootstrap = on").joinBy());
    assertEquals(ClusterSettings.Join.BOOTSTRAP, settings("lars.cluster.bootstrap = on").joinBy());
    assertFalse(settings(SEEDS).formsCluster());
  }

  @Test
  void rejoinAppliesToAgentOnlyNodesThatJoinOthers() {
    assertTrue(settings(SEEDS).rejoinApplies(EnumSet.of(Role.AGENT)));
    assertFalse(settings(SEEDS).rejoinApplies(EnumSet.of(Role.AGENT, Role.DNS)), "not agent-only");
    assertFalse(settings("").rejoinApplies(EnumSet.of(Role.AGENT)), "a cluster of its own");
    assertFalse(settings(SEEDS + "\nlars.cluster.agent-rejoin.enabled = off").rejoinApplies(EnumSet.of(Role.AGENT)),
        "switched off");
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertMessage("lars.cluster.agent-rejoin.retry-interval", "lars.cluster.agent-rejoin.retry-interval = 10ms");
    assertMessage("lars.cluster.agent-rejoin.enabled", "lars.cluster.agent-rejoin.enabled = maybe");
    assertMessage("lars.cluster.incarnation.stale-after", "lars.cluster.incarnation.stale-after = 2h");
    assertMessage("lars.cluster.bootstrap", "lars.cluster.bootstrap = 3");
    assertThrows(IllegalArgumentException.class, () -> new ClusterSettings(ClusterSettings.Join.SEED_NODES, List.of(),
        "akka://lars@127.0.0.1:0", true, Duration.ofSeconds(5), settings("").incarnation()));
  }

  private static void assertMessage(String key, String overrides) {
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSettings.fromConfig(config));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
