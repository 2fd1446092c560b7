package io.lars.db;

import io.lars.protocol.ModuleId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Calls per module over a recent window, summed from {@code ServerCallHistory} (the reporter's
 * rows, one per agent report of a host's successes and errors since its previous report), for the
 * admin's module overview.
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}.
 */
public final class ModuleTrafficQuery {

  /**
   * A module's reported calls in the window.
   *
   * @param succ successes, summed over hosts and callers, 0 or more
   * @param err errors, summed over hosts and callers, 0 or more
   */
  public record Traffic(long succ, long err) {}

  private static final String SUM_SINCE = "SELECT modid, cmdid, SUM(succ_cnt), SUM(err_cnt) FROM ServerCallHistory "
      + "WHERE ts >= ? GROUP BY modid, cmdid";

  private final DataSource ds;

  /** @param ds the pooled data source of a migrated database */
  public ModuleTrafficQuery(DataSource ds) {
    this.ds = Objects.requireNonNull(ds, "ds");
  }

  /**
   * @param sinceTs the oldest report time to include, unix seconds (inclusive)
   * @return every module with reports since then and its sums, sorted; immutable
   * @throws DatabaseException if the query fails
   */
  public SortedMap<ModuleId, Traffic> since(long sinceTs) {
    return Jdbc.withConnection(ds, "sum call history since " + sinceTs, c -> {
      try (PreparedStatement ps = c.prepareStatement(SUM_SINCE)) {
        ps.setLong(1, sinceTs);
        SortedMap<ModuleId, Traffic> sums = new TreeMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sums.put(new ModuleId(rs.getInt(1), rs.getInt(2)), new Traffic(rs.getLong(3), rs.getLong(4)));
          }
        }
        return Collections.unmodifiableSortedMap(sums);
      }
    });
  }
}
