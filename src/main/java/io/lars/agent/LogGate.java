package io.lars.agent;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets one log line of one cause through per interval and counts the lines held back (issue 19
 * item 11: throttle per cause), so a burst of requests, reports or transitions cannot flood the
 * log. One instance per cause. Thread-safe.
 */
final class LogGate {

  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
  private final LongAdder suppressed = new LongAdder();

  /** @param interval at most one line per this interval, positive */
  LogGate(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** @return true if the caller may log now; false if it must stay quiet (counted) */
  boolean tryAcquire() {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      return true;
    }
    suppressed.increment();
    return false;
  }

  /** @return {@code ""} or {@code " (N more since the last line)"}, resetting the count */
  String suppressedNote() {
    long n = suppressed.sumThenReset();
    return n == 0 ? "" : " (" + n + " more since the last line)";
  }
}
