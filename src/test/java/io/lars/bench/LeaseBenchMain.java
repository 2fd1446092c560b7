package io.lars.bench;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.testkit.ClusterHarness;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HeartbeatRequest;
import io.lars.protocol.pb.HeartbeatResponse;
import io.lars.protocol.pb.LeaseStatus;
import io.lars.protocol.pb.RegisterHostRequest;
import io.lars.protocol.pb.RegisterHostResponse;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.TestNodeConfig;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-registration figures (issue 16), not a test; light on purpose (the machine is shared): three
 * nodes in one JVM ({@link ClusterHarness}, dns on every node, agents using node 1's dns), or one
 * node with the dns, reporter and agent roles (the "on one node"; listeners on fixed ports
 * 28001..28013, as benchmarks run by hand on the shared machine must).
 *
 * <ol>
 *   <li>register → visible: from the registration's answer until get_route on every agent (three,
 *       or one) lists the host.
 *   <li>missed heartbeats → gone: a lease registered and abandoned at once; from its registration
 *       until no agent lists it, minus its TTL.
 *   <li>drain: while three clients (one per agent) call get_host in a loop, a host is deregistered
 *       with draining; the last get_host answer naming it, counted from the deregister answer.
 *   <li>heartbeat load: {@code leases} leases of 5 s TTL registered through node 1's agent at a
 *       paced {@code rate} per second and heartbeated every 1.67 s by one raw UDP sender (a
 *       scheduled task every 10 ms, parked between ticks) from their registration on; then 20 s
 *       steady: heartbeats sent and answered per second, expiries, process CPU, heap after GC.
 * </ol>
 *
 * <p>Run (results at INFO, logger {@code io.lars.bench.LeaseBenchMain}):
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) io.lars.bench.LeaseBenchMain [rounds] [leases] [rate] [nodes]
 * </pre>
 */
public final class LeaseBenchMain {

  private static final Logger log = LoggerFactory.getLogger(LeaseBenchMain.class);

  /** TTL of the heartbeat load's leases, seconds (the 5 s). */
  private static final int TTL_S = 5;
  /** Each lease is renewed every TTL / 3, ms. */
  private static final long PERIOD_MS = TTL_S * 1000L / 3;
  /** The pacing tick of registrations and heartbeats, ms. */
  private static final long TICK_MS = 10;
  /** Length of the steady-state measurement, seconds. */
  private static final long STEADY_S = 20;

  private LeaseBenchMain() {}

  /** First of the fixed ports of the one-node mode (dns, reporter, admin, management, remoting). */
  private static final int ONE_NODE_PORTS = 28001;
  /** The one-node mode's agent UDP ports. */
  private static final List<Integer> ONE_NODE_AGENT_PORTS = List.of(28011, 28012, 28013);

  /**
   * What the measurements run against: the agents' clients, the UDP port of the agent that takes
   * the heartbeat load, and every node's actor system (for the lease counters).
   */
  private record Nodes(List<LarsClient> clients, int agentPort, List<ActorSystem<?>> systems) {}

  /**
   * @param args optional: rounds of the latency measurements (default 30; 0 skips them), leases of
   *     the heartbeat load (default 1000), registrations per second (default 500), nodes (1 or 3,
   *     default 3)
   * @throws Exception if the cluster does not start
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int leases = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int nodeCount = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    if (nodeCount != 1 && nodeCount != 3) {
      throw new IllegalArgumentException("nodes must be 1 or 3, got " + nodeCount);
    }
    log.info("load average at start: {}", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    // MariaDB/MySQL when LARS_TEST_DB_URL names one: on H2 paced registrations from three nodes met
    // duplicate event_journal.ordering values under concurrent inserts (most likely h2database#3950).
    DbSettings db = TestDatabases.mysql().orElseGet(TestDatabases::h2);
    log.info("database: {}; {} node(s)", db.isH2() ? "H2 in memory" : "MariaDB/MySQL from LARS_TEST_DB_URL", nodeCount);
    if (nodeCount == 3) {
      try (ClusterHarness cluster = ClusterHarness.start(Map.of(), true, db)) {
        run(new Nodes(List.of(cluster.client(1), cluster.client(2), cluster.client(3)), cluster.agentPort(1, 0),
            List.of(cluster.node(1).system(), cluster.node(2).system(), cluster.node(3).system())), rounds, leases, rate);
      }
    } else {
      try (Database database = TestDatabases.fresh(db)) {
        LarsNode node = LarsNode.start(oneNodeConfig(db), EnumSet.of(Role.DNS, Role.REPORTER, Role.AGENT))
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
        try (LarsClient client = LarsClient.create(node.system(),
            new ClientSettings("127.0.0.1", ONE_NODE_AGENT_PORTS, Duration.ofMillis(1000)))) {
          run(new Nodes(List.of(client), ONE_NODE_AGENT_PORTS.get(0), List.of(node.system())), rounds, leases, rate);
        } finally {
          node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
    }
    log.info("load average at end: {}", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.exit(0);
  }

  private static void run(Nodes nodes, int rounds, int leases, int rate) throws Exception {
    if (rounds > 0) {
      visible(nodes.clients(), rounds);
      expiry(nodes.clients(), Math.max(5, rounds / 3));
      drain(nodes.clients(), Math.max(5, rounds / 3));
    }
    heartbeats(nodes, leases, rate);
  }

  /** One node on the fixed bench ports and the given database, alone in its cluster. */
  private static Config oneNodeConfig(DbSettings db) {
    int remoting = ONE_NODE_PORTS + 4;
    Map<String, Object> m = new HashMap<>();
    m.put("lars.dns.port", ONE_NODE_PORTS);
    m.put("lars.agent.dns.port", ONE_NODE_PORTS);
    m.put("lars.reporter.port", ONE_NODE_PORTS + 1);
    m.put("lars.agent.reporter.port", ONE_NODE_PORTS + 1);
    m.put("lars.admin.port", ONE_NODE_PORTS + 2);
    m.put("akka.management.http.port", ONE_NODE_PORTS + 3);
    m.put("lars.agent.ports", ONE_NODE_AGENT_PORTS);
    m.put("akka.remote.artery.canonical.port", remoting);
    m.put("akka.cluster.seed-nodes", List.of("akka://lars@127.0.0.1:" + remoting));
    return TestNodeConfig.create(ConfigFactory.parseMap(m).withFallback(TestDatabases.nodeConfig(db))).config();
  }

  private static void visible(List<LarsClient> clients, int rounds) throws Exception {
    Histogram ms = new Histogram(60_000, 2);
    ModuleId module = new ModuleId(900, 1);
    for (LarsClient c : clients) {
      routeOf(c, module);
    }
    for (int i = 0; i < rounds; i++) {
      Host host = Host.of("10.90.0." + (i + 1), 80);
      Registration r = clients.get(0).register(module.modid(), module.cmdid(), host, LeaseOptions.ttl(Duration.ofSeconds(10))
          .withDrain(Duration.ZERO)).toCompletableFuture().get(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      for (LarsClient c : clients) {
        while (!routeOf(c, module).contains(host)) {
          Thread.sleep(1);
        }
      }
      ms.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000_000));
      r.close();
    }
    log.info("register -> visible on all {} agents, {} rounds: p50 {} ms, p99 {} ms, max {} ms", clients.size(), rounds,
        ms.getValueAtPercentile(50), ms.getValueAtPercentile(99), ms.getMaxValue());
  }

  private static void expiry(List<LarsClient> clients, int rounds) throws Exception {
    Histogram ms = new Histogram(60_000, 2);
    ModuleId module = new ModuleId(901, 1);
    long ttlMs = 1000;
    for (int i = 0; i < rounds; i++) {
      Host host = Host.of("10.91.0." + (i + 1), 80);
      Registration r = clients.get(0).register(module.modid(), module.cmdid(), host, LeaseOptions.ttl(Duration.ofMillis(ttlMs)))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      long registered = System.nanoTime();
      r.abandon();
      for (LarsClient c : clients) {
        while (routeOf(c, module).contains(host) || System.nanoTime() - registered < TimeUnit.MILLISECONDS.toNanos(ttlMs)) {
          Thread.sleep(2);
        }
      }
      ms.recordValue(Math.max(1, (System.nanoTime() - registered) / 1_000_000 - ttlMs));
    }
    log.info("missed heartbeats -> out of all {} agents' routes, {} rounds: TTL + p50 {} ms, p99 {} ms, max {} ms", clients.size(), rounds,
        ms.getValueAtPercentile(50), ms.getValueAtPercentile(99), ms.getMaxValue());
  }

  private static void drain(List<LarsClient> clients, int rounds) throws Exception {
    ModuleId module = new ModuleId(902, 1);
    Host stays = Host.of("10.92.0.1", 80);
    Registration keep = clients.get(0).register(module.modid(), module.cmdid(), stays, LeaseOptions.ttl(Duration.ofSeconds(10)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    long worstMs = 0;
    long namedAfter100 = 0;
    for (int i = 0; i < rounds; i++) {
      Host drained = Host.of("10.92.1." + (i + 1), 80);
      Registration r = clients.get(0).register(module.modid(), module.cmdid(), drained, LeaseOptions.ttl(Duration.ofSeconds(10))
          .withDrain(Duration.ofSeconds(5))).toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (LarsClient c : clients) {
        while (!routeOf(c, module).contains(drained)) {
          Thread.sleep(1);
        }
      }
      AtomicLong lastNamedNanos = new AtomicLong();
      AtomicLong answers = new AtomicLong();
      long[] deregistered = {Long.MAX_VALUE};
      List<Thread> callers = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      for (LarsClient c : clients) {
        Thread t = new Thread(() -> {
          while (System.nanoTime() < end) {
            try {
              Host picked = c.getHost(module.modid(), module.cmdid()).toCompletableFuture().get(2, TimeUnit.SECONDS).host();
              answers.incrementAndGet();
              if (drained.equals(picked)) {
                lastNamedNanos.accumulateAndGet(System.nanoTime(), Math::max);
              }
            } catch (Exception e) {
              // a timeout is not an answer naming the host
            }
          }
        });
        t.start();
        callers.add(t);
      }
      Thread.sleep(300);
      r.close();
      deregistered[0] = System.nanoTime();
      for (Thread t : callers) {
        t.join();
      }
      long after = (lastNamedNanos.get() - deregistered[0]) / 1_000_000;
      worstMs = Math.max(worstMs, after);
      if (after > 100) {
        namedAfter100++;
      }
    }
    keep.close();
    log.info("drain, {} rounds: the last get_host naming a draining host came at most {} ms after the deregister "
        + "answer; rounds with such an answer after 100 ms: {}", rounds, worstMs, namedAfter100);
  }

  /**
   * Registers {@code leases} leases paced at {@code ratePerSecond} (answers read by their own
   * thread, so a slow answer does not slow the pace; one resend of those not granted (unanswered,
   * or refused as UNAVAILABLE when the owner's answer took longer than {@code ask-timeout}), which
   * renews rather than duplicates), heartbeats each one every TTL / 3 from its registration on
   * (a scheduled sender: every {@value #TICK_MS} ms it sends the heartbeats due in that tick and
   * parks between ticks), then measures {@value #STEADY_S} s of steady state.
   */
  private static void heartbeats(Nodes nodes, int leases, int ratePerSecond) throws Exception {
    InetSocketAddress agent = new InetSocketAddress("127.0.0.1", nodes.agentPort());
    AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(leases);
    AtomicLong registered = new AtomicLong();
    AtomicLong answers = new AtomicLong();
    java.util.concurrent.ConcurrentHashMap<Integer, LeaseStatus> lastRefusal = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicLong ok = new AtomicLong();
    java.util.concurrent.ConcurrentHashMap<LeaseStatus, AtomicLong> other = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicLong sent = new AtomicLong();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "lease-bench-timer");
      t.setDaemon(true);
      return t;
    });
    try (DatagramSocket beats = new DatagramSocket(); DatagramSocket registrations = new DatagramSocket()) {
      beats.setReceiveBufferSize(4 << 20);
      registrations.setReceiveBufferSize(4 << 20);
      receive(beats, "heartbeat-answers", p -> {
        HeartbeatResponse answer = HeartbeatResponse.parseFrom(ByteBuffer.wrap(p.getData(), 8, p.getLength() - 8));
        if (answer.getStatus() == LeaseStatus.LEASE_OK) {
          ok.incrementAndGet();
        } else {
          other.computeIfAbsent(answer.getStatus(), status -> new AtomicLong()).incrementAndGet();
        }
      });
      receive(registrations, "registration-answers", p -> {
        RegisterHostResponse answer = RegisterHostResponse.parseFrom(ByteBuffer.wrap(p.getData(), 8, p.getLength() - 8));
        int slot = answer.getSeq();
        answers.incrementAndGet();
        if (answer.getStatus() != LeaseStatus.LEASE_OK) {
          lastRefusal.put(slot, answer.getStatus());
        } else if (slot < leases && ids.getAndSet(slot, answer.getLeaseId()) == null) {
          lastRefusal.remove(slot);
          registered.incrementAndGet();
        }
      });

      // Heartbeats: slot i of the leases is visited once per period; an empty slot (not registered yet) is skipped.
      double slotsPerTick = leases * (double) TICK_MS / PERIOD_MS;
      double[] budget = {0};
      int[] cursor = {0};
      int[] seq = {0};
      timer.scheduleAtFixedRate(() -> {
        budget[0] += slotsPerTick;
        for (; budget[0] >= 1; budget[0]--) {
          String id = ids.get(cursor[0]);
          cursor[0] = (cursor[0] + 1) % leases;
          if (id != null && sendQuietly(beats, agent, MessageId.HEARTBEAT_REQUEST,
              HeartbeatRequest.newBuilder().setSeq(++seq[0]).setLeaseId(id).build().toByteArray())) {
            sent.incrementAndGet();
          }
        }
      }, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);

      long start = System.nanoTime();
      awaitAnswers(answers, register(timer, registrations, agent, ids, ratePerSecond));
      long notGranted = leases - registered.get();
      if (notGranted > 0) {
        log.info("{} registrations not granted ({} refused: {}; the rest unanswered); sending those again once",
            notGranted, lastRefusal.size(), statusCounts(lastRefusal));
        answers.set(0);
        awaitAnswers(answers, register(timer, registrations, agent, ids, ratePerSecond));
      }
      double registerSeconds = (System.nanoTime() - start) / 1e9;
      log.info("registration: {} leases over 50 modules asked at {}/s: {} granted, {} refused at last ({}), {} unanswered, "
          + "in {} s ({}/s granted); heartbeated from each grant on", leases, ratePerSecond, registered.get(),
          lastRefusal.size(), statusCounts(lastRefusal), leases - registered.get() - lastRefusal.size(),
          String.format("%.1f", registerSeconds),
          String.format("%.0f", registered.get() / registerSeconds));

      long expiredBefore = expired(nodes);
      ok.set(0);
      other.clear();
      sent.set(0);
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpuStart = os.getProcessCpuTime();
      long wallStart = System.nanoTime();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(STEADY_S));
      double seconds = (System.nanoTime() - wallStart) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9 / seconds;
      long okCount = ok.get();
      Map<LeaseStatus, AtomicLong> otherCount = new java.util.TreeMap<>(other);
      long sentCount = sent.get();
      long expired = expired(nodes) - expiredBefore;
      timer.shutdownNow();
      System.gc();
      Runtime rt = Runtime.getRuntime();
      log.info("heartbeats: {} leases, TTL {} s, one every {} ms each, steady {} s: {} sent/s, {} answered OK/s, other answers "
          + "{}, {} leases expired meanwhile; process CPU {} cores (the whole JVM: {} node(s) and the bench's sender), heap "
          + "used after GC {} MB", registered.get(), TTL_S, PERIOD_MS, STEADY_S, String.format("%.0f", sentCount / seconds),
          String.format("%.0f", okCount / seconds), otherCount, expired, String.format("%.2f", cpu), nodes.systems().size(),
          (rt.totalMemory() - rt.freeMemory()) >> 20);
    } finally {
      timer.shutdownNow();
    }
  }

  /**
   * Sends a RegisterHost for every slot without a lease, paced at {@code ratePerSecond} by the
   * timer (seq = slot), and returns once all are sent.
   *
   * @return how many were sent
   */
  private static int register(ScheduledExecutorService timer, DatagramSocket socket, InetSocketAddress agent,
      AtomicReferenceArray<String> ids, int ratePerSecond) throws Exception {
    int leases = ids.length();
    double perTick = ratePerSecond * (double) TICK_MS / 1000;
    double[] budget = {0};
    int[] next = {0};
    int[] sent = {0};
    CompletableFuture<Void> done = new CompletableFuture<>();
    ScheduledFuture<?> pacer = timer.scheduleAtFixedRate(() -> {
      budget[0] += perTick;
      while (budget[0] >= 1 && next[0] < leases) {
        int slot = next[0]++;
        if (ids.get(slot) == null) {
          ModuleId module = new ModuleId(910 + slot % 50, 1);
          sendQuietly(socket, agent, MessageId.REGISTER_HOST_REQUEST, RegisterHostRequest.newBuilder().setSeq(slot)
              .setModid(module.modid()).setCmdid(module.cmdid()).setHost(new Host(0x0A5A0000 + slot, 80).toHostInfo())
              .setTtlS(TTL_S).build().toByteArray());
          budget[0]--;
          sent[0]++;
        }
      }
      if (next[0] >= leases) {
        done.complete(null);
      }
    }, 0, TICK_MS, TimeUnit.MILLISECONDS);
    done.get(1, TimeUnit.HOURS);
    pacer.cancel(false);
    return sent[0];
  }

  /** How many refusals of each status, e.g. {@code {LEASE_UNAVAILABLE=12}}. */
  private static Map<LeaseStatus, Long> statusCounts(Map<Integer, LeaseStatus> refusals) {
    return refusals.values().stream().collect(java.util.stream.Collectors.groupingBy(status -> status,
        java.util.TreeMap::new, java.util.stream.Collectors.counting()));
  }

  /** Waits until {@code sent} answers came, or none came for 10 s (more than three ask-timeouts). */
  private static void awaitAnswers(AtomicLong answers, int sent) {
    long answered = -1;
    long lastChange = System.nanoTime();
    while (answers.get() < sent && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(10)) {
      long now = answers.get();
      if (now != answered) {
        answered = now;
        lastChange = System.nanoTime();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** What a receiving thread does with one datagram. */
  private interface OnDatagram {
    void accept(DatagramPacket packet) throws Exception;
  }

  /** Starts a daemon thread that hands every datagram of the socket to {@code onDatagram} until it closes. */
  private static void receive(DatagramSocket socket, String name, OnDatagram onDatagram) {
    Thread receiver = new Thread(() -> {
      byte[] in = new byte[2048];
      while (!socket.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(in, in.length);
          socket.receive(p);
          onDatagram.accept(p);
        } catch (Exception e) {
          if (socket.isClosed()) {
            return;
          }
        }
      }
    }, name);
    receiver.setDaemon(true);
    receiver.start();
  }

  private static boolean sendQuietly(DatagramSocket socket, InetSocketAddress to, MessageId id, byte[] body) {
    try {
      send(socket, to, id, body);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static long expired(Nodes nodes) {
    long n = 0;
    for (ActorSystem<?> system : nodes.systems()) {
      n += io.lars.lease.LeaseStats.get(system).expired();
    }
    return n;
  }

  private static void send(DatagramSocket socket, InetSocketAddress to, MessageId id, byte[] body) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(id.id()).putInt(body.length).put(body);
    socket.send(new DatagramPacket(b.array(), b.array().length, to));
  }

  private static List<Host> routeOf(LarsClient client, ModuleId module) {
    try {
      return client.getRoute(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS).hosts();
    } catch (Exception e) {
      return List.of();
    }
  }
}
