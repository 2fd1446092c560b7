package io.lars.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The run the fuzz benches share: fuzzing threads send bad inputs until a count or a time is used
 * up, while one well-behaved client runs beside them; then the client stops and the counts are read.
 */
final class FuzzRun {

  /**
   * What one run counted.
   *
   * @param inputs bad inputs sent
   * @param connections connections they used (0 for datagrams)
   * @param hangs connections the server neither answered nor closed within the read timeout
   * @param serverErrors answers that were server errors (HTTP 500)
   * @param goodOk the good client's successes
   * @param goodFailed its failures
   * @param seconds how long the fuzzing threads ran, s
   */
  record Result(long inputs, long connections, long hangs, long serverErrors, long goodOk, long goodFailed,
      double seconds) {}

  /** The counters of one run, shared by its threads. */
  static final class Counters {
    private final AtomicLong remaining;
    private final long deadline;
    final LongAdder sent = new LongAdder();
    final LongAdder connections = new LongAdder();
    final LongAdder hangs = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder goodOk = new LongAdder();
    final LongAdder goodFailed = new LongAdder();
    /** Set once the fuzzing threads are done: the good client stops. */
    final AtomicBoolean stop = new AtomicBoolean();

    private Counters(long inputs, long deadline) {
      this.remaining = new AtomicLong(inputs);
      this.deadline = deadline;
    }

    /** @return true while inputs and time are left */
    boolean more() {
      return remaining.get() > 0 && System.nanoTime() < deadline;
    }

    /** Counts {@code n} inputs as sent. */
    void take(long n) {
      remaining.addAndGet(-n);
      sent.add(n);
    }
  }

  /** One fuzzing thread's work: sends inputs while {@link Counters#more()}, counting them with {@link Counters#take}. */
  interface Fuzzer {
    void fuzz(SplittableRandom random, Counters counters) throws Exception;
  }

  /** The good client: runs until {@link Counters#stop}, counting {@code goodOk} and {@code goodFailed}. */
  interface GoodClient {
    void run(Counters counters) throws Exception;
  }

  private FuzzRun() {}

  /**
   * @param inputs bad inputs to send at most
   * @param maxSeconds time to fuzz at most, s
   * @param threads fuzzing threads; thread {@code t} uses the random seed {@code seedBase + t}
   * @param seedBase see {@code threads}
   * @param fuzzer what each fuzzing thread does
   * @param good the good client
   * @return the counts
   * @throws Exception what a thread threw
   */
  static Result run(long inputs, long maxSeconds, int threads, long seedBase, Fuzzer fuzzer, GoodClient good)
      throws Exception {
    Counters c = new Counters(inputs, System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds));
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    long start = System.nanoTime();
    Future<?> goodClient = pool.submit(() -> {
      good.run(c);
      return null;
    });
    List<Future<?>> fuzzers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = seedBase + t;
      fuzzers.add(pool.submit(() -> {
        fuzzer.fuzz(new SplittableRandom(seed), c);
        return null;
      }));
    }
    for (Future<?> f : fuzzers) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    c.stop.set(true);
    goodClient.get();
    pool.shutdown();
    return new Result(c.sent.sum(), c.connections.sum(), c.hangs.sum(), c.serverErrors.sum(), c.goodOk.sum(),
        c.goodFailed.sum(), seconds);
  }
}
