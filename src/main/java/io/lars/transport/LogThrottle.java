package io.lars.transport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets one log line through per interval and counts the ones held back, so a flood of bad input
 * (spoofed UDP senders, connection storms) cannot flood the log. Use one per cause. Thread-safe.
 */
public final class LogThrottle {

  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
  private final LongAdder suppressed = new LongAdder();

  /** @param interval the least time between two lines let through, positive */
  public LogThrottle(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** @return true if the caller may log now; false if it must stay quiet (counted) */
  public boolean tryAcquire() {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      return true;
    }
    suppressed.increment();
    return false;
  }

  /** @return how many log lines were held back since the last call */
  public long takeSuppressed() {
    return suppressed.sumThenReset();
  }

  /**
   * For the end of the next line let through.
   *
   * @return {@code ""} or {@code " (N more since the last line)"}, resetting the count
   */
  public String suppressedNote() {
    long n = suppressed.sumThenReset();
    return n == 0 ? "" : " (" + n + " more since the last line)";
  }
}
