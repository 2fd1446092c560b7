package io.lars.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.kernel.RouteReload;
import io.lars.dns.RawDnsClient;
import io.lars.dns.RouteTable;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Measures the dns role in-process on an in-memory H2 database with the default intervals
 * (poll 1 s, full reload 10 s):
 *
 * <ol>
 *   <li>memory of a {@link RouteTable} of 10,000 modules x 10 hosts (heap delta after GC);
 *   <li>route-change propagation, commit to push received on a raw TCP subscriber, over 20
 *       changes at random phases of the poll, then the same with {@link RouteReload.ReloadNow} sent
 *       after each commit (the admin's path);
 *   <li>lookups per second from 10 concurrent TCP clients, one request in flight per client,
 *       for 10 s, with latency percentiles.
 * </ol>
 *
 * <p>Run: {@code mvn -q -o -DskipTests test-compile exec:exec -Dexec.executable=java
 * -Dexec.classpathScope=test -Dexec.args="-Xmx1g -cp %classpath io.lars.bench.DnsBench"}
 */
public final class DnsBench {

  private static final int CHANGES = 20;
  private static final int CLIENTS = 10;
  private static final Duration LOOKUP_TIME = Duration.ofSeconds(10);
  private static final int LOOKUP_MODULES = 100;

  private DnsBench() {}

  /**
   * Runs the three measurements and prints the figures.
   *
   * @param args ignored
   */
  public static void main(String[] args) throws Exception {
    tableMemory();
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString("akka.loglevel = WARNING"));
    LarsNode node = LarsNode.start(conf.config(), java.util.EnumSet.of(Role.DNS)).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    try {
      RouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      InetSocketAddress dns = new InetSocketAddress("127.0.0.1", node.listeners("dns", "tcp").get(0).address().getPort());
      propagation(routes, dns, null);
      propagation(routes, dns, poller(node));
      lookups(routes, dns);
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void tableMemory() {
    long before = usedAfterGc();
    RouteTable table = buildTable(10_000, 10);
    long after = usedAfterGc();
    System.out.printf("RouteTable %d modules x 10 hosts (%d hosts): %.1f MiB retained, %.0f bytes per host%n",
        table.moduleCount(), table.hostCount(), (after - before) / 1048576.0, (after - before) / (double) table.hostCount());
  }

  private static RouteTable buildTable(int modules, int hostsPerModule) {
    Map<ModuleId, List<Host>> routes = new HashMap<>();
    for (int m = 0; m < modules; m++) {
      List<Host> hosts = new ArrayList<>();
      for (int h = 0; h < hostsPerModule; h++) {
        hosts.add(new Host(0x0a000000 + m * hostsPerModule + h, 8000 + h));
      }
      routes.put(new ModuleId(m / 100 + 1, m % 100 + 1), hosts);
    }
    return RouteTable.of(routes);
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  private static ActorRef<RouteReload.Command> poller(LarsNode node) throws Exception {
    Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
        node.system().receptionist(), replyTo -> Receptionist.find(RouteReload.SERVICE_KEY, replyTo),
        Duration.ofSeconds(5), node.system().scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return listing.getServiceInstances(RouteReload.SERVICE_KEY).iterator().next();
  }

  /** Adds one host per change and times commit to push, at a random phase of the poll each time. */
  private static void propagation(RouteRepository routes, InetSocketAddress dns, ActorRef<RouteReload.Command> poller)
      throws Exception {
    ModuleId module = new ModuleId(poller == null ? 1 : 2, 1);
    long[] millis = new long[CHANGES];
    try (RawDnsClient client = new RawDnsClient(dns)) {
      client.lookup(module);
      List<Host> expected = new ArrayList<>();
      for (int i = 0; i < CHANGES; i++) {
        Thread.sleep(ThreadLocalRandom.current().nextLong(1000));
        Host host = new Host(0x0a010000 + i, 9000);
        routes.addHost(module, host);
        long committed = System.nanoTime();
        if (poller != null) {
          poller.tell(new RouteReload.ReloadNow());
        }
        expected.add(host);
        awaitHosts(client, module, expected.size());
        millis[i] = (System.nanoTime() - committed) / 1_000_000;
      }
    }
    Arrays.sort(millis);
    System.out.printf("propagation commit -> push (%s), %d changes: median %d ms, max %d ms, min %d ms%n",
        poller == null ? "poll 1 s" : "ReloadNow after commit", CHANGES, millis[CHANGES / 2], millis[CHANGES - 1], millis[0]);
  }

  private static void awaitHosts(RawDnsClient client, ModuleId module, int hosts) throws IOException {
    while (true) {
      RawDnsClient.Answer a = client.read(Duration.ofSeconds(30));
      if (a == null) {
        throw new IOException("no push within 30 s");
      }
      if (a.module().equals(module) && a.hosts().size() == hosts) {
        return;
      }
    }
  }

  /** Each client loops request + answer over 100 modules with 10 hosts each. */
  private static void lookups(RouteRepository routes, InetSocketAddress dns) throws Exception {
    for (int m = 1; m <= LOOKUP_MODULES; m++) {
      for (int h = 0; h < 10; h++) {
        routes.addHost(new ModuleId(1000, m), new Host(0x0a020000 + m * 16 + h, 7000));
      }
    }
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    try (RawDnsClient probe = new RawDnsClient(dns)) {
      while (probe.lookup(new ModuleId(1000, LOOKUP_MODULES)).hosts().size() < 10) {
        Thread.sleep(100);
      }
    }
    List<Future<Histogram>> results = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + LOOKUP_TIME.toNanos();
    for (int c = 0; c < CLIENTS; c++) {
      results.add(threads.submit(() -> {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (RawDnsClient client = new RawDnsClient(dns)) {
          int m = ThreadLocalRandom.current().nextInt(LOOKUP_MODULES);
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            client.lookup(new ModuleId(1000, m % LOOKUP_MODULES + 1));
            latency.recordValue(System.nanoTime() - t0);
            m++;
          }
        }
        return latency;
      }));
    }
    Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    for (Future<Histogram> f : results) {
      all.add(f.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    threads.shutdown();
    System.out.printf("lookups: %d clients, %.1f s: %d lookups, %.0f lookups/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        CLIENTS, seconds, all.getTotalCount(), all.getTotalCount() / seconds,
        all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(99) / 1e6, all.getMaxValue() / 1e6);
  }
}
