package io.lars.cli;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.agent.LoadBalance;
import io.lars.agent.LoadBalanceEntity;
import io.lars.agent.LoadBalanceSettings;
import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The end-to-end demonstration behind {@code lars demo}: an all-roles node on a temporary
 * embedded database, four real HTTP backends on loopback registered as module (1,1), and client
 * threads calling them through {@link LarsClient#call} with real HTTP requests. At the end a
 * fifth backend registers itself with a lease, and is killed without deregistering to show it
 * leave the route after its TTL (DESIGN.md "Self-registration").
 *
 * <p>Backends: {@code fast} (healthy), {@code slow} (healthy, answers after 300 ms),
 * {@code failing} (HTTP 500 for 80% of requests), {@code dead} (a port nobody listens on).
 */
final class Demo {

  /** Module the backends are registered as. */
  static final ModuleId MODULE = new ModuleId(1, 1);

  /** Per-backend totals at the end of a run. */
  record BackendResult(String name, Host host, long calls, long succ, long err, double share, double lastShare,
      boolean overloadedAtEnd) {}

  /**
   * What the self-registration part showed (DESIGN.md "Self-registration").
   *
   * @param joinedMs from the registration's answer to the host in the agent's route
   * @param leftMs from the last heartbeat to the host out of the agent's route (TTL included)
   * @param ttlMs the lease's TTL
   */
  record LeaseDemo(long joinedMs, long leftMs, long ttlMs) {}

  /** What a run showed. */
  record Result(List<BackendResult> backends, List<String> transitions, List<CallStatusRow> stored, long noHost,
      LeaseDemo lease) {

    BackendResult backend(String name) {
      return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }
  }

  private static final class Backend {
    final String name;
    final Host host;
    final HttpServer server;
    final LongAdder calls = new LongAdder();
    final LongAdder succ = new LongAdder();
    final LongAdder err = new LongAdder();
    long lastSecondCalls;
    long windowStartCalls;

    Backend(String name, Host host, HttpServer server) {
      this.name = name;
      this.host = host;
      this.server = server;
    }
  }

  private final PrintStream out;
  private final int threads;
  private final Duration runFor;
  private final LoadBalanceSettings.Policy policy;

  Demo(PrintStream out, int threads, Duration runFor) {
    this(out, threads, runFor, LoadBalanceSettings.Policy.REFERENCE);
  }

  Demo(PrintStream out, int threads, Duration runFor, LoadBalanceSettings.Policy policy) {
    this.policy = policy;
    this.out = out;
    this.threads = threads;
    this.runFor = runFor;
  }

  Result run() throws Exception {
    Path dir = Files.createTempDirectory("lars-demo");
    ExecutorService backendPool = Executors.newFixedThreadPool(32);
    List<Backend> backends = new ArrayList<>();
    LarsNode node = null;
    try {
      backends.add(startBackend("fast", backendPool, exchange -> respond(exchange, 200)));
      backends.add(startBackend("slow", backendPool, exchange -> {
        sleepQuietly(300);
        respond(exchange, 200);
      }));
      backends.add(startBackend("failing", backendPool,
          exchange -> respond(exchange, ThreadLocalRandom.current().nextInt(10) < 8 ? 500 : 200)));
      backends.add(new Backend("dead", new Host(io.lars.protocol.Ipv4.parse("127.0.0.1"), LocalPorts.freeTcp()), null));

      node = LarsNode.start(demoConfig(dir, policy), EnumSet.allOf(Role.class)).toCompletableFuture()
          .get(120, TimeUnit.SECONDS);
      out.println(node.readyLine());
      out.println("load-balancing policy: " + policy.name().toLowerCase(java.util.Locale.ROOT));
      JdbcRouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      for (Backend b : backends) {
        routes.addHost(MODULE, b.host);
        out.printf("backend %-8s %s registered as module %s%n", b.name, b.host, MODULE);
      }
      ClientSettings clientSettings = ClientSettings.fromConfig(node.system().settings().config());
      try (LarsClient client = LarsClient.create(node.system(), clientSettings)) {
        Result result = drive(node, client, backends, dir);
        Backend leased = startBackend("leased", backendPool, exchange -> respond(exchange, 200));
        backends.add(leased);
        return new Result(result.backends(), result.transitions(), result.stored(), result.noHost(),
            selfRegistration(client, leased));
      }
    } finally {
      if (node != null) {
        node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      for (Backend b : backends) {
        if (b.server != null) {
          b.server.stop(0);
        }
      }
      backendPool.shutdownNow();
    }
  }

  private Result drive(LarsNode node, LarsClient client, List<Backend> backends, Path dir) throws Exception {
    Map<Host, Backend> byHost = new HashMap<>();
    backends.forEach(b -> byHost.put(b.host, b));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(1)).build();
    LongAdder noHost = new LongAdder();
    awaitRoute(client, backends.size());
    Map<Host, Boolean> lastState = new HashMap<>(overloadState(node));
    long end = System.nanoTime() + runFor.toNanos();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> callLoop(client, http, byHost, noHost, end), "demo-client-" + i);
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
    List<String> transitions = new ArrayList<>();
    long seconds = runFor.toSeconds();
    long windowStart = Math.max(1, seconds / 2);
    for (int s = 1; s <= seconds; s++) {
      Thread.sleep(1000);
      if (s == windowStart) {
        backends.forEach(b -> b.windowStartCalls = b.calls.sum());
      }
      Map<Host, Boolean> overloaded = overloadState(node);
      printSecond(s, backends, overloaded);
      for (Backend b : backends) {
        Boolean now = overloaded.get(b.host);
        Boolean before = lastState.get(b.host);
        if (now != null && before != null && !now.equals(before)) {
          String line = String.format("t=%2ds transition: %s %s -> %s", s, b.name, b.host, now ? "overload" : "idle");
          transitions.add(line);
          out.println(line);
        }
        if (now != null) {
          lastState.put(b.host, now);
        }
      }
    }
    for (Thread t : workers) {
      t.join(5000);
    }
    Map<Host, Boolean> finalState = overloadState(node);
    // let the agent's last statistics reach the reporter and its writer flush them
    Thread.sleep(2500);
    List<CallStatusRow> stored = new CallStatusRepository(node.database().orElseThrow().dataSource())
        .list(Optional.of(MODULE));
    long total = backends.stream().mapToLong(b -> b.calls.sum()).sum();
    long totalWindow = backends.stream().mapToLong(b -> b.calls.sum() - b.windowStartCalls).sum();
    List<BackendResult> results = new ArrayList<>();
    for (Backend b : backends) {
      results.add(new BackendResult(b.name, b.host, b.calls.sum(), b.succ.sum(), b.err.sum(),
          total == 0 ? 0 : b.calls.sum() / (double) total,
          totalWindow == 0 ? 0 : (b.calls.sum() - b.windowStartCalls) / (double) totalWindow,
          finalState.getOrDefault(b.host, false)));
    }
    printSummary(results, stored, noHost.sum());
    return new Result(results, transitions, stored, noHost.sum(), null);
  }

  /**
   * Issue 16: a fifth backend registers itself with a 2 s lease (no route row), joins the route,
   * then dies without deregistering (its heartbeats stop) and leaves the route after its TTL.
   */
  private LeaseDemo selfRegistration(LarsClient client, Backend leased) throws Exception {
    Duration ttl = Duration.ofSeconds(2);
    out.println();
    out.printf("backend %-8s %s registers itself in module %s with a %d s lease%n", leased.name, leased.host, MODULE,
        ttl.toSeconds());
    Registration registration = client.register(MODULE.modid(), MODULE.cmdid(), leased.host, LeaseOptions.ttl(ttl))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    long registered = System.nanoTime();
    awaitInRoute(client, leased.host, true);
    long joinedMs = (System.nanoTime() - registered) / 1_000_000;
    out.printf("lease %s granted; %s in the agent's route after %d ms%n", registration.leaseId(), leased.host, joinedMs);
    Thread.sleep(2 * ttl.toMillis());
    out.printf("backend %-8s killed without deregistering (no more heartbeats)%n", leased.name);
    registration.abandon();
    leased.server.stop(0);
    long killed = System.nanoTime();
    awaitInRoute(client, leased.host, false);
    long leftMs = (System.nanoTime() - killed) / 1_000_000;
    out.printf("%s left the route %d ms after its last heartbeat could have been sent (TTL %d ms)%n", leased.host, leftMs,
        ttl.toMillis());
    return new LeaseDemo(joinedMs, leftMs, ttl.toMillis());
  }

  private static void awaitInRoute(LarsClient client, Host host, boolean present) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (client.getRoute(MODULE.modid(), MODULE.cmdid()).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .hosts().contains(host) != present) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(host + (present ? " did not join" : " did not leave") + " the route in 30 s");
      }
      Thread.sleep(20);
    }
  }

  /** Like the reference reg_init: pull the route until the agent knows every backend. */
  private static void awaitRoute(LarsClient client, int hosts) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (client.register(MODULE.modid(), MODULE.cmdid()).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .hosts().size() < hosts) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the agent did not learn the route of " + MODULE + " in 20 s");
      }
      Thread.sleep(50);
    }
  }

  private static void callLoop(LarsClient client, HttpClient http, Map<Host, Backend> byHost, LongAdder noHost, long end) {
    while (System.nanoTime() < end) {
      try {
        client.call(MODULE.modid(), MODULE.cmdid(), Duration.ofSeconds(1), host -> get(http, host, byHost.get(host)))
            .toCompletableFuture().join();
      } catch (RuntimeException e) {
        if (e.getCause() instanceof io.lars.client.NoHostException || e.getCause() instanceof io.lars.client.LarsTimeoutException) {
          noHost.increment();
        }
      }
    }
  }

  private static CompletionStage<String> get(HttpClient http, Host host, Backend backend) {
    if (backend != null) {
      backend.calls.increment();
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + "/"))
        .timeout(Duration.ofSeconds(1)).GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((rsp, failure) -> {
      boolean ok = failure == null && rsp.statusCode() == 200;
      if (backend != null) {
        (ok ? backend.succ : backend.err).increment();
      }
      if (!ok) {
        throw new IllegalStateException(failure != null ? String.valueOf(failure) : "HTTP " + rsp.statusCode());
      }
      return rsp.body();
    });
  }

  private Map<Host, Boolean> overloadState(LarsNode node) {
    try {
      LoadBalance.Snapshot snap = ClusterSharding.get(node.system())
          .entityRefFor(LoadBalanceEntity.ENTITY_KEY, MODULE.entityId())
          .ask(LoadBalanceEntity.GetState::new, Duration.ofSeconds(2))
          .toCompletableFuture().get(3, TimeUnit.SECONDS).snapshot();
      Map<Host, Boolean> state = new HashMap<>();
      snap.idle().forEach(h -> state.put(h.host(), false));
      snap.overload().forEach(h -> state.put(h.host(), true));
      return state;
    } catch (Exception e) {
      return Map.of();
    }
  }

  private void printSecond(int s, List<Backend> backends, Map<Host, Boolean> overloaded) {
    long total = 0;
    Map<Backend, Long> delta = new LinkedHashMap<>();
    for (Backend b : backends) {
      long now = b.calls.sum();
      delta.put(b, now - b.lastSecondCalls);
      total += now - b.lastSecondCalls;
      b.lastSecondCalls = now;
    }
    StringBuilder line = new StringBuilder(String.format("t=%2ds %4d calls/s |", s, total));
    for (Map.Entry<Backend, Long> e : delta.entrySet()) {
      Boolean ovl = overloaded.get(e.getKey().host);
      line.append(String.format(" %s %3.0f%% %-8s|", e.getKey().name, total == 0 ? 0.0 : 100.0 * e.getValue() / total,
          ovl == null ? "?" : ovl ? "OVERLOAD" : "idle"));
    }
    out.println(line);
  }

  private void printSummary(List<BackendResult> results, List<CallStatusRow> stored, long noHost) {
    out.println();
    out.printf("%-8s %-22s %8s %8s %8s %7s %12s %s%n", "backend", "host", "calls", "succ", "err", "share",
        "2nd-half", "state at end");
    for (BackendResult r : results) {
      out.printf("%-8s %-22s %8d %8d %8d %6.1f%% %11.1f%% %s%n", r.name(), r.host(), r.calls(), r.succ(), r.err(),
          100 * r.share(), 100 * r.lastShare(), r.overloadedAtEnd() ? "OVERLOAD" : "idle");
    }
    out.println("calls refused by the agent (OVERLOAD/NOEXIST/timeout): " + noHost);
    out.println();
    out.println("ServerCallStatus rows stored by the reporter:");
    out.printf("%-6s %-6s %-22s %-16s %8s %8s %s%n", "modid", "cmdid", "host", "caller", "succ_cnt", "err_cnt",
        "overload");
    for (CallStatusRow row : stored) {
      out.printf("%-6d %-6d %-22s %-16s %8d %8d %s%n", row.module().modid(), row.module().cmdid(), row.host(),
          io.lars.protocol.Ipv4.format(row.caller()), row.succ(), row.err(), row.overload() ? "Y" : "N");
    }
  }

  private static Config demoConfig(Path dir, LoadBalanceSettings.Policy policy) {
    int dns = LocalPorts.freeTcp();
    int reporter = LocalPorts.freeTcp();
    Map<String, Object> m = new HashMap<>();
    m.put("lars.db.url", "jdbc:h2:file:" + dir.resolve("lars")
        + ";MODE=MySQL;DATABASE_TO_LOWER=FALSE;CASE_INSENSITIVE_IDENTIFIERS=TRUE");
    m.put("lars.dns.bind", "127.0.0.1");
    m.put("lars.dns.port", dns);
    m.put("lars.reporter.bind", "127.0.0.1");
    m.put("lars.reporter.port", reporter);
    m.put("lars.agent.ports", List.of(LocalPorts.freeUdp(), LocalPorts.freeUdp(), LocalPorts.freeUdp()));
    m.put("lars.agent.dns.port", dns);
    m.put("lars.agent.reporter.port", reporter);
    m.put("lars.admin.port", LocalPorts.freeTcp());
    m.put("lars.admin.data-dir", dir.toString());
    m.put("akka.management.http.port", LocalPorts.freeTcp());
    m.put("akka.remote.artery.canonical.port", LocalPorts.freeTcp());
    m.put("akka.cluster.seed-nodes", List.of());
    m.put("akka.loglevel", "INFO");
    m.put("lars.agent.load-balance.policy", policy.name().toLowerCase(java.util.Locale.ROOT));
    Config base = ConfigFactory.parseMap(m);
    m.clear();
    m.put("lars.client.agent-ports", base.getIntList("lars.agent.ports"));
    return ConfigFactory.parseMap(m).withFallback(base).withFallback(ConfigFactory.load()).resolve();
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private static Backend startBackend(String name, ExecutorService pool, Handler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.createContext("/", handler::handle);
    server.setExecutor(pool);
    server.start();
    return new Backend(name, new Host(io.lars.protocol.Ipv4.parse("127.0.0.1"), server.getAddress().getPort()), server);
  }

  private static void respond(HttpExchange exchange, int status) throws IOException {
    byte[] body = (status == 200 ? "ok\n" : "error\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
