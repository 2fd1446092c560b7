package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.kernel.Role;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-module series on a real node's {@code /metrics}: values after get_host and report
 * traffic, the cardinality cap ({@code max-modules = 2}) and removal when a module is released.
 */
class ModuleMetricsNodeTest {

  private static final String TOKEN = "metrics-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Host H1 = Host.of("10.4.0.1", 8001);
  private static final Host H2 = Host.of("10.4.0.2", 8002);
  private static final Host H3 = Host.of("10.4.0.3", 8003);
  private static final ModuleId A = new ModuleId(300, 1);
  private static final ModuleId B = new ModuleId(301, 1);
  private static final ModuleId C = new ModuleId(302, 1);

  private static AgentTestNode agent;

  @BeforeAll
  static void start() throws Exception {
    agent = AgentTestNode.start("""
        lars.admin.token = "%s"
        lars.agent.metrics.max-modules = 2
        lars.agent.passivate-after = 6s
        lars.agent.resubscribe-interval = 200ms
        lars.agent.load-balance.idle-timeout = 5m
        lars.agent.load-balance.overload-timeout = 5m
        """.formatted(TOKEN), EnumSet.allOf(Role.class));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + agent.conf().ports().admin() + "/metrics"))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  /** The value of one series, e.g. {@code lars_agent_module_hosts} with labels in Prometheus (sorted) order. */
  private static OptionalDouble sample(String text, String name, String... labels) {
    StringBuilder series = new StringBuilder(name);
    if (labels.length > 0) {
      series.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        series.append(labels[i]).append("=\"").append(labels[i + 1]).append("\",");
      }
      series.append('}');
    }
    String prefix = series.append(' ').toString();
    return text.lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst();
  }

  private static double moduleSample(String text, String name, ModuleId module, String key, String value) {
    OptionalDouble v = sample(text, name, "cmdid", Integer.toString(module.cmdid()), "modid",
        Integer.toString(module.modid()), key, value);
    assertTrue(v.isPresent(), name + " of " + module + " " + key + "=" + value + " in\n" + text);
    return v.getAsDouble();
  }

  private static double other(String text, String name, String key, String value) {
    OptionalDouble v = sample(text, name, "cmdid", "other", "modid", "other", key, value);
    assertTrue(v.isPresent(), name + " other " + key + "=" + value + " in\n" + text);
    return v.getAsDouble();
  }

  /** get_host until SUCC, counting every answer by return code. */
  private static void awaitServed(AgentUdpClient client, ModuleId module, Map<RetCode, Integer> answers) {
    Await.awaitAssert(agent.node().system(), WAIT, () -> {
      int code = client.getHost(agent.portOf(module), 1, module.modid(), module.cmdid()).getRetcode();
      answers.merge(RetCode.values()[code], 1, Integer::sum);
      assertEquals(RetCode.SUCC.code(), code);
      return true;
    });
  }

  @Test
  void everyMetricTheExampleAlertRulesUseIsServed() throws Exception {
    String rules = Files.readString(Path.of("deploy/prometheus/lars-alerts.yml"));
    Set<String> names = Pattern.compile("\\blars_[a-z_]*[a-z]").matcher(rules).results().map(MatchResult::group)
        .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(names.size() >= 8, names.toString());
    String text = scrape();
    Set<String> served = text.lines().filter(l -> l.startsWith("lars_"))
        .map(l -> l.substring(0, l.indexOf(l.contains("{") ? '{' : ' '))).collect(Collectors.toSet());
    names.removeAll(served);
    assertEquals(Set.of(), names, "used in lars-alerts.yml, not on /metrics");
  }

  @Test
  void perModuleSeriesFollowTrafficAreCappedAndDisappearWithTheModule() throws Exception {
    ModuleMetrics meters = AgentStats.get(agent.node().system()).modules();
    agent.routes().addHost(A, H1);
    agent.routes().addHost(A, H2);
    agent.routes().addHost(B, H1);
    agent.routes().addHost(C, H1);
    agent.routes().addHost(C, H2);
    agent.routes().addHost(C, H3);
    Map<RetCode, Integer> answersA = new EnumMap<>(RetCode.class);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      awaitServed(client, A, answersA);
      awaitServed(client, B, new EnumMap<>(RetCode.class));
      awaitServed(client, C, new EnumMap<>(RetCode.class));
      assertEquals(RetCode.NOEXIST.code(), client.getHost(agent.portOf(new ModuleId(999, 1)), 2, 999, 1).getRetcode());

      // A and B have series of their own; C, opened third, is folded into "other".
      String text = scrape();
      assertEquals(2, moduleSample(text, "lars_agent_module_hosts", A, "state", "idle"));
      assertEquals(0, moduleSample(text, "lars_agent_module_hosts", A, "state", "overload"));
      assertEquals(1, moduleSample(text, "lars_agent_module_hosts", B, "state", "idle"));
      assertEquals(answersA.get(RetCode.SUCC),
          (int) moduleSample(text, "lars_agent_module_get_host_total", A, "retcode", "SUCC"));
      assertFalse(text.contains("modid=\"302\""), text);
      assertEquals(1, sample(text, "lars_agent_modules_folded").orElseThrow());
      assertEquals(3, other(text, "lars_agent_module_hosts", "state", "idle"));
      assertTrue(other(text, "lars_agent_module_get_host_total", "retcode", "SUCC") >= 1, text);
      assertTrue(other(text, "lars_agent_module_get_host_total", "retcode", "NOEXIST") >= 1, text);

      // Transitions are counted between views of one entity: wait for the entity's first view.
      Await.awaitAssert(agent.node().system(), WAIT, () -> {
        client.getHost(agent.portOf(A), 3, A.modid(), A.cmdid());
        ModuleView view = meters.view(A);
        assertNotNull(view);
        assertTrue(view.fromEntity(), view.toString());
        return true;
      });
      // contin-err-limit (10) failures overload H1.
      for (int i = 0; i < 10; i++) {
        client.report(agent.portOf(A), A.modid(), A.cmdid(), H1, 1, 0);
      }
      Await.awaitAssert(agent.node().system(), WAIT, () -> {
        client.getHost(agent.portOf(A), 4, A.modid(), A.cmdid());
        String t = scrape();
        assertEquals(1, moduleSample(t, "lars_agent_module_hosts", A, "state", "overload"));
        assertEquals(1, moduleSample(t, "lars_agent_module_hosts", A, "state", "idle"));
        assertEquals(1, moduleSample(t, "lars_agent_module_transitions_total", A, "to", "overload"));
        assertEquals(0, moduleSample(t, "lars_agent_module_transitions_total", A, "to", "idle"));
        return true;
      });
      // contin-succ-limit (10) successes bring it back.
      for (int i = 0; i < 10; i++) {
        client.report(agent.portOf(A), A.modid(), A.cmdid(), H1, 0, 0);
      }
      Await.awaitAssert(agent.node().system(), WAIT, () -> {
        client.getHost(agent.portOf(A), 5, A.modid(), A.cmdid());
        String t = scrape();
        assertEquals(0, moduleSample(t, "lars_agent_module_hosts", A, "state", "overload"));
        assertEquals(1, moduleSample(t, "lars_agent_module_transitions_total", A, "to", "idle"));
        return true;
      });
    }

    // Nothing uses the modules any more: after passivate-after they are released, their series removed.
    Await.awaitAssert(agent.node().system(), WAIT, () -> {
      String t = scrape();
      assertFalse(t.contains("modid=\"300\""), t);
      assertFalse(t.contains("modid=\"301\""), t);
      assertEquals(0, sample(t, "lars_agent_modules_folded").orElseThrow());
      assertEquals(0, other(t, "lars_agent_module_hosts", "state", "idle"));
      return true;
    });
  }
}
