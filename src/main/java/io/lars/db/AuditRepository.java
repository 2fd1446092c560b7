package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The audit log of route writes ({@code RouteAudit}, migration V4): who changed which route row
 * when. {@link JdbcRouteRepository} appends one entry per written row inside the write's own
 * transaction, so a committed write always has its entry and a rolled-back one never does. The
 * dns never deletes these rows (unlike {@code RouteChange}, its push bookkeeping).
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}.
 */
public final class AuditRepository {

  /** Actor of writes made through the database rather than the admin API. */
  public static final String SQL_ACTOR = "sql";
  /** Longest actor name the {@code actor} column holds. */
  public static final int MAX_ACTOR_LENGTH = 64;

  /** What a write did to one route row. */
  public enum Action {
    /** A host was added to a module. */
    ADD,
    /** A host was removed from a module. */
    REMOVE,
    /** A row got another module or host; the entry's {@code before} holds the old values. */
    UPDATE
  }

  /**
   * One audit entry.
   *
   * @param id row id, increasing with every entry (0 before it is stored)
   * @param tsMillis when the write happened, unix milliseconds (the repository's clock)
   * @param actor who wrote: the admin token's name, or {@value #SQL_ACTOR}
   * @param action what happened
   * @param routeId the {@code RouteData} id written
   * @param module the module of the row after the write (for REMOVE: the removed row's module)
   * @param host the host of the row after the write (for REMOVE: the removed host)
   * @param before the row's module and host before an UPDATE; empty for ADD and REMOVE
   * @param version the {@code RouteVersion} the write set
   */
  public record Entry(long id, long tsMillis, String actor, Action action, long routeId, ModuleId module, Host host,
      Optional<RouteRow> before, long version) {

    /** @throws NullPointerException if a reference is null */
    public Entry {
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(module, "module");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(before, "before");
    }
  }

  private static final String INSERT = "INSERT INTO RouteAudit (ts, actor, action, route_id, modid, cmdid, serverip, "
      + "serverport, old_modid, old_cmdid, old_serverip, old_serverport, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String COLUMNS = "SELECT id, ts, actor, action, route_id, modid, cmdid, serverip, serverport, "
      + "old_modid, old_cmdid, old_serverip, old_serverport, version FROM RouteAudit";
  private static final String SELECT_RECENT = COLUMNS + " ORDER BY id DESC LIMIT ?";
  private static final String SELECT_MODULE = COLUMNS
      + " WHERE (modid = ? AND cmdid = ?) OR (old_modid = ? AND old_cmdid = ?) ORDER BY id DESC LIMIT ?";

  private final DataSource ds;

  /** @param ds the pooled data source of a migrated database */
  public AuditRepository(DataSource ds) {
    this.ds = Objects.requireNonNull(ds, "ds");
  }

  /**
   * The newest entries, of every module or of one.
   *
   * @param module only entries whose row belongs (or belonged before an update) to this module; empty for all
   * @param limit the most entries to return, positive
   * @return newest first; immutable
   * @throws IllegalArgumentException if limit is not positive
   * @throws DatabaseException if the query fails
   */
  public List<Entry> recent(Optional<ModuleId> module, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return Jdbc.withConnection(ds, "read the " + limit + " newest audit entries", c -> {
      try (PreparedStatement ps = c.prepareStatement(module.isPresent() ? SELECT_MODULE : SELECT_RECENT)) {
        if (module.isPresent()) {
          ps.setInt(1, module.get().modid());
          ps.setInt(2, module.get().cmdid());
          ps.setInt(3, module.get().modid());
          ps.setInt(4, module.get().cmdid());
          ps.setInt(5, limit);
        } else {
          ps.setInt(1, limit);
        }
        return read(ps);
      }
    });
  }

  /**
   * Appends entries on the caller's connection, inside its transaction.
   *
   * @param c the connection of the route write
   * @param entries the entries; their ids are ignored
   * @throws SQLException if the insert fails (the caller's transaction then rolls back)
   */
  static void append(Connection c, List<Entry> entries) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (Entry e : entries) {
        ps.setLong(1, e.tsMillis());
        ps.setString(2, e.actor());
        ps.setString(3, e.action().name().toLowerCase(java.util.Locale.ROOT));
        ps.setLong(4, e.routeId());
        ps.setInt(5, e.module().modid());
        ps.setInt(6, e.module().cmdid());
        ps.setLong(7, Ipv4.toUnsigned(e.host().ip()));
        ps.setInt(8, e.host().port());
        if (e.before().isPresent()) {
          RouteRow old = e.before().get();
          ps.setInt(9, old.module().modid());
          ps.setInt(10, old.module().cmdid());
          ps.setLong(11, Ipv4.toUnsigned(old.host().ip()));
          ps.setInt(12, old.host().port());
        } else {
          ps.setNull(9, Types.INTEGER);
          ps.setNull(10, Types.INTEGER);
          ps.setNull(11, Types.BIGINT);
          ps.setNull(12, Types.INTEGER);
        }
        ps.setLong(13, e.version());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Checks a writer's name for the {@code actor} column.
   *
   * @param actor 1..64 printable characters
   * @return the actor
   * @throws IllegalArgumentException if it is blank, too long or has control characters
   */
  public static String checkActor(String actor) {
    Objects.requireNonNull(actor, "actor");
    if (actor.isBlank() || actor.length() > MAX_ACTOR_LENGTH || actor.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("audit actor must be 1.." + MAX_ACTOR_LENGTH
          + " printable characters, not blank");
    }
    return actor;
  }

  private static List<Entry> read(PreparedStatement ps) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ModuleId module = new ModuleId(rs.getInt(6), rs.getInt(7));
        Host host = new Host(Ipv4.fromUnsigned(rs.getLong(8)), rs.getInt(9));
        int oldModid = rs.getInt(10);
        Optional<RouteRow> before = Optional.empty();
        if (!rs.wasNull()) {
          before = Optional.of(new RouteRow(rs.getLong(5), new ModuleId(oldModid, rs.getInt(11)),
              new Host(Ipv4.fromUnsigned(rs.getLong(12)), rs.getInt(13))));
        }
        entries.add(new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3),
            Action.valueOf(rs.getString(4).toUpperCase(java.util.Locale.ROOT)), rs.getLong(5), module, host, before,
            rs.getLong(14)));
      }
    }
    return List.copyOf(entries);
  }
}
