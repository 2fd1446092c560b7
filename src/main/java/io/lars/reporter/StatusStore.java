package io.lars.reporter;

import io.lars.db.CallStatusRow;
import java.util.List;

/**
 * Where a {@link StatusWriter} stores its batches; in production
 * {@link io.lars.db.CallStatusRepository#upsert}. Blocking: called only on the JDBC executor.
 */
@FunctionalInterface
public interface StatusStore {

  /**
   * Inserts or updates rows of {@code ServerCallStatus}, keyed by (modid, cmdid, ip, port,
   * caller); for a key already stored, succ_cnt, err_cnt, ts and overload are replaced.
   *
   * @param rows at most one row per key
   * @return the driver's update count (informational)
   * @throws RuntimeException if the rows could not be stored; the writer retries them
   */
  int upsert(List<CallStatusRow> rows);
}
