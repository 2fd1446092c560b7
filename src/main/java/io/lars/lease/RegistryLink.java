package io.lars.lease;

import akka.actor.typed.ActorRef;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;

/**
 * What the lease service tells and asks the route registry of its dns node (DESIGN.md
 * "Self-registration"). The dns role gives the service an {@code ActorRef<Message>} that reaches its
 * registry, so this package knows no dns class. Local to the node: nothing here crosses the cluster.
 */
public final class RegistryLink {

  private RegistryLink() {}

  /** A message to the registry. */
  public sealed interface Message permits LeasesUpdated, StaticHostsOf {}

  /**
   * The live leases of a module changed, from the node's {@link LeaseBook}: its registered hosts
   * join the static ones in the route served and pushed.
   *
   * @param module the module
   * @param hosts the hosts of its active (not draining) leases, sorted; empty when none
   */
  public record LeasesUpdated(ModuleId module, List<Host> hosts) implements Message {
    /** Copies the list. */
    public LeasesUpdated {
      hosts = List.copyOf(hosts);
    }
  }

  /**
   * Asks for the static hosts (RouteData rows) of a module, for the lease conflict check of
   * {@link LeaseEntity}.
   *
   * @param module the module
   * @param replyTo gets them
   */
  public record StaticHostsOf(ModuleId module, ActorRef<StaticHosts> replyTo) implements Message {}

  /**
   * The answer to {@link StaticHostsOf}.
   *
   * @param hosts the module's static hosts, sorted
   */
  public record StaticHosts(List<Host> hosts) {
    /** Copies the list. */
    public StaticHosts {
      hosts = List.copyOf(hosts);
    }
  }
}
