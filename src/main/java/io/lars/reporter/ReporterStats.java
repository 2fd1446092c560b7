package io.lars.reporter;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.kernel.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Meters of the reporter role: Micrometer counters registered once and counted directly.
 * Thread-safe: the TCP handlers and every writer actor add to them; readers get a count that may
 * lag a concurrent add. The role of a node uses the instance of {@link #get(ActorSystem)}, whose
 * meters are in the node's registry ({@code lars_reporter_*_total},
 * {@code lars_database_errors_total{source="reporter"}}).
 */
public final class ReporterStats implements Extension {

  private static final ExtensionId<ReporterStats> ID = new ExtensionId<>() {
    @Override
    public ReporterStats createExtension(ActorSystem<?> system) {
      return new ReporterStats(Metrics.get(system).registry());
    }
  };

  private final Counter requests;
  private final Counter requestsRejected;
  private final Counter rowsReceived;
  private final Counter rowsWritten;
  private final Counter rowsDropped;
  private final Counter dbErrors;

  /** Creates counters at zero that no node exposes, for a writer or intake outside a node (tests, benchmarks). */
  public ReporterStats() {
    this(new SimpleMeterRegistry());
  }

  private ReporterStats(MeterRegistry registry) {
    requests = counter(registry, "lars.reporter.reports", "ReportStatusRequests received");
    requestsRejected = counter(registry, "lars.reporter.reports.rejected", "ReportStatusRequests dropped as impossible");
    rowsReceived = counter(registry, "lars.reporter.rows.received", "host rows received");
    rowsWritten = counter(registry, "lars.reporter.rows.written", "host rows stored");
    rowsDropped = counter(registry, "lars.reporter.rows.dropped", "host rows dropped by a full writer buffer");
    dbErrors = Counter.builder("lars.database.errors").description("failed database operations")
        .tags("source", "reporter").register(registry);
  }

  private static Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /**
   * @param system a node's actor system
   * @return the counters of that node's reporter role (zero if it runs none)
   */
  public static ReporterStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return {@code ReportStatusRequest}s received, rejected ones included */
  public long requests() {
    return (long) requests.count();
  }

  /** @return requests dropped whole because a value was impossible (bad port, ip 0, too many results) */
  public long requestsRejected() {
    return (long) requestsRejected.count();
  }

  /** @return host rows of accepted requests handed to the writers */
  public long rowsReceived() {
    return (long) rowsReceived.count();
  }

  /**
   * @return rows stored by a successful batch; lower than {@link #rowsReceived()} when rows of
   *     the same key were collapsed before writing, or were dropped
   */
  public long rowsWritten() {
    return (long) rowsWritten.count();
  }

  /** @return rows with a new key that a full writer buffer could not keep */
  public long rowsDropped() {
    return (long) rowsDropped.count();
  }

  /** @return failed batch writes (each one is retried) */
  public long dbErrors() {
    return (long) dbErrors.count();
  }

  void request() {
    requests.increment();
  }

  void requestRejected() {
    requestsRejected.increment();
  }

  void rowsReceived(int n) {
    rowsReceived.increment(n);
  }

  void rowsWritten(int n) {
    rowsWritten.increment(n);
  }

  void rowsDropped(int n) {
    rowsDropped.increment(n);
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
