package io.lars.dns;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable snapshot of every route: module to its sorted set of hosts (reference: the dns's
 * {@code RouterDataMap}, swapped as a whole after each reload instead of under a lock).
 *
 * <p>Lookups are plain map reads; a table never touches the database. Each module's hosts are
 * kept as a sorted immutable list, which is smaller than a set and compares in one pass.
 */
public final class RouteTable {

  private static final RouteTable EMPTY = new RouteTable(Map.of(), 0);

  private final Map<ModuleId, List<Host>> routes;
  private final int hostCount;

  private RouteTable(Map<ModuleId, List<Host>> routes, int hostCount) {
    this.routes = routes;
    this.hostCount = hostCount;
  }

  /** @return the table with no module */
  public static RouteTable empty() {
    return EMPTY;
  }

  /**
   * Builds a table.
   *
   * @param routes module to hosts; duplicates are dropped and hosts sorted; a module with no host
   *     is left out (it reads the same as an unknown module)
   * @return the table, holding its own copy
   */
  public static RouteTable of(Map<ModuleId, ? extends Collection<Host>> routes) {
    Map<ModuleId, List<Host>> copy = new HashMap<>(routes.size() * 4 / 3 + 1);
    int hosts = 0;
    for (Map.Entry<ModuleId, ? extends Collection<Host>> e : routes.entrySet()) {
      if (!e.getValue().isEmpty()) {
        List<Host> sorted = List.copyOf(new TreeSet<>(e.getValue()));
        copy.put(e.getKey(), sorted);
        hosts += sorted.size();
      }
    }
    return new RouteTable(Map.copyOf(copy), hosts);
  }

  /**
   * This table with every module above {@code maxHosts} hosts replaced by its route in
   * {@code previous} (its last good route), or left out when {@code previous} has none: a route
   * that cannot be sent in one frame is never served, and it does not hold up the others
   * (DESIGN.md "Robustness rules", H5; rows written by hand in SQL can exceed the limit the
   * repository enforces).
   *
   * @param previous the table served so far
   * @param maxHosts the most hosts a served route may have, at least 1
   * @return the table to serve and the modules refused, possibly none
   */
  public Limited limitHosts(RouteTable previous, int maxHosts) {
    Set<ModuleId> refused = new HashSet<>();
    routes.forEach((module, hosts) -> {
      if (hosts.size() > maxHosts) {
        refused.add(module);
      }
    });
    if (refused.isEmpty()) {
      return new Limited(this, Set.of());
    }
    Map<ModuleId, List<Host>> kept = new HashMap<>(routes);
    for (ModuleId module : refused) {
      List<Host> lastGood = previous.hosts(module);
      if (lastGood.isEmpty() || lastGood.size() > maxHosts) {
        kept.remove(module);
      } else {
        kept.put(module, lastGood);
      }
    }
    return new Limited(of(kept), refused);
  }

  /**
   * The outcome of {@link #limitHosts} and {@link #limitShrink}.
   *
   * @param table the table to serve
   * @param refused the modules whose loaded route was refused (too large, or shrunk too much), served
   *     with their last good route (or, when too large without one, not at all)
   */
  public record Limited(RouteTable table, Set<ModuleId> refused) {
    /**
     * @param table the table to serve
     * @param refused the refused modules (copied)
     */
    public Limited {
      refused = Set.copyOf(refused);
    }
  }

  /**
   * This table with every module that lost more than {@code maxShrinkFraction} of its hosts since
   * {@code previous}, and is not in {@code deliberate}, replaced by its route in {@code previous}
   * (DESIGN.md "Self-registration": a failed or partial load, e.g. RouteData emptied by accident,
   * must not empty the
   * agents' routes; nacos#10209). Deliberate changes (modules with {@code RouteChange} rows) are
   * never limited.
   *
   * @param previous the table served so far
   * @param deliberate modules changed on purpose in this reload
   * @param maxShrinkFraction 0..1; a module may lose at most this fraction of its hosts in one reload
   * @return the table to serve and the modules whose shrink was refused, possibly none
   */
  public Limited limitShrink(RouteTable previous, Set<ModuleId> deliberate, double maxShrinkFraction) {
    Map<ModuleId, List<Host>> kept = null;
    Set<ModuleId> refused = new HashSet<>();
    for (Map.Entry<ModuleId, List<Host>> e : previous.routes.entrySet()) {
      ModuleId module = e.getKey();
      if (deliberate.contains(module)) {
        continue;
      }
      List<Host> before = e.getValue();
      Set<Host> after = new HashSet<>(hosts(module));
      long lost = before.stream().filter(h -> !after.contains(h)).count();
      if (lost > maxShrinkFraction * before.size()) {
        if (kept == null) {
          kept = new HashMap<>(routes);
        }
        kept.put(module, before);
        refused.add(module);
      }
    }
    return kept == null ? new Limited(this, Set.of()) : new Limited(of(kept), refused);
  }

  /**
   * @param module any module
   * @return its hosts, sorted; empty when the module is unknown
   */
  public List<Host> hosts(ModuleId module) {
    return routes.getOrDefault(module, List.of());
  }

  /**
   * @param module any module
   * @return the module's route for the wire (empty hosts when unknown)
   */
  public Route route(ModuleId module) {
    return new Route(module, hosts(module));
  }

  /** @return the modules with at least one host */
  public Set<ModuleId> modules() {
    return routes.keySet();
  }

  /** @return how many modules have at least one host */
  public int moduleCount() {
    return routes.size();
  }

  /** @return how many hosts all modules have together */
  public int hostCount() {
    return hostCount;
  }

  /**
   * The modules whose host set differs between this table and a newer one: added, removed, or
   * with any host added or removed. This is what a full reload pushes, so that edits made without
   * {@code RouteChange} rows still reach the agents.
   *
   * @param newer the table that replaces this one
   * @return the modules to push, possibly empty
   */
  public Set<ModuleId> changedModules(RouteTable newer) {
    Set<ModuleId> changed = new HashSet<>();
    routes.forEach((module, hosts) -> {
      if (!hosts.equals(newer.hosts(module))) {
        changed.add(module);
      }
    });
    for (ModuleId module : newer.routes.keySet()) {
      if (!routes.containsKey(module)) {
        changed.add(module);
      }
    }
    return Set.copyOf(changed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RouteTable other && routes.equals(other.routes);
  }

  @Override
  public int hashCode() {
    return routes.hashCode();
  }

  @Override
  public String toString() {
    return "RouteTable(" + routes.size() + " modules, " + hostCount + " hosts)";
  }
}
