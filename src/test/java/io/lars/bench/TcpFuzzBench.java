package io.lars.bench;

import static io.lars.bench.FuzzInputs.extreme;
import static io.lars.bench.FuzzInputs.frame;
import static io.lars.bench.FuzzInputs.randomBytes;

import com.typesafe.config.ConfigFactory;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.testkit.TestNodeConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.EnumSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fuzzes the TCP dns and TCP reporter of an in-process node (issue 19, "Proof"): malformed inputs
 * on loopback, bounded in count and time, while a well-behaved client of each protocol runs
 * alongside. Prints, per protocol: inputs sent, connections used, hangs (a connection the server
 * neither answered nor closed within 10 s), good-client successes and failures, whether the node
 * is still serving, heap after a GC, and the log lines the node wrote (by level).
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx512m -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     io.lars.bench.TcpFuzzBench [INPUTS_PER_PROTOCOL] [MAX_SECONDS_PER_PROTOCOL] [THREADS]
 * </pre>
 *
 * <p>Defaults: 1,000,000 inputs, 900 s, 4 threads. Each connection carries 0-3 "soft" inputs
 * (a frame of the listener's msgid with a random body or with out-of-range values, which may or
 * may not be accepted) and then one "hard" input (random bytes, a negative or oversize length, a
 * frame of another msgid, or a frame cut short), is half-closed, read until the server closes it,
 * and reset (SO_LINGER 0, so no TIME_WAIT uses up the ports). A benchmark, not a test: it prints to
 * standard output.
 */
public final class TcpFuzzBench {

  private static final ModuleId GOOD = new ModuleId(1, 1);
  private static final int GOOD_CALLER = 0x7F000063; // 127.0.0.99
  private static final int READ_TIMEOUT_MS = 10_000;

  private TcpFuzzBench() {}

  /**
   * @param args inputs per protocol, max seconds per protocol, fuzzing threads
   * @throws Exception if the node cannot start
   */
  public static void main(String[] args) throws Exception {
    long inputs = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : 900;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;

    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString("akka.loglevel = INFO"));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS, Role.REPORTER)).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    LogCounter logs = LogCounter.attach();
    try {
      JdbcRouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      for (int h = 1; h <= 3; h++) {
        routes.addHost(GOOD, Host.of("10.9.9." + h, 9000 + h));
      }
      InetSocketAddress dns = node.listeners("dns", "tcp").get(0).address();
      InetSocketAddress reporter = node.listeners("reporter", "tcp").get(0).address();
      awaitGoodRoute(dns);

      for (Protocol protocol : Protocol.values()) {
        InetSocketAddress target = protocol == Protocol.DNS ? dns : reporter;
        logs.reset();
        FuzzRun.Result r = run(protocol, target, inputs, maxSeconds, threads);
        boolean serving = protocol == Protocol.DNS ? goodRouteOnce(dns)
            : storedGoodRows(node) > 0 && reportOnce(reporter);
        System.gc();
        long heapMiB = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        System.out.printf("%s: %d inputs on %d connections in %.0f s (%.0f inputs/s), hangs %d, "
                + "good client %d ok / %d failed, node serving after: %s, heap after GC %d MiB, "
                + "log lines: %s%n",
            protocol, r.inputs(), r.connections(), r.seconds(), r.inputs() / r.seconds(), r.hangs(), r.goodOk(), r.goodFailed(),
            serving, heapMiB, logs);
      }
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private enum Protocol { DNS, REPORTER }

  private static FuzzRun.Result run(Protocol protocol, InetSocketAddress target, long inputs, long maxSeconds,
      int threads) throws Exception {
    return FuzzRun.run(inputs, maxSeconds, threads, 19L * 1000 + protocol.ordinal() * 100L, (random, c) -> {
      while (c.more()) {
        int soft = random.nextInt(4);
        c.take(soft + 1);
        c.connections.increment();
        if (!fuzzOneConnection(protocol, target, random, soft)) {
          c.hangs.increment();
        }
      }
    }, c -> goodClient(protocol, target, c.stop, c.goodOk, c.goodFailed));
  }

  /** @return false if the server neither answered nor closed within the read timeout */
  private static boolean fuzzOneConnection(Protocol protocol, InetSocketAddress target, SplittableRandom random,
      int soft) {
    try (Socket s = new Socket()) {
      s.setSoLinger(true, 0);
      s.setSoTimeout(READ_TIMEOUT_MS);
      s.connect(target, 5_000);
      OutputStream out = s.getOutputStream();
      try {
        for (int i = 0; i < soft; i++) {
          out.write(softInput(protocol, random));
        }
        byte[] hard = hardInput(protocol, random);
        out.write(hard);
        out.flush();
        s.shutdownOutput();
      } catch (IOException closedAlready) {
        return true; // an earlier input already made the server close the connection
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        while (in.read(buf) >= 0) {
          // answers to valid GetRouteRequests; read until the server closes
        }
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (IOException reset) {
        return true;
      }
      return true;
    } catch (IOException e) {
      return true; // connect refused by a limit counts as handled (the server closed it)
    }
  }




  /** A frame of the listener's own msgid: a random body, or a valid message with out-of-range values. */
  private static byte[] softInput(Protocol protocol, SplittableRandom random) {
    int msgId = protocol == Protocol.DNS ? 1 : 3;
    if (random.nextBoolean()) {
      return frame(msgId, randomBytes(random, 200));
    }
    if (protocol == Protocol.DNS) {
      return frame(msgId, GetRouteRequest.newBuilder().setModid(extreme(random, false))
          .setCmdid(extreme(random, false)).build().toByteArray());
    }
    ReportStatusReq.Builder b = ReportStatusReq.newBuilder().setModid(extreme(random, false))
        .setCmdid(extreme(random, false)).setCaller(extreme(random, false)).setTs(extreme(random, false));
    int results = random.nextInt(5);
    for (int i = 0; i < results; i++) {
      b.addResults(HostCallResult.newBuilder().setIp(extreme(random, false)).setPort(extreme(random, false))
          .setSucc(extreme(random, false)).setErr(extreme(random, false)).setOverload(random.nextBoolean()));
    }
    return frame(msgId, b.build().toByteArray());
  }

  /** An input that must make the server close the connection. */
  private static byte[] hardInput(Protocol protocol, SplittableRandom random) {
    return switch (random.nextInt(5)) {
      case 0 -> randomBytes(random, 64);
      case 1 -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(random.nextInt(10))
          .putInt(random.nextBoolean() ? -1 - random.nextInt(Integer.MAX_VALUE) : 65528 + random.nextInt(1 << 20))
          .array();
      case 2 -> frame(protocol == Protocol.DNS ? 4 : 1, GetHostRequest.newBuilder().setSeq(1).setModid(1).setCmdid(1)
          .build().toByteArray());
      case 3 -> {
        byte[] full = frame(protocol == Protocol.DNS ? 1 : 3, randomBytes(random, 100));
        byte[] cut = new byte[Math.max(1, full.length - 1 - random.nextInt(Math.max(1, full.length - 1)))];
        System.arraycopy(full, 0, cut, 0, cut.length);
        yield cut;
      }
      default -> frame(9 + random.nextInt(1000), randomBytes(random, 50));
    };
  }

  private static void goodClient(Protocol protocol, InetSocketAddress target, AtomicBoolean stop, LongAdder ok,
      LongAdder failed) {
    while (!stop.get()) {
      try (Socket s = new Socket()) {
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.setTcpNoDelay(true);
        s.connect(target, 5_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        long sent = 0;
        while (!stop.get()) {
          if (protocol == Protocol.DNS) {
            out.write(frame(1, GetRouteRequest.newBuilder().setModid(GOOD.modid()).setCmdid(GOOD.cmdid()).build()
                .toByteArray()));
            if (readGoodRoute(in)) {
              ok.increment();
            } else {
              failed.increment();
            }
          } else {
            out.write(goodReport(++sent));
            ok.increment();
          }
          Thread.sleep(10);
        }
      } catch (IOException e) {
        failed.increment(); // the connection broke: reconnect
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static byte[] goodReport(long n) {
    return frame(3, ReportStatusReq.newBuilder().setModid(GOOD.modid()).setCmdid(GOOD.cmdid()).setCaller(GOOD_CALLER)
        .setTs((int) (System.currentTimeMillis() / 1000))
        .addResults(HostCallResult.newBuilder().setIp(Host.of("10.9.9.1", 9001).ip()).setPort(9001)
            .setSucc((int) (n % 1_000_000)).setErr(1))
        .build().toByteArray());
  }

  /** Reads frames until the answer for the good module; true if it has its 3 hosts. */
  private static boolean readGoodRoute(DataInputStream in) throws IOException {
    while (true) {
      byte[] header = new byte[8];
      in.readFully(header);
      ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
      int msgId = h.getInt();
      byte[] body = new byte[h.getInt()];
      in.readFully(body);
      if (msgId == 2) {
        GetRouteResponse r = GetRouteResponse.parseFrom(body);
        if (r.getModid() == GOOD.modid() && r.getCmdid() == GOOD.cmdid()) {
          return r.getHostCount() == 3;
        }
      }
    }
  }

  private static void awaitGoodRoute(InetSocketAddress dns) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!goodRouteOnce(dns)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the dns did not serve the seeded route within 30 s");
      }
      Thread.sleep(200);
    }
  }

  private static boolean goodRouteOnce(InetSocketAddress dns) {
    try (Socket s = new Socket()) {
      s.setSoTimeout(READ_TIMEOUT_MS);
      s.connect(dns, 5_000);
      s.getOutputStream().write(frame(1, GetRouteRequest.newBuilder().setModid(GOOD.modid()).setCmdid(GOOD.cmdid())
          .build().toByteArray()));
      return readGoodRoute(new DataInputStream(s.getInputStream()));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean reportOnce(InetSocketAddress reporter) {
    try (Socket s = new Socket()) {
      s.connect(reporter, 5_000);
      s.getOutputStream().write(goodReport(1));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long storedGoodRows(LarsNode node) throws Exception {
    try (Connection c = node.database().orElseThrow().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ServerCallStatus WHERE caller = ?")) {
      ps.setLong(1, GOOD_CALLER);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
