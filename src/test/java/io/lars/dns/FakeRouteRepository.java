package io.lars.dns;

import io.lars.db.DatabaseException;
import io.lars.db.DuplicateHostException;
import io.lars.db.RouteRepository;
import io.lars.db.RouteRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An in-memory {@link RouteRepository} for poller tests: routes, version and change rows that a
 * test edits directly (as an external SQL tool would) or through the write methods, and a switch
 * that makes every call fail like a database outage.
 */
final class FakeRouteRepository implements RouteRepository {

  private record Change(ModuleId module, long version) {}

  private final List<RouteRow> rows = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();
  private long version;
  private long nextId = 1;
  private boolean failing;
  private int queries;
  private int clears;
  private int deletes;

  synchronized void failing(boolean failing) {
    this.failing = failing;
  }

  /** Edits RouteData only, like an SQL tool that writes no RouteChange row and no version. */
  synchronized void putDirectly(ModuleId module, Host host) {
    rows.add(new RouteRow(nextId++, module, host));
  }

  /** Deletes a module's RouteData rows only, like a failed or partial restore: no RouteChange row, no version. */
  synchronized void removeDirectly(ModuleId module) {
    rows.removeIf(r -> r.module().equals(module));
  }

  /** Sets the version and adds a change row, without touching RouteData. */
  synchronized void recordChange(long newVersion, ModuleId... modules) {
    version = newVersion;
    for (ModuleId m : modules) {
      changes.add(new Change(m, newVersion));
    }
  }

  synchronized int changeRows() {
    return changes.size();
  }

  synchronized int queries() {
    return queries;
  }

  synchronized int clears() {
    return clears;
  }

  synchronized int deletes() {
    return deletes;
  }

  private void query() {
    queries++;
    if (failing) {
      throw new DatabaseException("fake outage", new SQLException("connection refused"));
    }
  }

  @Override
  public synchronized List<RouteRow> loadAll() {
    query();
    return List.copyOf(rows);
  }

  @Override
  public synchronized Map<ModuleId, SortedSet<Host>> loadRoutes() {
    query();
    Map<ModuleId, SortedSet<Host>> m = new TreeMap<>();
    rows.forEach(r -> m.computeIfAbsent(r.module(), k -> new TreeSet<>()).add(r.host()));
    return Collections.unmodifiableMap(m);
  }

  @Override
  public synchronized List<RouteRow> list(ModuleId module) {
    query();
    return rows.stream().filter(r -> r.module().equals(module)).toList();
  }

  @Override
  public synchronized Optional<RouteRow> find(long id) {
    query();
    return rows.stream().filter(r -> r.id() == id).findFirst();
  }

  @Override
  public synchronized long readVersion() {
    query();
    return version;
  }

  @Override
  public synchronized List<ModuleId> readChanges(long upToVersion) {
    query();
    return changes.stream().filter(c -> c.version() <= upToVersion).map(Change::module).distinct().sorted()
        .collect(Collectors.toList());
  }

  @Override
  public synchronized int deleteChanges(long upToVersion) {
    query();
    deletes++;
    int before = changes.size();
    changes.removeIf(c -> c.version() <= upToVersion);
    return before - changes.size();
  }

  @Override
  public synchronized int clearChanges() {
    query();
    clears++;
    int n = changes.size();
    changes.clear();
    return n;
  }

  @Override
  public synchronized RouteRow addHost(ModuleId module, Host host) {
    query();
    if (rows.stream().anyMatch(r -> r.module().equals(module) && r.host().equals(host))) {
      throw new DuplicateHostException(module, host);
    }
    RouteRow row = new RouteRow(nextId++, module, host);
    rows.add(row);
    recordChange(version + 1, module);
    return row;
  }

  @Override
  public synchronized boolean removeHost(ModuleId module, Host host) {
    query();
    boolean removed = rows.removeIf(r -> r.module().equals(module) && r.host().equals(host));
    if (removed) {
      recordChange(version + 1, module);
    }
    return removed;
  }

  @Override
  public synchronized boolean removeRoute(long id) {
    query();
    Optional<RouteRow> row = rows.stream().filter(r -> r.id() == id).findFirst();
    row.ifPresent(r -> {
      rows.remove(r);
      recordChange(version + 1, r.module());
    });
    return row.isPresent();
  }

  @Override
  public synchronized RouteRow updateRoute(long id, ModuleId module, Host host) {
    query();
    RouteRow old = rows.stream().filter(r -> r.id() == id).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no route " + id));
    RouteRow row = new RouteRow(id, module, host);
    rows.set(rows.indexOf(old), row);
    recordChange(version + 1, old.module(), module);
    return row;
  }
}
