package io.lars.bench;

import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.testkit.ClusterHarness;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster figures (SPEC 10), not a test: three nodes in one JVM ({@link ClusterHarness}).
 *
 * <ol>
 *   <li>get_host latency through node 1's UDP agent when the module's entity is on node 1 and when
 *       it is on node 2 (one Artery round trip more): p50/p99/p99.9 of sequential requests.
 *   <li>Propagation of a transition: failures of host A of a module whose entity is on node 2 are
 *       reported through node 1 (enough to overload A); node 3's agent is asked for the module
 *       without pause, and the time from the last report sent to the first of four answers in a row
 *       without A (A is then only probed) is recorded, once per module, over up to 15 modules.
 *   <li>Failover time over {@code runs} fresh clusters: node 2, which hosts the module, is stopped
 *       without leaving; four clients on node 1 keep asking. Reported: node 2 removed (failure
 *       detector + split-brain resolver, stable-after 2 s), and the module answering again (the
 *       first SUCC to a request sent after the last failed one), from the crash; SYSTEM_ERROR count.
 * </ol>
 *
 * <p>Run (results go to the log, INFO level, logger {@code io.lars.bench.ClusterBenchMain}):
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) io.lars.bench.ClusterBenchMain [requests] [runs]
 * </pre>
 */
public final class ClusterBenchMain {

  private static final Logger log = LoggerFactory.getLogger(ClusterBenchMain.class);
  private static final Host A = Host.of("10.2.0.1", 9000);
  private static final Host B = Host.of("10.2.0.2", 9000);
  private static final Host C = Host.of("10.2.0.3", 9000);
  /** cmdids of the modules (modid 801) used for the propagation measurement. */
  private static final int PROPAGATION_CANDIDATES = 45;
  private static final int CANDIDATES = 40;
  private static final int CLIENTS = 4;

  private ClusterBenchMain() {}

  /**
   * Runs both measurements.
   *
   * @param args optional: get_host requests per placement (default 20000), failover runs (default 5)
   * @throws Exception if the cluster does not start
   */
  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    latency(requests);
    List<String> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      results.add(failover(run));
    }
    results.forEach(r -> log.info("RESULT {}", r));
    System.exit(0);
  }

  private static Map<ModuleId, List<Host>> routes() {
    Map<ModuleId, List<Host>> routes = new LinkedHashMap<>();
    for (int cmdid = 1; cmdid <= CANDIDATES; cmdid++) {
      routes.put(new ModuleId(800, cmdid), List.of(A, B));
    }
    for (int cmdid = 1; cmdid <= PROPAGATION_CANDIDATES; cmdid++) {
      routes.put(new ModuleId(801, cmdid), List.of(A, B, C));
    }
    return routes;
  }

  private static ModuleId moduleOn(ClusterHarness cluster, int node) {
    return routes().keySet().stream().filter(m -> cluster.hostOf(1, m) == node).findFirst()
        .orElseThrow(() -> new IllegalStateException("no module landed on node " + node));
  }

  private static void latency(int requests) throws Exception {
    try (ClusterHarness cluster = ClusterHarness.start(routes())) {
      LarsClient client = cluster.client(1);
      for (int node : new int[] {1, 2}) {
        ModuleId module = moduleOn(cluster, node);
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < requests / 4; i++) {
          client.getHost(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        for (int i = 0; i < requests; i++) {
          long start = System.nanoTime();
          HostResult r = client.getHost(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS);
          h.recordValue(System.nanoTime() - start);
          if (r.retCode() != RetCode.SUCC) {
            throw new IllegalStateException("get_host " + module + ": " + r);
          }
        }
        log.info("RESULT get_host via node 1, entity on node {} ({}): n={} p50={}us p99={}us p99.9={}us max={}us",
            node, node == 1 ? "same node" : "remote node", requests, h.getValueAtPercentile(50) / 1000,
            h.getValueAtPercentile(99) / 1000, h.getValueAtPercentile(99.9) / 1000, h.getMaxValue() / 1000);
      }
      propagation(cluster);
    }
  }

  private static void propagation(ClusterHarness cluster) throws Exception {
    LarsClient client1 = cluster.client(1);
    LarsClient client3 = cluster.client(3);
    List<ModuleId> modules = new ArrayList<>();
    for (int cmdid = 1; cmdid <= PROPAGATION_CANDIDATES && modules.size() < 15; cmdid++) {
      ModuleId module = new ModuleId(801, cmdid);
      if (cluster.hostOf(1, module) == 2) {
        modules.add(module);
      }
    }
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    for (ModuleId module : modules) {
      // Both nodes serve the module, with every host idle, before the failures.
      for (int i = 0; i < 30; i++) {
        get(client1, module);
        get(client3, module);
      }
      cluster.await("route of " + module + " in its entity", () -> cluster.state(1, module).idle().size() == 3);
      for (int i = 0; i < 10; i++) {
        client1.report(module.modid(), module.cmdid(), A, RetCode.SYSTEM_ERROR, java.time.Duration.ofMillis(5))
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      long sent = System.nanoTime();
      long firstWithoutA = 0;
      int withoutA = 0;
      while (withoutA < 4) {
        long asked = System.nanoTime();
        if (asked - sent > TimeUnit.SECONDS.toNanos(10)) {
          throw new IllegalStateException("node 3 still picks A of " + module + " 10 s after the failures");
        }
        if (A.equals(get(client3, module))) {
          withoutA = 0;
        } else if (withoutA++ == 0) {
          firstWithoutA = asked;
        }
      }
      h.recordValue(Math.max(0, firstWithoutA - sent));
    }
    log.info("RESULT transition reported through node 1 in force on node 3 (entity on node 2): n={} p50={}us "
            + "p99={}us max={}us", h.getTotalCount(), h.getValueAtPercentile(50) / 1000,
        h.getValueAtPercentile(99) / 1000, h.getMaxValue() / 1000);
  }

  private static Host get(LarsClient client, ModuleId module) throws Exception {
    HostResult r = client.getHost(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    if (r.retCode() != RetCode.SUCC) {
      throw new IllegalStateException("get_host " + module + ": " + r);
    }
    return r.host();
  }

  /** One request: when it was sent and answered, and how. */
  private record Call(long sentNanos, long doneNanos, RetCode retCode) {}

  private static String failover(int run) throws Exception {
    try (ClusterHarness cluster = ClusterHarness.start(routes())) {
      ModuleId module = moduleOn(cluster, 2);
      LarsClient client = cluster.client(1);
      AtomicBoolean running = new AtomicBoolean(true);
      List<Call> calls = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        loops.add(CompletableFuture.runAsync(() -> {
          while (running.get()) {
            long sent = System.nanoTime();
            RetCode code;
            try {
              code = client.getHost(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS).retCode();
            } catch (Exception e) {
              code = RetCode.SYSTEM_ERROR;
            }
            calls.add(new Call(sent, System.nanoTime(), code));
          }
        }));
      }
      cluster.await("answers before the crash", () -> calls.size() > 200);
      long crash = System.nanoTime();
      cluster.crashNode2();
      cluster.awaitNode2Removed();
      long removed = System.nanoTime();
      int movedTo = cluster.hostOf(1, module);
      cluster.await("answers after the move", () -> {
        synchronized (calls) {
          return calls.stream().filter(c -> c.sentNanos() > removed && c.retCode() == RetCode.SUCC).count() > 200;
        }
      });
      running.set(false);
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

      List<Call> all;
      synchronized (calls) {
        all = List.copyOf(calls);
      }
      long lastFailure = all.stream().filter(c -> c.retCode() != RetCode.SUCC).mapToLong(Call::doneNanos).max().orElse(crash);
      long answering = all.stream().filter(c -> c.retCode() == RetCode.SUCC && c.sentNanos() >= lastFailure)
          .mapToLong(Call::doneNanos).min().orElseThrow();
      long errors = all.stream().filter(c -> c.retCode() == RetCode.SYSTEM_ERROR).count();
      long noexist = all.stream().filter(c -> c.retCode() == RetCode.NOEXIST).count();
      String result = String.format("failover run %d: %s moved from node 2 to node %d; node 2 removed after %d ms; "
              + "answering again after %d ms; SYSTEM_ERROR %d, NOEXIST %d of %d requests",
          run, module, movedTo, (removed - crash) / 1_000_000, (answering - crash) / 1_000_000, errors, noexist,
          all.size());
      log.info("RESULT {}", result);
      return result;
    }
  }
}
