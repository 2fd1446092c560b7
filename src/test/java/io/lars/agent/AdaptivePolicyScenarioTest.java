package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.testkit.LbScenarios;
import org.junit.jupiter.api.Test;

/**
 * Two of issue 17's scenarios, end to end and short: real TCP backends, a real agent over UDP,
 * {@code LarsClient.call} reporting real outcomes, the adaptive policy. Outcome ratios only, no
 * time bounds: the calls are paced, and a slow machine makes fewer of them, not other shares.
 */
class AdaptivePolicyScenarioTest {

  // 8 s runs, the change at 3 s: the shares after it are counted over seconds 5..7, 600 calls.
  private final LbScenarios scenarios = new LbScenarios(200, 8, 8, 3);

  @Test
  void aHostThatFailsFastGetsAlmostNoTraffic() throws Exception {
    LbScenarios.Outcome o = scenarios.run("S3", "adaptive",
        ConfigFactory.parseString("lars.agent.load-balance.adaptive.probe-rate = 1"));
    assertTrue(o.targetShareAfter() <= 0.02, "S3: fast-failing host share " + o.row());
  }

  @Test
  void whenEveryHostFails40PercentTheClientsStillSucceedMostly() throws Exception {
    LbScenarios.Outcome o = scenarios.run("S4", "adaptive", ConfigFactory.empty());
    assertTrue(o.successRate() >= 0.55, "S4: client success " + o.row());
  }
}
