package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Ipv4;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class AgentSettingsTest {

  private static Config withDefaults(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void shippedDefaultsAreTheSpecDefaults() {
    AgentSettings s = AgentSettings.fromConfig(withDefaults("lars.agent.caller-ip = \"192.168.1.177\""));
    assertEquals("127.0.0.1", s.bind());
    assertEquals(List.of(8888, 8889, 8890), s.ports());
    assertEquals("127.0.0.1", s.dnsHost());
    assertEquals(7778, s.dnsPort());
    assertEquals(7779, s.reporterPort());
    assertEquals(Ipv4.parse("192.168.1.177"), s.callerIp());
    assertEquals(Duration.ofMillis(500), s.askTimeout());
    assertEquals(LoadBalanceSettings.defaults(), s.loadBalance());
    assertEquals(ModuleMetrics.DEFAULT_MAX_MODULES, s.metricsMaxModules());
  }

  @Test
  void emptyCallerIpIsDiscoveredWithoutDns() throws Exception {
    int caller = AgentSettings.fromConfig(withDefaults("lars.agent.caller-ip = \"\"")).callerIp();
    assertEquals(AgentSettings.discoverCallerIp(), caller);
    InetAddress address = InetAddress.getByName(Ipv4.format(caller));
    assertTrue(!address.isLoopbackAddress() || caller == Ipv4.parse("127.0.0.1"), Ipv4.format(caller));
  }

  @Test
  void wrongValuesNameTheirKey() {
    assertMessageNames("lars.agent.caller-ip", "lars.agent.caller-ip = \"10.0.0\"");
    assertMessageNames("lars.agent.ports", "lars.agent.ports = []");
    assertMessageNames("lars.agent.ports", "lars.agent.ports = [70000]");
    assertMessageNames("lars.agent.dns.port", "lars.agent.dns.port = 0");
    assertMessageNames("ask-timeout", "lars.agent.ask-timeout = 0s");
    assertMessageNames("reconnect-max-backoff", "lars.agent.reconnect-max-backoff = 10ms");
    assertMessageNames("first-pull-wait", "lars.agent.load-balance.first-pull-wait = 1s");
    assertMessageNames("lars.agent.load-balance.probe-num", "lars.agent.load-balance.probe-num = 0");
    assertMessageNames("reporter", "lars.agent.reporter = 5");
    assertMessageNames("lars.agent.metrics.max-modules", "lars.agent.metrics.max-modules = -1");
    assertMessageNames("lars.agent.metrics.max-modules", "lars.agent.metrics.max-modules = 1000001");
  }

  private static void assertMessageNames(String key, String overrides) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentSettings.fromConfig(withDefaults(overrides)));
    assertTrue(e.getMessage().contains(key), "'" + e.getMessage() + "' does not name " + key);
  }

  @Test
  void theCallerIsNeverZero() {
    assertNotEquals(0, AgentSettings.discoverCallerIp());
  }
}
