package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-module meters: values, the cardinality cap, transitions from views, removal on release. */
class ModuleMetricsTest {

  private static final ModuleId A = new ModuleId(1, 1);
  private static final ModuleId B = new ModuleId(2, 1);
  private static final ModuleId C = new ModuleId(3, 1);
  private static final Host H1 = Host.of("10.0.0.1", 1);
  private static final Host H2 = Host.of("10.0.0.2", 2);
  private static final Host H3 = Host.of("10.0.0.3", 3);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ModuleMetrics metrics = new ModuleMetrics(registry);

  private static ModuleView entityView(ModuleId module, long version, List<Host> hosts, List<Host> overloaded) {
    return new ModuleView(module, version, true, hosts, overloaded);
  }

  private double value(String name, String modid, String cmdid, String key, String tag) {
    var search = registry.find(name).tag("modid", modid).tag("cmdid", cmdid).tag(key, tag);
    if (search.gauge() != null) {
      return search.gauge().value();
    }
    if (search.functionCounter() != null) {
      return search.functionCounter().count();
    }
    throw new AssertionError("no meter " + name + "{modid=" + modid + ",cmdid=" + cmdid + "," + key + "=" + tag
        + "} in\n" + registry.scrape());
  }

  @Test
  void hostsByStateAndAnswersByReturnCodePerModule() {
    metrics.register(10);
    metrics.open(ModuleView.fromDns(A, List.of(H1, H2, H3), Set.of()));
    // answered before its series are registered: still counted for the module
    metrics.answer(A, RetCode.SUCC);
    metrics.expose(A);
    metrics.update(entityView(A, 1, List.of(H1, H2, H3), List.of(H2)), false);
    metrics.answer(A, RetCode.SUCC);
    metrics.answer(A, RetCode.OVERLOAD);

    assertEquals(2, value("lars.agent.module.hosts", "1", "1", "state", "idle"));
    assertEquals(1, value("lars.agent.module.hosts", "1", "1", "state", "overload"));
    assertEquals(2, value("lars.agent.module.get.host", "1", "1", "retcode", "SUCC"));
    assertEquals(1, value("lars.agent.module.get.host", "1", "1", "retcode", "OVERLOAD"));
    assertEquals(0, value("lars.agent.module.get.host", "1", "1", "retcode", "NOEXIST"));
    // provisional -> entity view: not a transition
    assertEquals(0, value("lars.agent.module.transitions", "1", "1", "to", "overload"));
    String text = registry.scrape();
    assertTrue(text.contains("lars_agent_module_hosts{cmdid=\"1\",modid=\"1\",state=\"overload\",} 1.0"), text);
    assertTrue(text.contains("lars_agent_module_get_host_total{cmdid=\"1\",modid=\"1\",retcode=\"SUCC\",} 2.0"), text);
  }

  @Test
  void transitionsAreCountedBetweenViewsOfTheSameEntity() {
    metrics.register(10);
    metrics.open(entityView(A, 1, List.of(H1, H2), List.of()));
    metrics.expose(A);
    metrics.update(entityView(A, 2, List.of(H1, H2), List.of(H1)), true);
    metrics.update(entityView(A, 3, List.of(H1, H2), List.of(H1, H2)), true);
    metrics.update(entityView(A, 4, List.of(H1, H2), List.of(H2)), true);
    // H2 leaves the route while overloaded, H3 joins: neither is a transition
    metrics.update(entityView(A, 5, List.of(H1, H3), List.of()), true);
    // a new entity's first view: not counted
    metrics.update(entityView(A, 1, List.of(H1, H3), List.of(H1, H3)), false);

    assertEquals(2, value("lars.agent.module.transitions", "1", "1", "to", "overload"));
    assertEquals(1, value("lars.agent.module.transitions", "1", "1", "to", "idle"));
  }

  @Test
  void modulesBeyondTheCapAreFoldedIntoOther() {
    metrics.register(2);
    metrics.open(entityView(A, 1, List.of(H1), List.of()));
    metrics.expose(A);
    metrics.open(entityView(B, 1, List.of(H1), List.of()));
    metrics.expose(B);
    metrics.open(entityView(C, 1, List.of(H1, H2, H3), List.of(H3)));
    metrics.expose(C);
    metrics.answer(C, RetCode.SUCC);
    metrics.answer(new ModuleId(99, 99), RetCode.NOEXIST);
    metrics.update(entityView(C, 2, List.of(H1, H2, H3), List.of(H2, H3)), true);

    assertEquals(1, registry.get("lars.agent.modules.folded").gauge().value());
    assertTrue(registry.find("lars.agent.module.hosts").tag("modid", "3").gauges().isEmpty());
    assertEquals(1, value("lars.agent.module.hosts", "other", "other", "state", "idle"));
    assertEquals(2, value("lars.agent.module.hosts", "other", "other", "state", "overload"));
    assertEquals(1, value("lars.agent.module.get.host", "other", "other", "retcode", "SUCC"));
    assertEquals(1, value("lars.agent.module.get.host", "other", "other", "retcode", "NOEXIST"));
    assertEquals(1, value("lars.agent.module.transitions", "other", "other", "to", "overload"));
    // 2 modules x 8 series + 8 folded series + the folded gauge
    assertEquals(2 * 8 + 8 + 1, registry.find("lars.agent.module.hosts").meters().size()
        + registry.find("lars.agent.module.get.host").meters().size()
        + registry.find("lars.agent.module.transitions").meters().size()
        + registry.find("lars.agent.modules.folded").meters().size());
  }

  @Test
  void aReleasedModulesMetersAreRemoved() {
    metrics.register(1);
    metrics.open(entityView(A, 1, List.of(H1), List.of()));
    metrics.expose(A);
    metrics.open(entityView(B, 1, List.of(H1, H2), List.of()));
    metrics.expose(B);
    metrics.answer(A, RetCode.SUCC);

    metrics.close(A);
    metrics.close(B);

    assertTrue(registry.find("lars.agent.module.hosts").tag("modid", "1").meters().isEmpty());
    assertTrue(registry.find("lars.agent.module.get.host").tag("modid", "1").meters().isEmpty());
    assertTrue(registry.find("lars.agent.module.transitions").tag("modid", "1").meters().isEmpty());
    assertFalse(registry.scrape().contains("modid=\"1\""));
    assertEquals(0, registry.get("lars.agent.modules.folded").gauge().value());
    assertEquals(0, value("lars.agent.module.hosts", "other", "other", "state", "idle"));
    // the slot is free again: a module opened now has series of its own
    metrics.open(entityView(C, 1, List.of(H1), List.of()));
    metrics.expose(C);
    assertEquals(1, value("lars.agent.module.hosts", "3", "1", "state", "idle"));
  }
}
