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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@link LarsClient} against a raw blocking socket loop, same agent, same run, interleaved:
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
      run(true, client, ports, max, Duration.ofSeconds(2)); // warm up both paths
      run(false, client, ports, max, Duration.ofSeconds(2));
      for (int t : threadCounts) {
        List<Double> raw = new ArrayList<>();
        List<Double> lars = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Long> rawP50 = new ArrayList<>();
        List<Long> larsP50 = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          Result a;
          Result b;
          if (r % 2 == 0) {
            a = run(true, client, ports, t, run);
            b = run(false, client, ports, t, run);
          } else {
            b = run(false, client, ports, t, run);
            a = run(true, client, ports, t, run);
          }
          System.out.printf("threads %2d round %d: raw %8.0f pairs/s/thread p50 %4d us | LarsClient %8.0f p50 %4d us"
              + " | ratio %.2f | failures %d/%d%n", t, r + 1, a.pairsPerThreadPerSecond(), a.p50Nanos() / 1000,
              b.pairsPerThreadPerSecond(), b.p50Nanos() / 1000, b.pairsPerThreadPerSecond() / a.pairsPerThreadPerSecond(),
              a.failures(), b.failures());
          raw.add(a.pairsPerThreadPerSecond());
          lars.add(b.pairsPerThreadPerSecond());
          ratios.add(b.pairsPerThreadPerSecond() / a.pairsPerThreadPerSecond());
          rawP50.add(a.p50Nanos());
          larsP50.add(b.p50Nanos());
        }
        System.out.printf("MEDIAN threads %2d: raw %.0f pairs/s/thread, LarsClient %.0f, ratio %.2f;"
            + " get_host p50 raw %.1f us, LarsClient %.1f us, added %.1f us%n", t, median(raw), median(lars),
            median(ratios), median(rawP50.stream().map(Long::doubleValue).toList()) / 1000,
            median(larsP50.stream().map(Long::doubleValue).toList()) / 1000,
            (median(larsP50.stream().map(Long::doubleValue).toList()) - median(rawP50.stream().map(Long::doubleValue).toList())) / 1000);
      }
    }
  }

  private static Result run(boolean raw, LarsClient client, List<Integer> ports, int threads, Duration duration)
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
          if (raw) {
            rawLoop(ports.get((modid + 1) % 3), modid, end, pairs, failures, latency);
          } else {
            clientLoop(client, modid, end, pairs, failures, latency);
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

  private static void clientLoop(LarsClient client, int modid, long end, LongAdder pairs, LongAdder failures,
      Recorder latency) {
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      HostResult r = client.getHostBlocking(modid, 1);
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
