package io.lars.transport;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The process's file descriptors: how many are open and the limit (DESIGN.md "Robustness rules",
 * H9). A TCP server stops accepting while fewer than {@link #RESERVED} descriptors are left, so it
 * never reaches {@code Too many open files}, which Akka's listener would retry (and log) in a tight
 * loop, and so the database pool, the cluster and the agent ports keep theirs.
 *
 * <p>Read through {@code com.sun.management.UnixOperatingSystemMXBean}; on a platform without it
 * (Windows) the budget is unknown and never limits anything. Thread-safe.
 */
public final class DescriptorBudget {

  /**
   * Descriptors kept free for everything but accepted connections: the JVM's jars and sockets,
   * the database pool, Artery, the admin and management HTTP, the agent's UDP ports, the other
   * listener's connections in flight.
   */
  public static final long RESERVED = 256;

  private static final DescriptorBudget UNKNOWN = new DescriptorBudget(() -> -1, () -> -1);

  private final LongSupplier open;
  private final LongSupplier max;

  /**
   * A budget over given readings, for tests.
   *
   * @param open descriptors open now, or a negative number when unknown
   * @param max the process's limit, or a negative number when unknown
   */
  public DescriptorBudget(LongSupplier open, LongSupplier max) {
    this.open = open;
    this.max = max;
  }

  /** @return the budget of this JVM process (unknown where the platform does not tell) */
  public static DescriptorBudget ofProcess() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return new DescriptorBudget(unix::getOpenFileDescriptorCount, unix::getMaxFileDescriptorCount);
    }
    return UNKNOWN;
  }

  /** @return the descriptor limit, or empty when unknown */
  public Optional<Long> max() {
    long m = max.getAsLong();
    return m < 0 ? Optional.empty() : Optional.of(m);
  }

  /**
   * @return whether more than {@link #RESERVED} descriptors are free (true when unknown), i.e.
   *     whether a server may accept one more connection
   */
  public boolean hasHeadroom() {
    long m = max.getAsLong();
    long o = open.getAsLong();
    return m < 0 || o < 0 || m - o > RESERVED;
  }

  /** @return "open/max" for log lines, "unknown" when the platform does not tell */
  public String describe() {
    long m = max.getAsLong();
    return m < 0 ? "unknown" : open.getAsLong() + "/" + m;
  }

  /**
   * The start-up check of a listener's {@code max-connections} against the descriptor limit.
   *
   * @param listener the listener's name for the message, e.g. {@code "lars.dns"}
   * @param maxConnections the connections the listener may hold at once
   * @return a warning when {@code maxConnections + RESERVED} exceeds the limit (the limit would
   *     be reached before {@code max-connections}), empty otherwise or when the limit is unknown
   */
  public Optional<String> warningFor(String listener, int maxConnections) {
    return max().filter(m -> maxConnections + RESERVED > m).map(m -> listener + ".max-connections = " + maxConnections
        + " leaves no headroom below the process's file descriptor limit of " + m + " (" + RESERVED
        + " are kept for the rest of the node): raise the limit (ulimit -n, LimitNOFILE) above "
        + (maxConnections + RESERVED) + " or lower max-connections");
  }
}
