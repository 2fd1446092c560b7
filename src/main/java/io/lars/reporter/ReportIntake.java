package io.lars.reporter;

import akka.actor.typed.ActorRef;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.transport.Connection;
import io.lars.transport.LogThrottle;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP side of the reporter: validates each {@code ReportStatusReq} and tells its rows to the
 * writer that owns the module. Never blocks and never answers (reference: the reporter sends no
 * response).
 *
 * <p>Called concurrently from every connection's stream; holds only thread-safe state (the log
 * throttle and the counters).
 */
public final class ReportIntake {

  private static final Logger log = LoggerFactory.getLogger(ReportIntake.class);

  private final List<ActorRef<StatusWriter.Command>> writers;
  private final WriterRing ring;
  private final int maxResults;
  private final ReporterStats stats;
  /** One WARN per interval for rejected requests, whatever the number of connections sending them. */
  private final LogThrottle rejectLog = new LogThrottle(Duration.ofSeconds(10));

  /**
   * @param writers the writers, indexed as on the ring; not empty
   * @param maxResults most host results one request may carry
   * @param stats counters of requests, rejections and rows received
   */
  public ReportIntake(List<ActorRef<StatusWriter.Command>> writers, int maxResults, ReporterStats stats) {
    this.writers = List.copyOf(writers);
    this.ring = WriterRing.of(writers.size());
    this.maxResults = maxResults;
    this.stats = stats;
  }

  /**
   * Handles one request: counts it, drops it whole if a value is impossible (counted; logged at
   * warn at most once per 10 s for all connections, the rest at debug), else sends its rows to
   * the module's writer.
   *
   * @param connection the agent's connection
   * @param request the decoded body of a msgid 3 frame
   */
  public void onReport(Connection connection, ReportStatusReq request) {
    StatusReport.Decoded decoded = StatusReport.decode(request, maxResults);
    if (decoded instanceof StatusReport.Rejected rejected) {
      reject(connection, rejected.reason());
    } else if (decoded instanceof StatusReport.Accepted accepted && !accepted.rows().isEmpty()) {
      writers.get(ring.writerFor(accepted.module())).tell(new StatusWriter.Write(accepted.rows()));
      stats.rowsReceived(accepted.rows().size());
    }
    // Counted last, so a reader that sees the count knows the rows were already handed over.
    stats.request();
  }

  private void reject(Connection connection, String reason) {
    stats.requestRejected();
    if (rejectLog.tryAcquire()) {
      long held = rejectLog.takeSuppressed();
      log.warn("dropping ReportStatusRequest from {}: {}{}", connection.peer(), reason,
          held == 0 ? "" : " (" + held + " more dropped in the last 10 s, logged at debug)");
    } else {
      log.debug("dropping ReportStatusRequest from {}: {}", connection.peer(), reason);
    }
  }
}
