package io.lars.db;

import java.sql.PreparedStatement;
import java.util.List;
import javax.sql.DataSource;

/**
 * The reference way of writing call status rows, one autocommitted statement per row; only to
 * compare with {@link CallStatusRepository#upsert} in a test and the benchmark.
 */
public final class CallStatusEachRow {

  private CallStatusEachRow() {}

  /**
   * @param ds a migrated database
   * @param rows the rows, possibly empty
   * @return the number of rows written, {@code rows.size()}
   * @throws DatabaseException if a statement fails; the rows before it stay written
   */
  public static int upsert(DataSource ds, List<CallStatusRow> rows) {
    if (rows.isEmpty()) {
      return 0;
    }
    return Jdbc.withConnection(ds, "upsert " + rows.size() + " call status rows one by one", c -> {
      try (PreparedStatement ps = c.prepareStatement(CallStatusRepository.UPSERT)) {
        for (CallStatusRow row : rows) {
          CallStatusColumns.bind(ps, row);
          ps.executeUpdate();
        }
      }
      return rows.size();
    });
  }
}
