package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link LoadBalanceSettings}: the shipped defaults and the range checks. */
@Execution(ExecutionMode.CONCURRENT)
class LoadBalanceSettingsTest {

  private static Config withOverride(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void shippedConfigurationIsTheReferenceDefaults() {
    LoadBalanceSettings s = LoadBalanceSettings.fromConfig(ConfigFactory.load());
    assertEquals(LoadBalanceSettings.defaults(), s);
    assertEquals(10, s.probeNum());
    assertEquals(180, s.initSuccCnt());
    assertEquals(0.92, s.succRate());
    assertEquals(Duration.ofMillis(100), s.timecostUnit());
  }

  @Test
  void overridesAreRead() {
    LoadBalanceSettings s = LoadBalanceSettings.fromConfig(
        withOverride("lars.agent.load-balance { probe-num = 3, idle-timeout = 2s, err-rate = 0.25 }"));
    assertEquals(3, s.probeNum());
    assertEquals(Duration.ofSeconds(2), s.idleTimeout());
    assertEquals(0.25, s.errRate());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "probe-num = 0 | lars.agent.load-balance.probe-num",
      "init-succ-cnt = -1 | lars.agent.load-balance.init-succ-cnt",
      "init-err-cnt = -1 | lars.agent.load-balance.init-err-cnt",
      "err-rate = 1.5 | lars.agent.load-balance.err-rate",
      "succ-rate = -0.1 | lars.agent.load-balance.succ-rate",
      "contin-err-limit = 0 | lars.agent.load-balance.contin-err-limit",
      "contin-succ-limit = 0 | lars.agent.load-balance.contin-succ-limit",
      "window-err-rate = 2 | lars.agent.load-balance.window-err-rate",
      "idle-timeout = 0s | lars.agent.load-balance.idle-timeout",
      "overload-timeout = 0s | lars.agent.load-balance.overload-timeout",
      "update-timeout = 0s | lars.agent.load-balance.update-timeout",
      "report-interval = 0s | lars.agent.load-balance.report-interval",
      "first-pull-wait = -1ms | lars.agent.load-balance.first-pull-wait",
      "timecost-unit = 0ms | lars.agent.load-balance.timecost-unit",
      "probe-num = ten | probe-num",
  })
  void wrongValuesAreRejectedNamingTheKey(String setting, String key) {
    Config config = withOverride("lars.agent.load-balance { " + setting + " }");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LoadBalanceSettings.fromConfig(config));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void missingSectionIsRejectedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadBalanceSettings.fromConfig(ConfigFactory.empty()));
    assertTrue(e.getMessage().contains("lars.agent.load-balance"), e.getMessage());
  }

  @Test
  void firstPullWaitMayBeZero() {
    LoadBalanceSettings s =
        LoadBalanceSettings.fromConfig(withOverride("lars.agent.load-balance.first-pull-wait = 0s"));
    assertEquals(Duration.ZERO, s.firstPullWait());
  }
}
