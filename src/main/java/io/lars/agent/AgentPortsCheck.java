package io.lars.agent;

import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Cluster;
import io.lars.kernel.Role;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Readiness check on {@code /ready} (Akka Management): not ready while an agent UDP port is down,
 * e.g. between its stream stopping and being bound again (DESIGN.md "Robustness rules", H4). Always
 * ready on a node without the agent role.
 */
public final class AgentPortsCheck implements Supplier<CompletionStage<Boolean>> {

  /** Null on a node without the agent role, which then exposes no agent meters. */
  private final AgentStats stats;

  /** @param system the node's classic actor system (Akka Management instantiates the check) */
  public AgentPortsCheck(akka.actor.ActorSystem system) {
    boolean agent = Cluster.get(system).getSelfRoles().contains(Role.AGENT.roleName());
    this.stats = agent ? AgentStats.get(Adapter.toTyped(system)) : null;
  }

  /** @return completes at once: true when no agent port is down */
  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(stats == null || stats.portsDown() == 0);
  }
}
