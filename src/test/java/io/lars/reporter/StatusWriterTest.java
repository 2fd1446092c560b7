package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.lars.Backoff;
import io.lars.db.CallStatusRow;
import io.lars.transport.TcpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StatusWriterTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  /** Several threads, so a second batch in flight would run concurrently and be seen. */
  private static final ExecutorService jdbc = Executors.newFixedThreadPool(4);
  private static final Duration AWAIT = Duration.ofSeconds(10);

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
    jdbc.shutdownNow();
  }

  /** A table in memory that fails while down or for its next N calls. */
  static final class FakeStore implements StatusStore {
    final Map<StatusBuffer.Key, CallStatusRow> table = new ConcurrentHashMap<>();
    final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    final List<Long> callNanos = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failNext = new AtomicInteger();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();

    @Override
    public int upsert(List<CallStatusRow> rows) {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        callNanos.add(System.nanoTime());
        if (down.get() || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IllegalStateException("database is down");
        }
        rows.forEach(r -> table.put(StatusBuffer.Key.of(r), r));
        batches.add(rows.size());
        return rows.size();
      } finally {
        running.decrementAndGet();
      }
    }

    long succOf(CallStatusRow probe) {
      CallStatusRow r = table.get(StatusBuffer.Key.of(probe));
      return r == null ? -1 : r.succ();
    }
  }

  private static ReporterSettings settings(int batchSize, Duration flush, int maxBuffered, Duration minBackoff,
      Duration maxBackoff) {
    return new ReporterSettings(new TcpServer.Settings("127.0.0.1", 0, 10, 16), 1, batchSize, flush, maxBuffered, minBackoff, maxBackoff, 10_000, Duration.ofDays(7));
  }

  private static List<CallStatusRow> rows(int fromModid, int count, long succ) {
    List<CallStatusRow> rows = new ArrayList<>();
    for (int m = fromModid; m < fromModid + count; m++) {
      rows.add(StatusBufferTest.row(m, 80, succ));
    }
    return rows;
  }

  private <T> T await(TestProbe<?> probe, akka.japi.function.Creator<T> check) {
    return probe.awaitAssert(AWAIT, check);
  }

  @Test
  void fullBatchesAreWrittenAtOnceAndTheRestAfterTheFlushInterval() {
    FakeStore store = new FakeStore();
    ReporterStats stats = new ReporterStats();
    ActorRef<StatusWriter.Command> writer = testKit.spawn(StatusWriter.create(
        settings(10, Duration.ofMillis(300), 1000, Duration.ofMillis(10), Duration.ofMillis(100)), store, jdbc, stats));
    long start = System.nanoTime();
    writer.tell(new StatusWriter.Write(rows(0, 25, 1)));
    TestProbe<Object> probe = testKit.createTestProbe();
    await(probe, () -> {
      assertEquals(List.of(10, 10, 5), store.batches);
      return null;
    });
    long lastCall = store.callNanos.get(2) - start;
    assertTrue(lastCall >= Duration.ofMillis(300).toNanos(), "the 5 rows waited for the flush interval");
    assertEquals(25, stats.rowsWritten());
    assertEquals(25, store.table.size());
    assertEquals(1, store.maxRunning.get(), "one batch in flight");
  }

  @Test
  void lastWriteWinsPerKey() {
    FakeStore store = new FakeStore();
    ActorRef<StatusWriter.Command> writer = testKit.spawn(StatusWriter.create(
        settings(50, Duration.ofMillis(20), 1000, Duration.ofMillis(10), Duration.ofMillis(100)), store, jdbc,
        new ReporterStats()));
    for (long succ = 1; succ <= 500; succ++) {
      writer.tell(new StatusWriter.Write(rows(0, 20, succ)));
    }
    await(testKit.createTestProbe(), () -> {
      for (CallStatusRow r : rows(0, 20, 0)) {
        assertEquals(500, store.succOf(r));
      }
      return null;
    });
    assertEquals(1, store.maxRunning.get());
  }

  @Test
  void failedBatchesAreRetriedWithBackoffAndNoKeyIsLost() {
    FakeStore store = new FakeStore();
    store.failNext.set(4);
    ReporterStats stats = new ReporterStats();
    ActorRef<StatusWriter.Command> writer = testKit.spawn(StatusWriter.create(
        settings(20, Duration.ofMillis(10), 1000, Duration.ofMillis(30), Duration.ofMillis(100)), store, jdbc, stats));
    writer.tell(new StatusWriter.Write(rows(0, 50, 1)));
    writer.tell(new StatusWriter.Write(rows(25, 50, 2)));
    await(testKit.createTestProbe(), () -> {
      assertEquals(75, store.table.size());
      return null;
    });
    rows(0, 25, 0).forEach(r -> assertEquals(1, store.succOf(r)));
    rows(25, 50, 0).forEach(r -> assertEquals(2, store.succOf(r)));
    assertEquals(4, stats.dbErrors());
    assertEquals(0, stats.rowsDropped());
    List<Long> calls = List.copyOf(store.callNanos);
    long[] minGapsMs = {30, 60, 100, 100};
    for (int i = 0; i < 4; i++) {
      long gapMs = (calls.get(i + 1) - calls.get(i)) / 1_000_000;
      assertTrue(gapMs >= minGapsMs[i], "retry " + (i + 1) + " came after " + gapMs + " ms, backoff " + minGapsMs[i]);
    }
    assertEquals(1, store.maxRunning.get());
  }

  @Test
  void newKeysAreDroppedAndCountedWhileFullAndTheRestIsWrittenWhenTheDatabaseIsBack() {
    FakeStore store = new FakeStore();
    store.down.set(true);
    ReporterStats stats = new ReporterStats();
    ActorRef<StatusWriter.Command> writer = testKit.spawn(StatusWriter.create(
        settings(5, Duration.ofMillis(10), 10, Duration.ofMillis(10), Duration.ofMillis(50)), store, jdbc, stats));
    writer.tell(new StatusWriter.Write(rows(0, 30, 1)));
    TestProbe<Object> probe = testKit.createTestProbe();
    await(probe, () -> {
      assertTrue(stats.dbErrors() >= 2);
      return null;
    });
    writer.tell(new StatusWriter.Write(rows(0, 10, 7)));
    writer.tell(new StatusWriter.Write(rows(100, 1, 7)));
    store.down.set(false);
    await(probe, () -> {
      assertEquals(10, store.table.size());
      return null;
    });
    assertEquals(21, stats.rowsDropped(), "20 new keys of the first write and 1 of the last");
    rows(0, 10, 0).forEach(r -> assertEquals(7, store.succOf(r), "a known key is updated even while full"));
    assertEquals(10, stats.rowsWritten());
  }

  @Test
  void drainWritesWhatIsPendingAtOnceAndDoesNotWaitForAnOutage() {
    FakeStore store = new FakeStore();
    ActorRef<StatusWriter.Command> writer = testKit.spawn(StatusWriter.create(
        settings(4, Duration.ofMinutes(1), 1000, Duration.ofMillis(10), Duration.ofMillis(50)), store, jdbc,
        new ReporterStats()));
    TestProbe<Done> drained = testKit.createTestProbe();
    writer.tell(new StatusWriter.Write(rows(0, 10, 1)));
    writer.tell(new StatusWriter.Drain(drained.ref()));
    drained.expectMessage(AWAIT, Done.getInstance());
    assertEquals(10, store.table.size(), "all rows written before Done, not after the 1 min flush interval");

    store.down.set(true);
    writer.tell(new StatusWriter.Write(rows(0, 10, 2)));
    writer.tell(new StatusWriter.Drain(drained.ref()));
    drained.expectMessage(AWAIT, Done.getInstance());
  }

  @Test
  void backoffDoublesFromMinimumToMaximum() {
    Duration min = Duration.ofMillis(200);
    Duration max = Duration.ofSeconds(10);
    assertEquals(Duration.ofMillis(200), new Backoff(min, max, 0).delay(0));
    assertEquals(Duration.ofMillis(400), new Backoff(min, max, 0).delay(1));
    assertEquals(Duration.ofMillis(6400), new Backoff(min, max, 0).delay(5));
    assertEquals(max, new Backoff(min, max, 0).delay(6));
    assertEquals(max, new Backoff(min, max, 0).delay(999));
  }
}
