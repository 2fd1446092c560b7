package io.lars.agent;

import akka.actor.typed.javadsl.Adapter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Readiness check on {@code /ready} (Akka Management): not ready while an agent UDP port is down,
 * e.g. between its stream stopping and being bound again (DESIGN.md "Robustness rules", H4). Always
 * ready on a node without the agent role.
 */
public final class AgentPortsCheck implements Supplier<CompletionStage<Boolean>> {

  private final AgentStats stats;

  /** @param system the node's classic actor system (Akka Management instantiates the check) */
  public AgentPortsCheck(akka.actor.ActorSystem system) {
    this.stats = AgentStats.get(Adapter.toTyped(system));
  }

  /** @return completes at once: true when no agent port is down */
  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(stats.portsDown() == 0);
  }
}
