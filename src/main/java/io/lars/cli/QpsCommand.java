package io.lars.cli;

import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.client.LarsTimeoutException;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lars qps THREADS [--seconds S]}: the reference QPS tool. Thread i loops get_host + report
 * on module (i+1, 1) through {@link LarsClient}; prints QPS every second, then the average and
 * get_host latency percentiles.
 *
 * <p>The measured window starts once every thread has had its first answer from the agent (the
 * client is ready, the agent knows the modules); per-second lines, the average and the latency
 * figures count only pairs completed inside the window. No answer to a first request: exit 4;
 * a module without hosts: exit 3.
 */
@Command(name = "qps", mixinStandardHelpOptions = true,
    description = {"Load the agent with get_host + report loops and print QPS and latency.",
        "The window starts when every thread has had its first answer; only pairs inside it count."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {LarsMain.EXIT_0, LarsMain.EXIT_3, LarsMain.EXIT_4, LarsMain.EXIT_64})
final class QpsCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "THREADS", description = "client threads, 1-256") int threads;
  @Option(names = "--seconds", defaultValue = "10", description = "how long to measure, 1-3600 (default: ${DEFAULT-VALUE})")
  int seconds;
  @Mixin AgentOptions agent;

  /** What the worker threads share. */
  private static final class Load {
    final LongAdder pairs = new LongAdder();
    final LongAdder failures = new LongAdder();
    final Recorder latency = new Recorder(3);
    final CountDownLatch ready;
    final CountDownLatch go = new CountDownLatch(1);
    final AtomicReference<RuntimeException> firstError = new AtomicReference<>();
    final AtomicReference<String> noHosts = new AtomicReference<>();
    volatile boolean stop;

    Load(int threads) {
      ready = new CountDownLatch(threads);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    if (threads < 1 || threads > 256) {
      throw agent.usage("THREADS must be 1..256, got " + threads);
    }
    if (seconds < 1 || seconds > 3600) {
      throw agent.usage("--seconds must be 1..3600, got " + seconds);
    }
    Load load = new Load(threads);
    try (LarsClient client = agent.client()) {
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int modid = i + 1;
        Thread t = new Thread(() -> work(client, modid, load), "qps-" + modid);
        t.setDaemon(true);
        t.start();
        workers.add(t);
      }
      // each first request waits at most 2 x timeout (one retry)
      boolean ready = load.ready.await(2 * agent.timeoutMs + 2000, TimeUnit.MILLISECONDS);
      if (!ready || load.firstError.get() != null) {
        load.stop = true;
        load.go.countDown();
        RuntimeException e = load.firstError.get();
        System.err.println("qps: no answer from the agent at " + agent.agent + ":" + agent.agentPorts
            + (e != null ? ": " + e.getMessage() : ""));
        return LarsMain.NO_ANSWER;
      }
      if (load.noHosts.get() != null) {
        load.stop = true;
        load.go.countDown();
        System.err.println("qps: no hosts for module " + load.noHosts.get() + "; thread i loads module (i+1,1)");
        return LarsMain.NOEXIST;
      }
      load.latency.getIntervalHistogram(); // discard the first requests' latencies
      long start = System.nanoTime();
      long startPairs = load.pairs.sum();
      long startFailures = load.failures.sum();
      load.go.countDown();
      long last = startPairs;
      long end = start;
      for (int s = 1; s <= seconds; s++) {
        end = start + TimeUnit.SECONDS.toNanos(s);
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
          LockSupport.parkNanos(left);
        }
        long now = load.pairs.sum();
        System.out.println("second " + s + ": " + (now - last) + " qps");
        last = now;
      }
      Histogram h = load.latency.getIntervalHistogram();
      long failures = load.failures.sum() - startFailures;
      load.stop = true;
      for (Thread t : workers) {
        t.join(2 * agent.timeoutMs + 2000);
      }
      double elapsed = (end - start) / 1e9;
      System.out.printf("threads %d, %d s: average %.0f qps (get_host + report pairs), %d failed requests%n",
          threads, seconds, (last - startPairs) / elapsed, failures);
      System.out.printf("get_host latency us: p50 %d, p99 %d, p999 %d, max %d%n", h.getValueAtPercentile(50) / 1000,
          h.getValueAtPercentile(99) / 1000, h.getValueAtPercentile(99.9) / 1000, h.getMaxValue() / 1000);
      return LarsMain.SUCC;
    }
  }

  private static void work(LarsClient client, int modid, Load load) {
    try {
      if (client.getHostBlocking(modid, 1).retCode() == RetCode.NOEXIST) {
        load.noHosts.compareAndSet(null, "(" + modid + ",1)");
      }
    } catch (LarsTimeoutException | IllegalStateException e) {
      load.firstError.compareAndSet(null, e);
    }
    load.ready.countDown();
    try {
      load.go.await();
    } catch (InterruptedException e) {
      return;
    }
    while (!load.stop) {
      long start = System.nanoTime();
      try {
        HostResult r = client.getHostBlocking(modid, 1);
        load.latency.recordValue(System.nanoTime() - start);
        if (r.isSucc()) {
          client.report(modid, 1, r.host(), RetCode.SUCC, Duration.ZERO);
          load.pairs.increment();
        } else {
          load.failures.increment();
        }
      } catch (RuntimeException e) {
        load.failures.increment();
      }
    }
  }
}
