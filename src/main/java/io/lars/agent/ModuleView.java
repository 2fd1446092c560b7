package io.lars.agent;

import io.lars.CborSerializable;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an agent node needs to answer get_host and get_route of one module by itself: the route
 * and which of its hosts are overloaded (DESIGN.md "Agent views"). Immutable; built by the
 * module's {@link LoadBalanceEntity} (the authority) or, until its first view arrives, by
 * {@link NodeViews} from the node's own dns answer with every host idle.
 *
 * @param module the module
 * @param version grows with every change the entity makes in one incarnation; 0 for a view the
 *     node built from the dns alone
 * @param fromEntity true when the entity built it, false for the node's provisional dns view
 * @param hosts the route, sorted, without duplicates; empty when the module has no host (NOEXIST)
 * @param overloaded the hosts of the route that are overloaded, sorted
 * @param servingNodes how many agent nodes the entity knew to serve the module when it built the
 *     view, at least 1 (1 for a provisional view); the adaptive policy divides its cluster-wide
 *     probe budget by it
 */
public record ModuleView(ModuleId module, long version, boolean fromEntity, List<Host> hosts, List<Host> overloaded,
    int servingNodes) implements CborSerializable {

  /** Copies the lists, sorted; overloaded hosts outside the route are left out; at least 1 serving node. */
  public ModuleView {
    Objects.requireNonNull(module, "module");
    servingNodes = Math.max(1, servingNodes);
    TreeSet<Host> route = new TreeSet<>(hosts);
    TreeSet<Host> over = new TreeSet<>(overloaded);
    over.retainAll(route);
    hosts = List.copyOf(route);
    overloaded = List.copyOf(over);
  }

  /**
   * A view served by one node.
   *
   * @param module the module
   * @param version the entity's version of it, 0 for a provisional view
   * @param fromEntity true when the entity built it
   * @param hosts the route
   * @param overloaded its overloaded hosts
   */
  public ModuleView(ModuleId module, long version, boolean fromEntity, List<Host> hosts, List<Host> overloaded) {
    this(module, version, fromEntity, hosts, overloaded, 1);
  }

  /**
   * The node's provisional view from its own dns answer: every host idle.
   *
   * @param module the module
   * @param route the route from the dns
   * @param overloaded hosts to keep overloaded (e.g. from an older entity view), others idle
   * @return the view, version 0, not from the entity
   */
  public static ModuleView fromDns(ModuleId module, List<Host> route, Set<Host> overloaded) {
    return new ModuleView(module, 0, false, route, List.copyOf(overloaded));
  }

  /** @return true when the route has at least one host */
  public boolean known() {
    return !hosts.isEmpty();
  }
}
