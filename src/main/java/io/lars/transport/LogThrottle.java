package io.lars.transport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets one log line through per interval and counts the ones held back, so a flood of bad input
 * (spoofed UDP senders, connection storms) cannot flood the log. Thread-safe.
 */
final class LogThrottle {

  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
  private final LongAdder suppressed = new LongAdder();

  LogThrottle(Duration interval) {
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

  /** @return how many log lines were held back since the last call */
  long takeSuppressed() {
    return suppressed.sumThenReset();
  }
}
