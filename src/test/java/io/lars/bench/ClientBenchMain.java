package io.lars.bench;

import io.lars.client.ClientSettings;
import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.ReportRequest;
import com.google.protobuf.MessageLite;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@link LarsClient} against a raw blocking socket loop, same agent, same run, interleaved (the
 * order of the three rotates every round): the raw loop, {@code getHostBlocking} (the caller's own
 * socket) and {@code getHost(..).join()} (the shared socket and its receive thread);
 * each thread i loops get_host + report on module (i + 1, 1). The raw loop is the reference
 * {@code lars_api} shape in Java: one connected blocking {@code DatagramChannel} per thread,
 * protobuf encode, send, receive until the seq matches, decode, send the report. Prints one line
 * per run and, per thread count, the medians over the rounds: pairs/s per thread of each, the
 * ratio (median of the per-round ratios) and the get_host p50 latencies and their difference.
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.lars.bench.ClientBenchMain \
 *     PORT1,PORT2,PORT3 [THREADS,THREADS,...] [ROUNDS] [SECONDS]
 * </pre>
 *
 * <p>Defaults: {@code 1,2,10} threads, 5 rounds, 5 seconds per run. Modules (1..max threads, 1)
 * need routes on the agent. A benchmark, not a test.
 */
public final class ClientBenchMain {

  private ClientBenchMain() {}

  private record Result(double pairsPerThreadPerSecond, long p50Nanos, long failures) {}

  /**
   * @param args agent ports, thread counts, rounds, seconds per run
   * @throws Exception on a socket failure
   */
  public static void main(String[] args) throws Exception {
    List<Integer> ports = parse(args[0]);
    List<Integer> threadCounts = parse(args.length > 1 ? args[1] : "1,2,10");
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Duration run = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 5);
    try (LarsClient client = LarsClient.create(new ClientSettings("127.0.0.1", ports, Duration.ofSeconds(1)))) {
      int max = threadCounts.stream().mapToInt(Integer::intValue).max().orElse(1);
      for (Path path : Path.values()) {
        run(path, client, ports, max, Duration.ofSeconds(2)); // warm up every path
      }
      for (int t : threadCounts) {
        Map<Path, List<Result>> results = new EnumMap<>(Path.class);
        for (int r = 0; r < rounds; r++) {
          StringBuilder line = new StringBuilder(String.format("threads %2d round %d:", t, r + 1));
          Map<Path, Result> round = new EnumMap<>(Path.class);
          for (int k = 0; k < Path.values().length; k++) {
            Path path = Path.values()[(k + r) % Path.values().length]; // rotate the order each round
            round.put(path, run(path, client, ports, t, run));
          }
          for (Path path : Path.values()) {
            Result x = round.get(path);
            results.computeIfAbsent(path, p -> new ArrayList<>()).add(x);
            line.append(String.format(" %s %6.0f p50 %4d us (fail %d) |", path, x.pairsPerThreadPerSecond(),
                x.p50Nanos() / 1000, x.failures()));
          }
          line.append(String.format(" ratio blocking %.2f async %.2f",
              round.get(Path.BLOCKING).pairsPerThreadPerSecond() / round.get(Path.RAW).pairsPerThreadPerSecond(),
              round.get(Path.ASYNC).pairsPerThreadPerSecond() / round.get(Path.RAW).pairsPerThreadPerSecond()));
          System.out.println(line);
        }
        StringBuilder summary = new StringBuilder(String.format("MEDIAN threads %2d:", t));
        double rawP50 = median(results.get(Path.RAW).stream().map(x -> (double) x.p50Nanos()).toList());
        for (Path path : Path.values()) {
          List<Result> rs = results.get(path);
          double p50 = median(rs.stream().map(x -> (double) x.p50Nanos()).toList());
          summary.append(String.format(" %s %.0f pairs/s/thread p50 %.1f us", path,
              median(rs.stream().map(Result::pairsPerThreadPerSecond).toList()), p50 / 1000));
          if (path != Path.RAW) {
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rs.size(); r++) {
              ratios.add(rs.get(r).pairsPerThreadPerSecond() / results.get(Path.RAW).get(r).pairsPerThreadPerSecond());
            }
            summary.append(String.format(" (ratio %.2f, added p50 %.1f us)", median(ratios), (p50 - rawP50) / 1000));
          }
          summary.append(';');
        }
        System.out.println(summary);
      }
    }
  }

  /** What a run measures: the raw loop, LarsClient.getHostBlocking, LarsClient.getHost(..).join(). */
  private enum Path { RAW, BLOCKING, ASYNC }

  private static Result run(Path path, LarsClient client, List<Integer> ports, int threads, Duration duration)
      throws Exception {
    LongAdder pairs = new LongAdder();
    LongAdder failures = new LongAdder();
    Recorder latency = new Recorder(3);
    CountDownLatch done = new CountDownLatch(threads);
    long end = System.nanoTime() + duration.toNanos();
    for (int i = 0; i < threads; i++) {
      int modid = i + 1;
      Thread th = new Thread(() -> {
        try {
          switch (path) {
            case RAW -> rawLoop(ports.get((modid + 1) % 3), modid, end, pairs, failures, latency);
            case BLOCKING -> clientLoop(client, true, modid, end, pairs, failures, latency);
            case ASYNC -> clientLoop(client, false, modid, end, pairs, failures, latency);
          }
        } catch (Exception e) {
          failures.increment();
        } finally {
          done.countDown();
        }
      });
      th.setDaemon(true);
      th.start();
    }
    done.await();
    Histogram h = latency.getIntervalHistogram();
    return new Result(pairs.sum() / (double) threads / (duration.toNanos() / 1e9), h.getValueAtPercentile(50),
        failures.sum());
  }

  private static void clientLoop(LarsClient client, boolean blocking, int modid, long end, LongAdder pairs,
      LongAdder failures, Recorder latency) {
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      HostResult r = blocking ? client.getHostBlocking(modid, 1) : client.getHost(modid, 1).toCompletableFuture().join();
      latency.recordValue(System.nanoTime() - start);
      if (r.isSucc()) {
        client.report(modid, 1, r.host(), RetCode.SUCC, Duration.ZERO);
        pairs.increment();
      } else {
        failures.increment();
      }
    }
  }

  private static void rawLoop(int port, int modid, long end, LongAdder pairs, LongAdder failures, Recorder latency)
      throws Exception {
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.connect(new InetSocketAddress("127.0.0.1", port));
      ByteBuffer in = ByteBuffer.allocateDirect(65536).order(ByteOrder.LITTLE_ENDIAN);
      int seq = 0;
      while (System.nanoTime() < end) {
        long start = System.nanoTime();
        seq++;
        ch.write(frame(MessageId.GET_HOST_REQUEST, GetHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(1).build()));
        GetHostResponse rsp;
        do {
          in.clear();
          ch.read(in);
          in.flip();
          in.position(FrameCodec.HEADER_LENGTH);
          rsp = GetHostResponse.parseFrom(in);
        } while (rsp.getSeq() != seq);
        latency.recordValue(System.nanoTime() - start);
        if (rsp.getRetcode() == 0 && rsp.hasHost()) {
          ch.write(frame(MessageId.REPORT_REQUEST, ReportRequest.newBuilder().setModid(modid).setCmdid(1)
              .setHost(Host.of(rsp.getHost()).toHostInfo()).setRetcode(0).build()));
          pairs.increment();
        } else {
          failures.increment();
        }
      }
    }
  }

  private static ByteBuffer frame(MessageId id, MessageLite m) {
    byte[] body = m.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(id.id()).putInt(body.length).put(body).flip();
    return b;
  }

  private static List<Integer> parse(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      out.add(Integer.parseInt(s.trim()));
    }
    return out;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
