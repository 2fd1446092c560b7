package io.lars.cli;

import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lars qps THREADS [--seconds S]}: the reference QPS tool. Thread i loops get_host + report
 * on module (i+1, 1) through {@link LarsClient}; prints QPS every second, then the average and
 * get_host latency percentiles.
 */
@Command(name = "qps", mixinStandardHelpOptions = true,
    description = "Load the agent with get_host + report loops and print QPS and latency.")
final class QpsCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "client threads, 1-256") int threads;
  @Option(names = "--seconds", defaultValue = "10", description = "how long to run, 1-3600 (default: ${DEFAULT-VALUE})")
  int seconds;
  @Mixin AgentOptions agent;

  @Override
  public Integer call() throws InterruptedException {
    if (threads < 1 || threads > 256) {
      System.err.println("qps: THREADS must be 1..256, got " + threads);
      return 2;
    }
    if (seconds < 1 || seconds > 3600) {
      System.err.println("qps: --seconds must be 1..3600, got " + seconds);
      return 2;
    }
    LongAdder pairs = new LongAdder();
    LongAdder failures = new LongAdder();
    Recorder latency = new Recorder(3);
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    try (LarsClient client = agent.client()) {
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int modid = i + 1;
        Thread t = new Thread(() -> loop(client, modid, end, pairs, failures, latency), "qps-" + modid);
        t.setDaemon(true);
        t.start();
        workers.add(t);
      }
      long last = 0;
      for (int s = 1; s <= seconds; s++) {
        Thread.sleep(1000);
        long now = pairs.sum();
        System.out.println("second " + s + ": " + (now - last) + " qps");
        last = now;
      }
      for (Thread t : workers) {
        t.join(5000);
      }
    }
    Histogram h = latency.getIntervalHistogram();
    System.out.printf("threads %d, %d s: average %.0f qps (get_host + report pairs), %d failed requests%n",
        threads, seconds, pairs.sum() / (double) seconds, failures.sum());
    System.out.printf("get_host latency us: p50 %d, p99 %d, p999 %d, max %d%n", h.getValueAtPercentile(50) / 1000,
        h.getValueAtPercentile(99) / 1000, h.getValueAtPercentile(99.9) / 1000, h.getMaxValue() / 1000);
    return 0;
  }

  private static void loop(LarsClient client, int modid, long end, LongAdder pairs, LongAdder failures, Recorder latency) {
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      try {
        HostResult r = client.getHost(modid, 1).toCompletableFuture().join();
        latency.recordValue(System.nanoTime() - start);
        if (r.isSucc()) {
          client.report(modid, 1, r.host(), RetCode.SUCC, Duration.ZERO);
        } else {
          failures.increment();
        }
        pairs.increment();
      } catch (RuntimeException e) {
        failures.increment();
      }
    }
  }
}
