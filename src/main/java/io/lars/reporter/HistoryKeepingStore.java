package io.lars.reporter;

import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The production {@link StatusStore}: upserts the latest rows into {@code ServerCallStatus}, then
 * appends the same rows to {@code ServerCallHistory} for the admin's charts, and at most once per
 * {@link #PURGE_EVERY} deletes history older than the retention. Shared by all writers; blocking,
 * called only on the JDBC executor.
 */
public final class HistoryKeepingStore implements StatusStore {

  /** How often old history is deleted at most. */
  public static final Duration PURGE_EVERY = Duration.ofMinutes(1);

  private final CallStatusRepository status;
  private final CallHistoryRepository history;
  private final Duration retention;
  private final Clock clock;
  private final AtomicLong nextPurgeSecond = new AtomicLong();

  /**
   * @param status the latest statistics
   * @param history the statistics over time
   * @param retention how long history is kept ({@code lars.reporter.history-retention}), positive
   * @param clock gives "now" for the retention
   */
  public HistoryKeepingStore(CallStatusRepository status, CallHistoryRepository history, Duration retention,
      Clock clock) {
    this.status = Objects.requireNonNull(status, "status");
    this.history = Objects.requireNonNull(history, "history");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("lars.reporter.history-retention must be positive, got " + retention);
    }
  }

  /**
   * Upserts, appends to the history and maybe purges it. When the history append fails after the
   * upsert, the writer retries the batch; the upsert is idempotent, so only the history is redone.
   *
   * @throws io.lars.db.DatabaseException if a write fails
   */
  @Override
  public int upsert(List<CallStatusRow> rows) {
    int written = status.upsert(rows);
    history.append(rows);
    long now = clock.instant().getEpochSecond();
    long due = nextPurgeSecond.get();
    if (now >= due && nextPurgeSecond.compareAndSet(due, now + PURGE_EVERY.toSeconds())) {
      history.deleteOlderThan(now - retention.toSeconds());
    }
    return written;
  }
}
