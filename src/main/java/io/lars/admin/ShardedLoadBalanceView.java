package io.lars.admin;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import io.lars.Futures;
import io.lars.agent.LoadBalance;
import io.lars.agent.LoadBalanceEntity;
import io.lars.kernel.Role;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.stream.StreamSupport;

/**
 * {@link LoadBalanceView} over the sharded {@link LoadBalanceEntity}: asks the module's entity
 * {@link LoadBalanceEntity.GetState} with a timeout. Without an {@code Up} member with role
 * {@code agent} in the cluster it fails at once instead of waiting for the timeout. Asking starts
 * the entity when it was not running (like a get_host would).
 */
public final class ShardedLoadBalanceView implements LoadBalanceView {

  private final ActorSystem<?> system;
  private final Duration timeout;

  /**
   * @param system the node's actor system (any role; sharding proxies to the agent nodes)
   * @param timeout how long to wait for the entity ({@code lars.admin.ask-timeout})
   */
  public ShardedLoadBalanceView(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<LoadBalance.Snapshot> state(ModuleId module) {
    boolean agentUp = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .anyMatch(m -> m.status() == MemberStatus.up() && m.hasRole(Role.AGENT.roleName()));
    if (!agentUp) {
      return CompletableFuture.failedFuture(new LoadBalanceUnavailableException("no agent role in the cluster"));
    }
    return ClusterSharding.get(system).entityRefFor(LoadBalanceEntity.ENTITY_KEY, module.entityId())
        .<LoadBalanceEntity.CurrentState>ask(LoadBalanceEntity.GetState::new, timeout)
        .thenApply(LoadBalanceEntity.CurrentState::snapshot)
        .exceptionally(e -> {
          Throwable cause = Futures.unwrap(e);
          if (cause instanceof TimeoutException) {
            throw new LoadBalanceUnavailableException("the LoadBalance entity of module " + module
                + " did not answer within " + timeout.toMillis() + " ms");
          }
          throw new CompletionException(cause);
        });
  }
}
