package io.lars.db;

import io.lars.protocol.ModuleId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The call statistics in {@code ServerCallStatus}: one row per (module, host, caller) holding the
 * latest report (reference: the reporter's {@code StoreReport::store}, one
 * {@code INSERT ... ON DUPLICATE KEY UPDATE} per result).
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}. {@code ip} and
 * {@code caller} are stored unsigned (192.168.1.177 is 3232235953), {@code overload} as '1' or '0'.
 */
public final class CallStatusRepository {

  // VALUES(col) is the form both MariaDB and H2 (MySQL mode) accept; MySQL 8.0.20+ only deprecates it.
  static final String UPSERT = """
      INSERT INTO ServerCallStatus (modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON DUPLICATE KEY UPDATE succ_cnt = VALUES(succ_cnt), err_cnt = VALUES(err_cnt), ts = VALUES(ts),
        overload = VALUES(overload)""";
  private static final String SELECT_ALL = """
      SELECT modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload FROM ServerCallStatus
      ORDER BY modid, cmdid, ip, port, caller""";
  private static final String SELECT_MODULE = """
      SELECT modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload FROM ServerCallStatus
      WHERE modid = ? AND cmdid = ? ORDER BY ip, port, caller""";

  private final DataSource ds;

  /** @param ds the pooled data source of a migrated database */
  public CallStatusRepository(DataSource ds) {
    this.ds = Objects.requireNonNull(ds, "ds");
  }

  /**
   * Writes rows as one JDBC batch in one transaction: a new key is inserted, an existing key gets
   * the row's counts, ts and overload. When a key appears twice, the later row wins.
   *
   * @param rows the rows, possibly empty (then nothing is sent)
   * @return the number of rows written, {@code rows.size()}
   * @throws DatabaseException if the batch fails; then none of the rows is written
   */
  public int upsert(List<CallStatusRow> rows) {
    return CallStatusColumns.writeBatch(ds, "upsert call status", UPSERT, rows);
  }

  /**
   * @param module a module, or empty for all modules
   * @return the rows, ordered by module, ip (unsigned), port and caller (unsigned)
   * @throws DatabaseException if the query fails
   */
  public List<CallStatusRow> list(Optional<ModuleId> module) {
    String what = module.map(m -> "list call status of module " + m).orElse("list call status");
    return Jdbc.withConnection(ds, what, c -> {
      try (PreparedStatement ps = c.prepareStatement(module.isPresent() ? SELECT_MODULE : SELECT_ALL)) {
        if (module.isPresent()) {
          ps.setInt(1, module.get().modid());
          ps.setInt(2, module.get().cmdid());
        }
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


}
