package io.lars.testkit;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.japi.function.Creator;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one way tests wait for something that happens later: Akka TestKit's
 * {@link TestProbe#awaitAssert}, on a probe of the system under test. It retries the assertion
 * every {@code interval} until it passes or {@code max} has passed, then fails with the last
 * assertion error. Limits are generous (a loaded machine is slow); a passing wait returns as soon
 * as the condition holds, so they cost a green test nothing.
 */
public final class Await {

  /** The retry interval when none is given. */
  public static final Duration INTERVAL = Duration.ofMillis(50);

  private Await() {}

  /**
   * Retries an assertion until it passes.
   *
   * @param system any running actor system (the probe's home; it is stopped again)
   * @param max how long to retry
   * @param interval wait between tries
   * @param assertion throws {@link AssertionError} (or any exception) until the awaited state holds
   * @param <T> what the assertion returns
   * @return the value of the first passing try
   * @throws AssertionError the last failure, when {@code max} passed without a passing try
   */
  public static <T> T awaitAssert(ActorSystem<?> system, Duration max, Duration interval, Creator<T> assertion) {
    TestProbe<Object> probe = TestProbe.create(system);
    try {
      return probe.awaitAssert(max, interval, assertion);
    } finally {
      probe.stop();
    }
  }

  /**
   * Retries an assertion every {@link #INTERVAL} until it passes.
   *
   * @param system any running actor system
   * @param max how long to retry
   * @param assertion throws until the awaited state holds
   * @param <T> what the assertion returns
   * @return the value of the first passing try
   * @throws AssertionError the last failure, when {@code max} passed without a passing try
   */
  public static <T> T awaitAssert(ActorSystem<?> system, Duration max, Creator<T> assertion) {
    return awaitAssert(system, max, INTERVAL, assertion);
  }

  /**
   * Waits until a condition holds.
   *
   * @param system any running actor system
   * @param what the awaited state, for the failure message
   * @param max how long to wait
   * @param condition true once the awaited state holds
   * @throws AssertionError naming {@code what}, when {@code max} passed and it still did not hold
   */
  public static void awaitTrue(ActorSystem<?> system, String what, Duration max, BooleanSupplier condition) {
    awaitAssert(system, max, INTERVAL, () -> {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("not within " + max.toSeconds() + " s: " + what);
      }
      return null;
    });
  }
}
