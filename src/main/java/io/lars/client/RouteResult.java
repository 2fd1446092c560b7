package io.lars.client;

import io.lars.protocol.Host;
import java.util.List;

/**
 * The agent's answer to get_route: every host of the module (empty when it has none).
 *
 * @param modid module id
 * @param cmdid command id
 * @param hosts the hosts, in the agent's order
 */
public record RouteResult(int modid, int cmdid, List<Host> hosts) {

  /** Copies the host list. */
  public RouteResult {
    hosts = List.copyOf(hosts);
  }
}
