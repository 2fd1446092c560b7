package io.lars.agent;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A manual clock for the load-balancing tests, in milliseconds. */
final class FakeClock implements LongSupplier {

  private long nowMs;

  FakeClock(long startMs) {
    this.nowMs = startMs;
  }

  void advance(Duration d) {
    nowMs += d.toMillis();
  }

  void advanceMillis(long ms) {
    nowMs += ms;
  }

  @Override
  public long getAsLong() {
    return nowMs;
  }
}
