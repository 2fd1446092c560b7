package io.lars.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.agent.LoadBalance;
import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three nodes in one JVM (SPEC 10): all agents share one LoadBalance per module, and a module
 * whose node dies comes back on another node with its route and overload states from the journal.
 */
class ClusterFailoverTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterFailoverTest.class);
  private static final Host A = Host.of("10.1.0.1", 9000);
  private static final Host B = Host.of("10.1.0.2", 9000);
  private static final Host C = Host.of("10.1.0.3", 9000);
  private static final int CANDIDATES = 40;

  @Test
  void sharedHealthViewAndFailoverOfAnEntityWithItsOverloadStates() throws Exception {
    Map<ModuleId, List<Host>> routes = new LinkedHashMap<>();
    for (int cmdid = 1; cmdid <= CANDIDATES; cmdid++) {
      routes.put(new ModuleId(700, cmdid), List.of(A, B, C));
    }
    try (ClusterHarness cluster = ClusterHarness.start(routes)) {
      ModuleId module = routes.keySet().stream().filter(m -> cluster.hostOf(1, m) == 2).findFirst()
          .orElseThrow(() -> new AssertionError("no module of " + CANDIDATES + " landed on node 2"));
      cluster.await("route of " + module + " from the dns", () -> cluster.state(1, module).routeKnown()
          && cluster.state(1, module).idle().size() == 3);

      // Shared health view: half the consecutive failures through node 1, half through node 3.
      LarsClient client1 = cluster.client(1);
      LarsClient client3 = cluster.client(3);
      int limit = 10;
      for (int i = 0; i < limit / 2; i++) {
        client1.report(module.modid(), module.cmdid(), A, RetCode.SYSTEM_ERROR, Duration.ofMillis(5))
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      cluster.await("5 failures counted", () -> continErr(cluster.state(3, module), A) == limit / 2);
      assertEquals(List.of(), overloaded(cluster.state(3, module)), "not overloaded after half the failures");
      for (int i = 0; i < limit / 2; i++) {
        client3.report(module.modid(), module.cmdid(), A, RetCode.SYSTEM_ERROR, Duration.ofMillis(5))
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      cluster.await("A overloaded by reports through two agents",
          () -> overloaded(cluster.state(1, module)).equals(List.of(A)));

      // Clients on node 1 keep asking while node 2 dies.
      AtomicBoolean running = new AtomicBoolean(true);
      Map<RetCode, AtomicInteger> answers = new EnumMap<>(RetCode.class);
      for (RetCode code : RetCode.values()) {
        answers.put(code, new AtomicInteger());
      }
      AtomicInteger timeouts = new AtomicInteger();
      CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
        while (running.get()) {
          try {
            HostResult r = client1.getHost(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS);
            answers.get(r.retCode()).incrementAndGet();
          } catch (Exception e) {
            timeouts.incrementAndGet();
          }
        }
      });
      cluster.await("answers before the crash", () -> answers.get(RetCode.SUCC).get() > 20);

      long crashedAt = System.nanoTime();
      cluster.crashNode2();
      cluster.awaitNode2Removed();
      long removedAt = System.nanoTime();
      int movedTo = cluster.hostOf(1, module);
      LoadBalance.Snapshot recovered = cluster.state(1, module);
      int succBefore = answers.get(RetCode.SUCC).get();
      cluster.await("answers after the move", () -> answers.get(RetCode.SUCC).get() > succBefore + 20);
      running.set(false);
      load.get(10, TimeUnit.SECONDS);

      log.info("failover of {}: node 2 removed {} ms after the crash; entity now on node {}; answers during the "
              + "test {} (timeouts {})", module, (removedAt - crashedAt) / 1_000_000, movedTo, answers, timeouts);
      assertNotEquals(2, movedTo);
      assertTrue(recovered.routeKnown());
      assertEquals(List.of(A), overloaded(recovered), "A still overloaded after the move");
      assertEquals(3, recovered.idle().size() + recovered.overload().size());
      assertEquals(0, answers.get(RetCode.NOEXIST).get(), "NOEXIST during or after the move");
      assertTrue(answers.get(RetCode.SYSTEM_ERROR).get() + timeouts.get() < answers.get(RetCode.SUCC).get(),
          "failures " + answers + " timeouts " + timeouts);
    }
  }

  private static List<Host> overloaded(LoadBalance.Snapshot state) {
    return state.overload().stream().map(LoadBalance.HostSnapshot::host).toList();
  }

  private static int continErr(LoadBalance.Snapshot state, Host host) {
    return state.idle().stream().filter(h -> h.host().equals(host)).mapToInt(LoadBalance.HostSnapshot::continErr)
        .findFirst().orElse(-1);
  }
}
