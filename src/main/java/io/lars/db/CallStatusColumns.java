package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The column layout shared by {@code ServerCallStatus} and {@code ServerCallHistory}:
 * {@code modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload}, with ip and caller
 * stored unsigned and overload as {@code '1'}/{@code '0'} (reference: lars_reporter's SQL).
 */
final class CallStatusColumns {

  private CallStatusColumns() {}

  /** Binds a row to parameters 1..9 in column order. */
  static void bind(PreparedStatement ps, CallStatusRow row) throws SQLException {
    ps.setInt(1, row.module().modid());
    ps.setInt(2, row.module().cmdid());
    ps.setLong(3, Ipv4.toUnsigned(row.host().ip()));
    ps.setInt(4, row.host().port());
    ps.setLong(5, Ipv4.toUnsigned(row.caller()));
    ps.setLong(6, row.succ());
    ps.setLong(7, row.err());
    ps.setLong(8, row.ts());
    ps.setString(9, row.overload() ? "1" : "0");
  }

  /** Reads a row from result columns 1..9 in column order. */
  static CallStatusRow read(ResultSet rs) throws SQLException {
    return new CallStatusRow(new ModuleId(rs.getInt(1), rs.getInt(2)),
        new Host(Ipv4.fromUnsigned(rs.getLong(3)), rs.getInt(4)), Ipv4.fromUnsigned(rs.getLong(5)),
        rs.getLong(6), rs.getLong(7), rs.getLong(8), "1".equals(rs.getString(9)));
  }

  /**
   * Runs {@code sql} once per row as one JDBC batch in one transaction.
   *
   * @return {@code rows.size()}
   * @throws DatabaseException naming {@code what} if the batch fails; then no row is written
   */
  static int writeBatch(DataSource ds, String what, String sql, List<CallStatusRow> rows) {
    if (rows.isEmpty()) {
      return 0;
    }
    return Jdbc.inTransaction(ds, what + " " + rows.size() + " rows", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (CallStatusRow row : rows) {
          bind(ps, row);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return rows.size();
    });
  }
}
