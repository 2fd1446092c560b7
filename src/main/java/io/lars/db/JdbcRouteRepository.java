package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * {@link RouteRepository} over JDBC, for MySQL/MariaDB and H2 alike.
 *
 * <p>A write first locks the {@code RouteVersion} row ({@code SELECT ... FOR UPDATE}), so route
 * writes of all nodes run one after the other: the duplicate-host check cannot race, and the new
 * version {@code max(now, old + 1)} is computed from the version no other writer can change
 * meanwhile. External tools that just set the version to unix time keep working: they also update
 * that row, and the next write here still raises the version above theirs.
 */
public final class JdbcRouteRepository implements RouteRepository {

  private static final String SELECT_ALL = "SELECT id, modid, cmdid, serverip, serverport FROM RouteData ORDER BY id";
  private static final String SELECT_MODULE =
      "SELECT id, modid, cmdid, serverip, serverport FROM RouteData WHERE modid = ? AND cmdid = ? ORDER BY id";
  private static final String SELECT_ID = "SELECT id, modid, cmdid, serverip, serverport FROM RouteData WHERE id = ?";
  private static final String SELECT_HOST =
      "SELECT id FROM RouteData WHERE modid = ? AND cmdid = ? AND serverip = ? AND serverport = ?";
  private static final String COUNT_MODULE = "SELECT COUNT(*) FROM RouteData WHERE modid = ? AND cmdid = ?";
  private static final String INSERT_ROUTE =
      "INSERT INTO RouteData (modid, cmdid, serverip, serverport) VALUES (?, ?, ?, ?)";
  private static final String UPDATE_ROUTE =
      "UPDATE RouteData SET modid = ?, cmdid = ?, serverip = ?, serverport = ? WHERE id = ?";
  private static final String DELETE_HOST =
      "DELETE FROM RouteData WHERE modid = ? AND cmdid = ? AND serverip = ? AND serverport = ?";
  private static final String DELETE_ID = "DELETE FROM RouteData WHERE id = ?";
  private static final String SELECT_VERSION = "SELECT version FROM RouteVersion WHERE id = 1";
  private static final String LOCK_VERSION = "SELECT version FROM RouteVersion WHERE id = 1 FOR UPDATE";
  private static final String SET_VERSION = "UPDATE RouteVersion SET version = ? WHERE id = 1";
  private static final String INSERT_CHANGE = "INSERT INTO RouteChange (modid, cmdid, version) VALUES (?, ?, ?)";
  private static final String SELECT_CHANGES =
      "SELECT DISTINCT modid, cmdid FROM RouteChange WHERE version <= ? ORDER BY modid, cmdid";
  private static final String DELETE_CHANGES = "DELETE FROM RouteChange WHERE version <= ?";
  private static final String CLEAR_CHANGES = "DELETE FROM RouteChange";

  private final DataSource ds;
  private final Clock clock;
  private final String actor;

  /**
   * A repository whose versions follow the system clock.
   *
   * @param ds the pooled data source of a migrated database
   */
  public JdbcRouteRepository(DataSource ds) {
    this(ds, Clock.systemUTC());
  }

  /**
   * A repository with an injected clock, for tests of the version rule.
   *
   * @param ds the pooled data source of a migrated database
   * @param clock gives "now" for new versions (unix seconds)
   */
  public JdbcRouteRepository(DataSource ds, Clock clock) {
    this(ds, clock, AuditRepository.SQL_ACTOR);
  }

  /**
   * A repository whose writes are audited under a writer's name ({@link AuditRepository}).
   *
   * @param ds the pooled data source of a migrated database
   * @param clock gives "now" for new versions (unix seconds) and audit entries (millis)
   * @param actor the writer's name in the audit log, 1..64 printable characters (the admin token's
   *     name); the other constructors use {@value AuditRepository#SQL_ACTOR}
   * @throws IllegalArgumentException if the actor is blank, too long or has control characters
   */
  public JdbcRouteRepository(DataSource ds, Clock clock, String actor) {
    this.ds = Objects.requireNonNull(ds, "ds");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.actor = AuditRepository.checkActor(actor);
  }

  @Override
  public List<RouteRow> loadAll() {
    return Jdbc.withConnection(ds, "load all routes", c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_ALL)) {
        return readRows(ps);
      }
    });
  }

  @Override
  public Map<ModuleId, SortedSet<Host>> loadRoutes() {
    SortedMap<ModuleId, SortedSet<Host>> routes = new TreeMap<>();
    for (RouteRow row : loadAll()) {
      routes.computeIfAbsent(row.module(), m -> new TreeSet<>()).add(row.host());
    }
    routes.replaceAll((module, hosts) -> Collections.unmodifiableSortedSet(hosts));
    return Collections.unmodifiableSortedMap(routes);
  }

  @Override
  public List<RouteRow> list(ModuleId module) {
    return Jdbc.withConnection(ds, "list routes of module " + module, c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_MODULE)) {
        ps.setInt(1, module.modid());
        ps.setInt(2, module.cmdid());
        return readRows(ps);
      }
    });
  }

  @Override
  public Optional<RouteRow> find(long id) {
    return Jdbc.withConnection(ds, "find route " + id, c -> findRow(c, id));
  }

  @Override
  public long readVersion() {
    return Jdbc.withConnection(ds, "read route version", c -> readVersion(c, SELECT_VERSION));
  }

  @Override
  public List<ModuleId> readChanges(long upToVersion) {
    return Jdbc.withConnection(ds, "read route changes up to version " + upToVersion, c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_CHANGES)) {
        ps.setLong(1, upToVersion);
        List<ModuleId> modules = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            modules.add(new ModuleId(rs.getInt(1), rs.getInt(2)));
          }
        }
        return List.copyOf(modules);
      }
    });
  }

  @Override
  public int deleteChanges(long upToVersion) {
    return Jdbc.withConnection(ds, "delete route changes up to version " + upToVersion, c -> {
      try (PreparedStatement ps = c.prepareStatement(DELETE_CHANGES)) {
        ps.setLong(1, upToVersion);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public int clearChanges() {
    return Jdbc.withConnection(ds, "clear route changes", c -> {
      try (PreparedStatement ps = c.prepareStatement(CLEAR_CHANGES)) {
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public RouteRow addHost(ModuleId module, Host host) {
    Objects.requireNonNull(module, "module");
    validate(host);
    return Jdbc.inTransaction(ds, "add host " + host + " to module " + module, c -> {
      long oldVersion = lockVersion(c);
      if (findHost(c, module, host).isPresent()) {
        throw new DuplicateHostException(module, host);
      }
      checkRoom(c, module);
      long id;
      try (PreparedStatement ps = c.prepareStatement(INSERT_ROUTE, Statement.RETURN_GENERATED_KEYS)) {
        setRoute(ps, module, host);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          if (!keys.next()) {
            throw new SQLException("no id generated for the new RouteData row");
          }
          id = keys.getLong(1);
        }
      }
      recordChange(c, oldVersion, List.of(module), AuditRepository.Action.ADD, new RouteRow(id, module, host), null);
      return new RouteRow(id, module, host);
    });
  }

  @Override
  public boolean removeHost(ModuleId module, Host host) {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(host, "host");
    return Jdbc.inTransaction(ds, "remove host " + host + " from module " + module, c -> {
      long oldVersion = lockVersion(c);
      long routeId = findHost(c, module, host).orElse(0L);
      int deleted;
      try (PreparedStatement ps = c.prepareStatement(DELETE_HOST)) {
        setRoute(ps, module, host);
        deleted = ps.executeUpdate();
      }
      if (deleted > 0) {
        recordChange(c, oldVersion, List.of(module), AuditRepository.Action.REMOVE, new RouteRow(routeId, module, host),
            null);
      }
      return deleted > 0;
    });
  }

  @Override
  public boolean removeRoute(long id) {
    return Jdbc.inTransaction(ds, "remove route " + id, c -> {
      long oldVersion = lockVersion(c);
      Optional<RouteRow> row = findRow(c, id);
      if (row.isEmpty()) {
        return false;
      }
      try (PreparedStatement ps = c.prepareStatement(DELETE_ID)) {
        ps.setLong(1, id);
        ps.executeUpdate();
      }
      recordChange(c, oldVersion, List.of(row.get().module()), AuditRepository.Action.REMOVE, row.get(), null);
      return true;
    });
  }

  @Override
  public RouteRow updateRoute(long id, ModuleId module, Host host) {
    Objects.requireNonNull(module, "module");
    validate(host);
    return Jdbc.inTransaction(ds, "update route " + id + " to " + host + " of module " + module, c -> {
      long oldVersion = lockVersion(c);
      RouteRow old = findRow(c, id).orElseThrow(() -> new NoSuchElementException("no route with id " + id));
      RouteRow updated = new RouteRow(id, module, host);
      if (old.equals(updated)) {
        return old;
      }
      if (findHost(c, module, host).filter(other -> other != id).isPresent()) {
        throw new DuplicateHostException(module, host);
      }
      if (!old.module().equals(module)) {
        checkRoom(c, module);
      }
      try (PreparedStatement ps = c.prepareStatement(UPDATE_ROUTE)) {
        setRoute(ps, module, host);
        ps.setLong(5, id);
        ps.executeUpdate();
      }
      recordChange(c, oldVersion, Stream.of(old.module(), module).distinct().toList(), AuditRepository.Action.UPDATE,
          updated, old);
      return updated;
    });
  }

  private static void validate(Host host) {
    Objects.requireNonNull(host, "host");
    if (host.ip() == 0) {
      throw new IllegalArgumentException("host ip must not be 0.0.0.0");
    }
    if (host.port() < 1 || host.port() > 65535) {
      throw new IllegalArgumentException("host port must be 1..65535, got " + host.port());
    }
  }

  /**
   * Refuses a host more for a module that already has {@link RouteLimits#MAX_HOSTS_PER_MODULE}
   * (DESIGN.md "Robustness rules", H5: a larger route cannot be sent and used to cut its
   * subscribers off).
   */
  private static void checkRoom(Connection c, ModuleId module) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(COUNT_MODULE)) {
      ps.setInt(1, module.modid());
      ps.setInt(2, module.cmdid());
      try (ResultSet rs = ps.executeQuery()) {
        int hosts = rs.next() ? rs.getInt(1) : 0;
        if (hosts >= RouteLimits.MAX_HOSTS_PER_MODULE) {
          throw new RouteTooLargeException(module, hosts);
        }
      }
    }
  }

  /** Locks the version row until the transaction ends and returns its version. */
  private static long lockVersion(Connection c) throws SQLException {
    return readVersion(c, LOCK_VERSION);
  }

  private static long readVersion(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("RouteVersion has no row with id 1; the migrations insert it");
      }
      return rs.getLong(1);
    }
  }

  /**
   * Sets the version to max(now, old + 1), inserts one RouteChange row per module with it and the
   * write's audit entry ({@code before}: the row before an update, else null).
   */
  private void recordChange(Connection c, long oldVersion, List<ModuleId> modules, AuditRepository.Action action,
      RouteRow row, RouteRow before) throws SQLException {
    long version = Math.max(clock.instant().getEpochSecond(), oldVersion + 1);
    try (PreparedStatement ps = c.prepareStatement(SET_VERSION)) {
      ps.setLong(1, version);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_CHANGE)) {
      for (ModuleId module : modules) {
        ps.setInt(1, module.modid());
        ps.setInt(2, module.cmdid());
        ps.setLong(3, version);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    AuditRepository.append(c, List.of(new AuditRepository.Entry(0, clock.millis(), actor, action, row.id(), row.module(),
        row.host(), Optional.ofNullable(before), version)));
  }

  private static Optional<Long> findHost(Connection c, ModuleId module, Host host) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT_HOST)) {
      setRoute(ps, module, host);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private static Optional<RouteRow> findRow(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT_ID)) {
      ps.setLong(1, id);
      List<RouteRow> rows = readRows(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  /** Binds modid, cmdid, serverip (unsigned) and serverport as parameters 1..4. */
  private static void setRoute(PreparedStatement ps, ModuleId module, Host host) throws SQLException {
    ps.setInt(1, module.modid());
    ps.setInt(2, module.cmdid());
    ps.setLong(3, Ipv4.toUnsigned(host.ip()));
    ps.setInt(4, host.port());
  }

  private static List<RouteRow> readRows(PreparedStatement ps) throws SQLException {
    List<RouteRow> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ModuleId module = new ModuleId(rs.getInt(2), rs.getInt(3));
        rows.add(new RouteRow(rs.getLong(1), module, new Host(Ipv4.fromUnsigned(rs.getLong(4)), rs.getInt(5))));
      }
    }
    return List.copyOf(rows);
  }
}
