package io.lars.reporter;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.transport.TcpServer;
import java.time.Duration;

/**
 * Settings of the {@code reporter} role, read from {@code lars.reporter}.
 *
 * @param listener the TCP listener ({@code bind}, {@code port}, connection and queue limits,
 *     allow-list, {@code idle-timeout} between frames: agents report every interval while calls
 *     are reported, and reconnect when closed)
 * @param writers writer actors, 1..64; one module is always written by the same one
 * @param batchSize most rows in one JDBC batch, 1..100,000
 * @param flushInterval longest time a row waits before its batch is written, 1 ms..1 min
 * @param maxBufferedRows rows (one per primary key) one writer keeps while the database is slow
 *     or down, at least {@code batchSize}; rows with a new key beyond it are dropped and counted
 * @param retryMinBackoff first wait after a failed batch, at least 1 ms
 * @param retryMaxBackoff longest wait between retries, at least {@code retryMinBackoff}
 * @param maxResultsPerRequest most host results one {@code ReportStatusReq} may carry; a larger
 *     request is rejected whole, 1..100,000
 * @param historyRetention how long {@code ServerCallHistory} rows are kept, positive
 */
public record ReporterSettings(TcpServer.Settings listener, int writers, int batchSize,
    Duration flushInterval, int maxBufferedRows, Duration retryMinBackoff, Duration retryMaxBackoff,
    int maxResultsPerRequest, Duration historyRetention) {

  /**
   * Reads and validates {@code lars.reporter}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the key that is missing or out of range
   */
  public static ReporterSettings fromConfig(Config config) {
    TcpServer.Settings listener = TcpServer.Settings.fromConfig(config, "lars.reporter", TcpServer.IdleRule.BETWEEN_FRAMES);
    try {
      Config c = config.getConfig("lars.reporter");
      ReporterSettings s = new ReporterSettings(listener, c.getInt("writers"), c.getInt("batch-size"), c.getDuration("flush-interval"), c.getInt("max-buffered-rows"),
          c.getDuration("retry-min-backoff"), c.getDuration("retry-max-backoff"),
          c.getInt("max-results-per-request"), c.getDuration("history-retention"));
      s.validate();
      return s;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.reporter: " + e.getMessage(), e);
    }
  }

  private void validate() {
    check(writers >= 1 && writers <= 64, "lars.reporter.writers must be 1..64, got " + writers);
    check(batchSize >= 1 && batchSize <= 100_000, "lars.reporter.batch-size must be 1..100000, got " + batchSize);
    check(flushInterval.toMillis() >= 1 && flushInterval.compareTo(Duration.ofMinutes(1)) <= 0,
        "lars.reporter.flush-interval must be 1ms..1min, got " + flushInterval);
    check(maxBufferedRows >= batchSize,
        "lars.reporter.max-buffered-rows must be at least batch-size (" + batchSize + "), got " + maxBufferedRows);
    check(retryMinBackoff.toMillis() >= 1, "lars.reporter.retry-min-backoff must be at least 1ms, got " + retryMinBackoff);
    check(retryMaxBackoff.compareTo(retryMinBackoff) >= 0,
        "lars.reporter.retry-max-backoff must be at least retry-min-backoff (" + retryMinBackoff + "), got "
            + retryMaxBackoff);
    check(maxResultsPerRequest >= 1 && maxResultsPerRequest <= 100_000,
        "lars.reporter.max-results-per-request must be 1..100000, got " + maxResultsPerRequest);
    check(historyRetention.compareTo(Duration.ZERO) > 0,
        "lars.reporter.history-retention must be positive, got " + historyRetention);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
