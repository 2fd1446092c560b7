package io.lars.reporter;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the reporter role, for metrics and tests. Thread-safe: the TCP handlers and every
 * writer actor add to them; readers get a sum that may lag a concurrent add. The role of a node
 * uses the instance of {@link #get(ActorSystem)}.
 */
public final class ReporterStats implements Extension {

  private static final ExtensionId<ReporterStats> ID = new ExtensionId<>() {
    @Override
    public ReporterStats createExtension(ActorSystem<?> system) {
      return new ReporterStats();
    }
  };

  private final LongAdder requests = new LongAdder();
  private final LongAdder requestsRejected = new LongAdder();
  private final LongAdder rowsReceived = new LongAdder();
  private final LongAdder rowsWritten = new LongAdder();
  private final LongAdder rowsDropped = new LongAdder();
  private final LongAdder dbErrors = new LongAdder();

  /** Creates counters at zero, for a writer or intake outside a node (tests, benchmarks). */
  public ReporterStats() {}

  /**
   * @param system a node's actor system
   * @return the counters of that node's reporter role (zero if it runs none)
   */
  public static ReporterStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return {@code ReportStatusRequest}s received, rejected ones included */
  public long requests() {
    return requests.sum();
  }

  /** @return requests dropped whole because a value was impossible (bad port, ip 0, too many results) */
  public long requestsRejected() {
    return requestsRejected.sum();
  }

  /** @return host rows of accepted requests handed to the writers */
  public long rowsReceived() {
    return rowsReceived.sum();
  }

  /**
   * @return rows stored by a successful batch; lower than {@link #rowsReceived()} when rows of
   *     the same key were collapsed before writing, or were dropped
   */
  public long rowsWritten() {
    return rowsWritten.sum();
  }

  /** @return rows with a new key that a full writer buffer could not keep */
  public long rowsDropped() {
    return rowsDropped.sum();
  }

  /** @return failed batch writes (each one is retried) */
  public long dbErrors() {
    return dbErrors.sum();
  }

  void request() {
    requests.increment();
  }

  void requestRejected() {
    requestsRejected.increment();
  }

  void rowsReceived(int n) {
    rowsReceived.add(n);
  }

  void rowsWritten(int n) {
    rowsWritten.add(n);
  }

  void rowsDropped(int n) {
    rowsDropped.add(n);
  }

  void dbError() {
    dbErrors.increment();
  }

  @Override
  public String toString() {
    return "ReporterStats(requests=" + requests() + ", rejected=" + requestsRejected() + ", rowsReceived="
        + rowsReceived() + ", rowsWritten=" + rowsWritten() + ", rowsDropped=" + rowsDropped() + ", dbErrors="
        + dbErrors() + ")";
  }
}
