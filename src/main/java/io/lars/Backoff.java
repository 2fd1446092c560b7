package io.lars;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, Akka's formula ({@code BackoffSupervisor.calculateDelay}, also
 * used by {@code RestartSource.withBackoff} and {@code SupervisorStrategy.restartWithBackoff}):
 * {@code min(maxBackoff, minBackoff * 2^restartCount) * (1 + random(0, 1) * randomFactor)}. Akka
 * keeps that computation internal, so the actors that retry while keeping their state (a client
 * reconnecting with frames pending, a writer keeping its rows) share this one.
 *
 * @param minBackoff the first delay, positive
 * @param maxBackoff the cap before jitter, at least {@code minBackoff}
 * @param randomFactor jitter, 0..1 (0: no jitter)
 */
public record Backoff(Duration minBackoff, Duration maxBackoff, double randomFactor) {

  /**
   * @throws IllegalArgumentException naming the value that is out of range
   */
  public Backoff {
    if (minBackoff == null || minBackoff.isNegative() || minBackoff.isZero()) {
      throw new IllegalArgumentException("minBackoff must be positive, was " + minBackoff);
    }
    if (maxBackoff == null || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be at least minBackoff " + minBackoff + ", was " + maxBackoff);
    }
    if (!(randomFactor >= 0 && randomFactor <= 1)) {
      throw new IllegalArgumentException("randomFactor must be 0..1, was " + randomFactor);
    }
  }

  /**
   * @param restartCount retries before this one, 0 for the first
   * @return the delay before this retry, with random jitter
   */
  public Duration delay(int restartCount) {
    return delay(restartCount, ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param restartCount retries before this one, 0 for the first
   * @param random01 the jitter draw, in [0, 1]
   * @return the delay before this retry
   */
  public Duration delay(int restartCount, double random01) {
    double base = restartCount >= 30
        ? maxBackoff.toNanos()
        : Math.min(maxBackoff.toNanos(), minBackoff.toNanos() * Math.pow(2, restartCount));
    return Duration.ofNanos((long) (base * (1 + random01 * randomFactor)));
  }
}
