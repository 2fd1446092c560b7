package io.lars.db;

import io.lars.protocol.ModuleId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Reads the recent {@code RouteChange} rows for the admin's change history. The dns role deletes
 * rows once it has pushed them, so this shows the writes the dns has not consumed yet plus, with
 * no dns running, every write since the dns last started.
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}.
 */
public final class RouteChangeLog {

  /**
   * One {@code RouteChange} row.
   *
   * @param id the row id, increasing with every write
   * @param module the changed module
   * @param version the route version the write set (unix seconds or above)
   */
  public record Change(long id, ModuleId module, long version) {}

  private static final String SELECT_RECENT =
      "SELECT id, modid, cmdid, version FROM RouteChange ORDER BY id DESC LIMIT ?";

  private final DataSource ds;

  /** @param ds the pooled data source of a migrated database */
  public RouteChangeLog(DataSource ds) {
    this.ds = Objects.requireNonNull(ds, "ds");
  }

  /**
   * @param limit the most rows to return, positive
   * @return the newest rows first; immutable
   * @throws IllegalArgumentException if limit is not positive
   * @throws DatabaseException if the query fails
   */
  public List<Change> recent(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return Jdbc.withConnection(ds, "read the " + limit + " newest route changes", c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_RECENT)) {
        ps.setInt(1, limit);
        List<Change> changes = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            changes.add(new Change(rs.getLong(1), new ModuleId(rs.getInt(2), rs.getInt(3)), rs.getLong(4)));
          }
        }
        return List.copyOf(changes);
      }
    });
  }
}
