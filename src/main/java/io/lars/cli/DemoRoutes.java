package io.lars.cli;

import io.lars.db.DuplicateHostException;
import io.lars.db.RouteRepository;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Map;

/**
 * The routes {@code lars node --demo} seeds: those of the reference's demo and wire captures,
 * (1,1) at 192.168.1.177:7777 and (11,1) at 10.0.0.1..5:9001..9005, so that {@code lars gethost 1 1}
 * and {@code lars simulate 11 1} work on a fresh node.
 */
final class DemoRoutes {

  static final Map<ModuleId, List<Host>> ROUTES = Map.of(
      new ModuleId(1, 1), List.of(Host.of("192.168.1.177", 7777)),
      new ModuleId(11, 1), List.of(Host.of("10.0.0.1", 9001), Host.of("10.0.0.2", 9002), Host.of("10.0.0.3", 9003),
          Host.of("10.0.0.4", 9004), Host.of("10.0.0.5", 9005)));

  private DemoRoutes() {}

  /**
   * Adds every demo host the database does not have yet, each through the one-transaction route
   * write.
   *
   * @param routes the route repository (blocking)
   * @return how many hosts were added, 0 when all were there already
   */
  static int seed(RouteRepository routes) {
    int added = 0;
    for (Map.Entry<ModuleId, List<Host>> route : ROUTES.entrySet()) {
      for (Host host : route.getValue()) {
        try {
          routes.addHost(route.getKey(), host);
          added++;
        } catch (DuplicateHostException alreadyThere) {
          // seeding is idempotent: a node restarted with --demo keeps its routes
        }
      }
    }
    return added;
  }
}
