package io.lars.bench;

import com.typesafe.config.ConfigFactory;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.kernel.Listener;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts an in-process node with every role on a fresh in-memory H2, writes routes through the
 * route repository (10 hosts for each module (t + 1, 1)), waits until the agent serves them, warms
 * up, then runs {@link UdpQpsBench} for each thread count and prints one line per run.
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xms512m -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     io.lars.bench.UdpQpsBenchMain [THREADS,THREADS,...] [SECONDS] [PAIRS_PER_SECOND]
 * </pre>
 *
 * <p>Defaults: {@code 1,2,10}, 10 seconds, 0 (as fast as possible). A rate such as 10000 paces
 * the clients to measure latency at that load. This is a benchmark, not a test; it prints to
 * standard output like the reference {@code qps} tool.
 */
public final class UdpQpsBenchMain {

  private static final int HOSTS_PER_MODULE = 10;

  private UdpQpsBenchMain() {}

  /**
   * @param args thread counts (comma-separated), seconds per run, target pairs per second (0 = closed loop)
   * @throws Exception if the node cannot start or the routes never arrive
   */
  public static void main(String[] args) throws Exception {
    List<Integer> threadCounts = new ArrayList<>();
    for (String t : (args.length > 0 ? args[0] : "1,2,10").split(",")) {
      threadCounts.add(Integer.parseInt(t.trim()));
    }
    Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int modules = threadCounts.stream().mapToInt(Integer::intValue).max().orElse(1);

    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString("akka.loglevel = WARNING"));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    try {
      RouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      for (int m = 1; m <= modules; m++) {
        for (int h = 1; h <= HOSTS_PER_MODULE; h++) {
          routes.addHost(new ModuleId(m, 1), Host.of("10.1." + m + "." + h, 9000 + h));
        }
      }
      List<InetSocketAddress> ports = node.listeners("agent", "udp").stream().map(Listener::address).toList();
      awaitRoutes(ports, modules);
      print("warm-up " + UdpQpsBench.run(ports, modules, Duration.ofSeconds(5), 0));
      for (int threads : threadCounts) {
        print(UdpQpsBench.run(ports, threads, duration, rate).toString());
      }
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Waits until every module answers SUCC: the dns polls the route version once a second. */
  private static void awaitRoutes(List<InetSocketAddress> ports, int modules) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (UdpQpsBench.run(ports, modules, Duration.ofMillis(200), 0).failures() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the agent did not serve the routes within 30 s");
      }
    }
  }

  private static void print(String line) {
    System.out.println(line);
  }
}
