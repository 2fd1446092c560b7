package io.lars.db;

import io.lars.protocol.ModuleId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The call statistics over time in {@code ServerCallHistory}: every row the reporter writes to
 * {@code ServerCallStatus} is also appended here, for the admin's charts. The reference kept only
 * the latest row per key, so it could not draw a host's history.
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}. {@code ip} and
 * {@code caller} are stored unsigned, {@code overload} as '1' or '0', like {@link CallStatusRepository}.
 */
public final class CallHistoryRepository {

  private static final String INSERT = """
      INSERT INTO ServerCallHistory (modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";
  private static final String SELECT_MODULE_SINCE = """
      SELECT modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload FROM ServerCallHistory
      WHERE modid = ? AND cmdid = ? AND ts >= ? ORDER BY ts, ip, port, caller, id""";
  private static final String DELETE_OLDER = "DELETE FROM ServerCallHistory WHERE ts < ?";

  private final DataSource ds;

  /** @param ds the pooled data source of a migrated database */
  public CallHistoryRepository(DataSource ds) {
    this.ds = Objects.requireNonNull(ds, "ds");
  }

  /**
   * Appends rows as one JDBC batch in one transaction; every row becomes a new history row, even
   * when its key and ts repeat.
   *
   * @param rows the rows, possibly empty (then nothing is sent)
   * @return the number of rows appended, {@code rows.size()}
   * @throws DatabaseException if the batch fails; then none of the rows is appended
   */
  public int append(List<CallStatusRow> rows) {
    return CallStatusColumns.writeBatch(ds, "append call history", INSERT, rows);
  }

  /**
   * @param module the module
   * @param sinceTs the oldest report time to include, unix seconds (inclusive)
   * @return the module's rows with {@code ts >= sinceTs}, oldest first (then by ip, port, caller);
   *     immutable
   * @throws DatabaseException if the query fails
   */
  public List<CallStatusRow> history(ModuleId module, long sinceTs) {
    Objects.requireNonNull(module, "module");
    return Jdbc.withConnection(ds, "read call history of module " + module + " since " + sinceTs, c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_MODULE_SINCE)) {
        ps.setInt(1, module.modid());
        ps.setInt(2, module.cmdid());
        ps.setLong(3, sinceTs);
        List<CallStatusRow> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(CallStatusColumns.read(rs));
          }
        }
        return List.copyOf(rows);
      }
    });
  }

  /**
   * Deletes the history older than a time (retention).
   *
   * @param ts unix seconds; rows with {@code ts < ts} are deleted
   * @return the number of rows deleted
   * @throws DatabaseException if the delete fails
   */
  public int deleteOlderThan(long ts) {
    return Jdbc.withConnection(ds, "delete call history older than " + ts, c -> {
      try (PreparedStatement ps = c.prepareStatement(DELETE_OLDER)) {
        ps.setLong(1, ts);
        return ps.executeUpdate();
      }
    });
  }


}
