package io.lars.testkit;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The load-balancing quality scenarios (issue 17's S1-S6): ten real TCP backends on
 * loopback, client threads at a fixed request rate calling them through {@link LarsClient#call}
 * and a real agent over UDP, each call reported with its real outcome and time cost. A backend's
 * latency, error rate and liveness change during the run; the bench records every backend's
 * traffic per second and the client-visible outcome, and prints one table row per scenario and
 * policy.
 *
 * <p>Each run starts a fresh all-roles node (embedded H2, free ports) with
 * {@code lars.agent.load-balance.policy} set to the policy and the given overrides. Used by the
 * benchmark {@code io.lars.bench.LbScenarioBench} (figures in {@code docs/BENCHMARKS.md}) and, short,
 * by {@code io.lars.agent.AdaptivePolicyScenarioTest}.
 */
public final class LbScenarios {

  private static final ModuleId MODULE = new ModuleId(17, 1);
  private static final int BACKENDS = 10;
  private static final long HEALTHY_LATENCY_MICROS = 2_000;

  /** How a backend behaves now; changed by the scenario while clients run. */
  private static final class Backend {
    final int index;
    final ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "lbbench-backend");
      t.setDaemon(true);
      return t;
    });
    volatile ServerSocket server;
    volatile long latencyMicros = HEALTHY_LATENCY_MICROS;
    volatile double errorRate;
    volatile long errorLatencyMicros = -1;
    int port;
    final AtomicLongArray callsPerSecond;

    Backend(int index, int seconds) {
      this.index = index;
      this.callsPerSecond = new AtomicLongArray(seconds + 2);
    }

    Host host() {
      return new Host(Ipv4.parse("127.0.0.1"), port);
    }

    void start() throws IOException {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      port = s.getLocalPort();
      server = s;
      pool.execute(() -> accept(s));
    }

    void kill() throws IOException {
      server.close();
    }

    private void accept(ServerSocket s) {
      while (!s.isClosed()) {
        try {
          Socket socket = s.accept();
          pool.execute(() -> serve(socket));
        } catch (IOException closed) {
          return;
        }
      }
    }

    /** One request per connection: read a byte, wait the latency, answer Y (success) or N. */
    private void serve(Socket socket) {
      try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
        if (in.read() < 0) {
          return;
        }
        boolean fail = ThreadLocalRandom.current().nextDouble() < errorRate;
        long micros = fail && errorLatencyMicros >= 0 ? errorLatencyMicros : latencyMicros;
        TimeUnit.MICROSECONDS.sleep(micros);
        out.write(fail ? 'N' : 'Y');
      } catch (IOException | InterruptedException e) {
        // the client gave up; nothing to answer
      }
    }
  }

  /**
   * What one scenario run measured.
   *
   * @param scenario S1..S6
   * @param policy reference or adaptive
   * @param calls calls made by the clients
   * @param clientErrors calls that failed for the client (no host, or the backend failed)
   * @param p50Ms median call latency, get_host included, ms
   * @param p99Ms 99th percentile of the same, ms
   * @param targetShareAfter the changed backend's share of all backend calls from 2 s after the
   *     event to the end, 0.0..1.0
   * @param metric the scenario's own figure, as text for the table
   */
  public record Outcome(String scenario, String policy, long calls, long clientErrors, double p50Ms, double p99Ms,
      double targetShareAfter, String metric) {

    /** @return the clients' success rate, 0.0..1.0 */
    public double successRate() {
      return calls == 0 ? 0 : 1.0 - clientErrors / (double) calls;
    }

    /** @return one table row */
    public String row() {
      return String.format(Locale.ROOT, "%-4s %-10s %8d %7.2f%% %9.2f %9.2f  %s", scenario, policy, calls,
          calls == 0 ? 0.0 : 100.0 * clientErrors / calls, p50Ms, p99Ms, metric);
    }
  }

  private final ExecutorService callers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "lbscenario-call");
    t.setDaemon(true);
    return t;
  });
  private final int rate;
  private final int threads;
  private final int seconds;
  private final int eventAt;

  /**
   * @param rate calls per second of all client threads together
   * @param threads client threads
   * @param seconds length of one run, s
   * @param eventAt second of the run at which the scenario's change happens
   */
  public LbScenarios(int rate, int threads, int seconds, int eventAt) {
    this.rate = rate;
    this.threads = threads;
    this.seconds = seconds;
    this.eventAt = eventAt;
  }

  /**
   * Runs one scenario on a fresh node.
   *
   * @param scenario S1..S6
   * @param policy {@code reference} or {@code adaptive}
   * @param overrides configuration laid over the node's (e.g. a shorter probe rate), may be empty
   * @return what it measured
   * @throws Exception if the node cannot start or never learns the route
   */
  public Outcome run(String scenario, String policy, Config overrides) throws Exception {
    List<Backend> backends = new ArrayList<>();
    for (int i = 0; i < BACKENDS; i++) {
      Backend b = new Backend(i, seconds);
      b.start();
      backends.add(b);
    }
    Backend target = backends.get(0);
    if (scenario.equals("S5")) {
      target.kill();
    }
    if (scenario.equals("S4")) {
      backends.forEach(b -> b.errorRate = 0.4);
    }
    Config node0 = TestNodeConfig.create().config();
    Config config = overrides.withFallback(ConfigFactory.parseString("lars.agent.load-balance.policy = " + policy))
        .withValue("lars.client.agent-ports", node0.getValue("lars.agent.ports"))
        .withFallback(node0);
    LarsNode node = LarsNode.start(config, EnumSet.allOf(Role.class)).toCompletableFuture().get(120, TimeUnit.SECONDS);
    try {
      JdbcRouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      for (Backend b : backends) {
        routes.addHost(MODULE, b.host());
      }
      try (LarsClient client = LarsClient.create(node.system(), ClientSettings.fromConfig(node.system().settings().config()))) {
        awaitRoute(node.system(), client);
        return drive(scenario, policy, client, backends, target);
      }
    } finally {
      node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      for (Backend b : backends) {
        b.kill();
        b.pool.shutdownNow();
      }
    }
  }

  private Outcome drive(String scenario, String policy, LarsClient client, List<Backend> backends, Backend target)
      throws Exception {
    Map<Host, Backend> byHost = new HashMap<>();
    backends.forEach(b -> byHost.put(b.host(), b));
    Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
    Histogram before = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
    Histogram after = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
    LongAdder calls = new LongAdder();
    LongAdder errors = new LongAdder();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) * threads / rate;
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      long offset = intervalNanos * i / threads;
      Thread t = new Thread(() -> callLoop(client, byHost, start, end, offset, intervalNanos, latency, before, after, calls, errors),
          "lbbench-client");
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
    sleepUntil(start + TimeUnit.SECONDS.toNanos(eventAt));
    switch (scenario) {
      case "S1" -> target.kill();
      case "S2" -> target.latencyMicros = HEALTHY_LATENCY_MICROS * 10;
      case "S3" -> {
        target.errorLatencyMicros = 1_000;
        target.errorRate = 1.0;
      }
      case "S5" -> target.start();
      default -> { }
    }
    for (Thread t : workers) {
      t.join(TimeUnit.SECONDS.toMillis(seconds + 10));
    }
    return new Outcome(scenario, policy, calls.sum(), errors.sum(), latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0, shareAfter(backends, target),
        metric(scenario, backends, target) + String.format(Locale.ROOT, "; p99 before %.2f ms, after %.2f ms",
            before.getValueAtPercentile(99) / 1000.0, after.getValueAtPercentile(99) / 1000.0));
  }

  private double shareAfter(List<Backend> backends, Backend target) {
    long targetAfter = 0;
    long allAfter = 0;
    for (int s = eventAt + 2; s < seconds; s++) {
      targetAfter += target.callsPerSecond.get(s);
      for (Backend b : backends) {
        allAfter += b.callsPerSecond.get(s);
      }
    }
    return allAfter == 0 ? 0 : targetAfter / (double) allAfter;
  }

  /** The scenario's own figure, from the per-second traffic of each backend after the event. */
  private String metric(String scenario, List<Backend> backends, Backend target) {
    double shareAfter = 100.0 * shareAfter(backends, target);
    return switch (scenario) {
      case "S1" -> String.format(Locale.ROOT, "dead host share after +2 s %.2f%%, below 1%% after %s", shareAfter,
          secondsUntil(backends, target, share -> share < 0.01));
      case "S2" -> String.format(Locale.ROOT, "slow host share after +2 s %.2f%%", shareAfter);
      case "S3" -> String.format(Locale.ROOT, "fast-failing host share after +2 s %.2f%%", shareAfter);
      case "S4" -> "see errors: every host fails 40 %";
      case "S5" -> String.format(Locale.ROOT, "peak calls/s to the dead host %d, full share (>= 9 %%) after %s",
          peakBefore(target), secondsUntil(backends, target, share -> share >= 0.09));
      case "S6" -> String.format(Locale.ROOT, "max/mean share %.2f", maxOverMean(backends));
      default -> "";
    };
  }

  private String secondsUntil(List<Backend> backends, Backend target, java.util.function.DoublePredicate holds) {
    for (int s = eventAt; s < seconds; s++) {
      long all = 0;
      for (Backend b : backends) {
        all += b.callsPerSecond.get(s);
      }
      if (all > 0 && holds.test(target.callsPerSecond.get(s) / (double) all)) {
        return (s - eventAt) + " s";
      }
    }
    return "never";
  }

  private long peakBefore(Backend target) {
    long peak = 0;
    for (int s = 2; s < eventAt; s++) {
      peak = Math.max(peak, target.callsPerSecond.get(s));
    }
    return peak;
  }

  private double maxOverMean(List<Backend> backends) {
    long max = 0;
    long sum = 0;
    for (Backend b : backends) {
      long n = 0;
      for (int s = 2; s < seconds; s++) {
        n += b.callsPerSecond.get(s);
      }
      max = Math.max(max, n);
      sum += n;
    }
    return sum == 0 ? 0 : max / (sum / (double) backends.size());
  }

  private void callLoop(LarsClient client, Map<Host, Backend> byHost, long start, long end, long offset,
      long intervalNanos, Histogram latency, Histogram before, Histogram after, LongAdder calls, LongAdder errors) {
    long next = start + offset;
    while (next < end) {
      sleepUntil(next);
      long t0 = System.nanoTime();
      try {
        client.call(MODULE.modid(), MODULE.cmdid(), Duration.ofSeconds(1), host -> callBackend(host, byHost.get(host), start))
            .toCompletableFuture().join();
      } catch (RuntimeException e) {
        errors.increment();
      }
      long micros = Math.min(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0), TimeUnit.SECONDS.toMicros(10));
      latency.recordValue(micros);
      long second = TimeUnit.NANOSECONDS.toSeconds(t0 - start);
      if (second >= 2 && second < eventAt) {
        before.recordValue(micros);
      } else if (second >= eventAt + 2) {
        after.recordValue(micros);
      }
      calls.increment();
      next += intervalNanos;
    }
  }

  private CompletionStage<Boolean> callBackend(Host host, Backend backend, long start) {
    if (backend != null) {
      int second = (int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      if (second < backend.callsPerSecond.length()) {
        backend.callsPerSecond.incrementAndGet(second);
      }
    }
    // call() runs this on the client's receive thread: the blocking exchange goes to a pool of its own.
    return CompletableFuture.supplyAsync(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), host.port()), 1000);
        socket.setSoTimeout(1000);
        socket.getOutputStream().write('?');
        int answer = socket.getInputStream().read();
        if (answer != 'Y') {
          throw new java.util.concurrent.CompletionException(new IOException("backend answered " + answer));
        }
        return true;
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, callers);
  }

  private static void awaitRoute(ActorSystem<?> system, LarsClient client) {
    Await.awaitAssert(system, Duration.ofSeconds(30), () -> {
      int hosts = client.register(MODULE.modid(), MODULE.cmdid()).toCompletableFuture().get(10, TimeUnit.SECONDS)
          .hosts().size();
      if (hosts < BACKENDS) {
        throw new AssertionError("the agent knows " + hosts + " of the " + BACKENDS + " hosts of " + MODULE);
      }
      return hosts;
    });
  }

  private static void sleepUntil(long nanoTime) {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
