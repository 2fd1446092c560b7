package io.lars.bench;

import io.lars.client.LarsClient;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.cluster.ClusterHarness;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HeartbeatRequest;
import io.lars.protocol.pb.HeartbeatResponse;
import io.lars.protocol.pb.LeaseStatus;
import io.lars.protocol.pb.RegisterHostRequest;
import io.lars.protocol.pb.RegisterHostResponse;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-registration figures (issue 16), not a test; light on purpose (the machine is shared): three
 * nodes in one JVM ({@link ClusterHarness}, dns on every node, agents using node 1's dns).
 *
 * <ol>
 *   <li>register → visible: from the registration's answer until get_route on every one of the
 *       three agents lists the host.
 *   <li>missed heartbeats → gone: a lease registered and abandoned at once; from its registration
 *       until no agent lists it, minus its TTL.
 *   <li>drain: while three clients (one per agent) call get_host in a loop, a host is deregistered
 *       with draining; the last get_host answer naming it, counted from the deregister answer.
 *   <li>heartbeat load: {@code leases} leases of 5 s TTL registered through node 1's agent and
 *       heartbeated every 1.67 s by one raw UDP sender from their registration on; then 20 s
 *       steady: heartbeats sent and answered per second, expiries, process CPU, heap after GC.
 * </ol>
 *
 * <p>Run (results at INFO, logger {@code io.lars.bench.LeaseBenchMain}):
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) io.lars.bench.LeaseBenchMain [rounds] [leases]
 * </pre>
 */
public final class LeaseBenchMain {

  private static final Logger log = LoggerFactory.getLogger(LeaseBenchMain.class);

  private LeaseBenchMain() {}

  /**
   * @param args optional: rounds of the latency measurements (default 30), leases of the heartbeat
   *     load (default 1000)
   * @throws Exception if the cluster does not start
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int leases = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    log.info("load average at start: {}", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try (ClusterHarness cluster = ClusterHarness.start(Map.of(), true)) {
      List<LarsClient> clients = List.of(cluster.client(1), cluster.client(2), cluster.client(3));
      visible(clients, rounds);
      expiry(clients, Math.max(5, rounds / 3));
      drain(clients, Math.max(5, rounds / 3));
      heartbeats(cluster, leases);
    }
    log.info("load average at end: {}", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.exit(0);
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
    log.info("register -> visible on all 3 agents, {} rounds: p50 {} ms, p99 {} ms, max {} ms", rounds,
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
    log.info("missed heartbeats -> out of all 3 agents' routes, {} rounds: TTL + p50 {} ms, p99 {} ms, max {} ms", rounds,
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

  private static void heartbeats(ClusterHarness cluster, int leases) throws Exception {
    InetSocketAddress agent = new InetSocketAddress("127.0.0.1", cluster.agentPort(1, 0));
    java.util.concurrent.CopyOnWriteArrayList<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicLong ok = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    long periodNanos = TimeUnit.MILLISECONDS.toNanos(5000 / 3);
    try (DatagramSocket beats = new DatagramSocket(); DatagramSocket registrations = new DatagramSocket()) {
      beats.setReceiveBufferSize(4 << 20);
      Thread receiver = new Thread(() -> {
        byte[] in = new byte[2048];
        while (!beats.isClosed()) {
          try {
            DatagramPacket p = new DatagramPacket(in, in.length);
            beats.receive(p);
            HeartbeatResponse answer = HeartbeatResponse.parseFrom(ByteBuffer.wrap(p.getData(), 8, p.getLength() - 8));
            (answer.getStatus() == LeaseStatus.LEASE_OK ? ok : other).incrementAndGet();
          } catch (Exception e) {
            return;
          }
        }
      });
      receiver.setDaemon(true);
      receiver.start();
      // Heartbeats run from the first registration on: every lease is renewed every 1.67 s.
      java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread sender = new Thread(() -> {
        int seq = 0;
        while (running.get()) {
          long roundStart = System.nanoTime();
          List<String> round = List.copyOf(ids);
          for (int i = 0; i < round.size() && running.get(); i++) {
            try {
              send(beats, agent, MessageId.HEARTBEAT_REQUEST, HeartbeatRequest.newBuilder().setSeq(++seq)
                  .setLeaseId(round.get(i)).build().toByteArray());
              sent.incrementAndGet();
            } catch (Exception e) {
              return;
            }
            // Parked, not spun, so the process CPU measured is the nodes' and not this loop's.
            long due = roundStart + periodNanos * (i + 1) / round.size();
            if (due - System.nanoTime() > 200_000) {
              java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            }
          }
          long rest = roundStart + periodNanos - System.nanoTime();
          if (rest > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(rest);
          }
        }
      });
      sender.setDaemon(true);
      sender.start();
      registrations.setSoTimeout(5000);
      byte[] in = new byte[2048];
      for (int i = 0; i < leases; i++) {
        ModuleId module = new ModuleId(910 + i % 50, 1);
        RegisterHostRequest request = RegisterHostRequest.newBuilder().setSeq(i).setModid(module.modid())
            .setCmdid(module.cmdid()).setHost(new Host(0x0A5A0000 + i, 80).toHostInfo()).setTtlS(5).build();
        send(registrations, agent, MessageId.REGISTER_HOST_REQUEST, request.toByteArray());
        DatagramPacket p = new DatagramPacket(in, in.length);
        registrations.receive(p);
        RegisterHostResponse answer = RegisterHostResponse.parseFrom(ByteBuffer.wrap(p.getData(), 8, p.getLength() - 8));
        if (answer.getStatus() == LeaseStatus.LEASE_OK) {
          ids.add(answer.getLeaseId());
        }
      }
      log.info("{} leases registered ({} asked) over 50 modules, heartbeated from the start", ids.size(), leases);
      long expiredBefore = expired(cluster);
      ok.set(0);
      other.set(0);
      sent.set(0);
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpuStart = os.getProcessCpuTime();
      long seconds = 20;
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9 / seconds;
      long okCount = ok.get();
      long otherCount = other.get();
      long sentCount = sent.get();
      running.set(false);
      System.gc();
      Runtime rt = Runtime.getRuntime();
      log.info("heartbeats: {} leases, TTL 5 s, one every 1.67 s each, steady {} s: {} sent/s, {} answered OK/s, {} other "
          + "answers, {} leases expired meanwhile; process CPU {} cores (the whole 3-node JVM and the bench's sender), heap "
          + "used after GC {} MB", ids.size(), seconds, sentCount / seconds, okCount / seconds, otherCount,
          expired(cluster) - expiredBefore, String.format("%.2f", cpu), (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
  }

  private static long expired(ClusterHarness cluster) {
    long n = 0;
    for (int i = 1; i <= 3; i++) {
      n += io.lars.dns.LeaseStats.get(cluster.node(i).system()).expired();
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
