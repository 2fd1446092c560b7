package io.lars.admin;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.lars.lease.LeaseBook;
import io.lars.lease.LeaseNode;
import io.lars.lease.LeaseReply;
import io.lars.lease.LeaseRequest;
import io.lars.protocol.ModuleId;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link LeaseAccess} over the node's {@link LeaseNode}: the sharded owners and the lease book. */
public final class ClusterLeaseAccess implements LeaseAccess {

  private final ActorSystem<?> system;
  private final LeaseNode leases;

  /**
   * @param system the node's actor system; the node must have started the lease sharding (region
   *     or proxy)
   */
  public ClusterLeaseAccess(ActorSystem<?> system) {
    this.system = system;
    this.leases = LeaseNode.get(system);
    // The book subscribes now, so the first listing already has every module's leases.
    leases.book();
  }

  @Override
  public CompletionStage<LeaseReply> register(LeaseRequest request) {
    return leases.register(request);
  }

  @Override
  public CompletionStage<LeaseReply> heartbeat(String leaseId) {
    return leases.heartbeat(leaseId);
  }

  @Override
  public CompletionStage<LeaseReply> deregister(String leaseId, int drainS) {
    return leases.deregister(leaseId, drainS);
  }

  @Override
  public CompletionStage<LeaseBook.Listing> list(Optional<ModuleId> module) {
    return AskPattern.ask(leases.book(), replyTo -> new LeaseBook.ListLeases(module, replyTo),
        leases.settings().askTimeout(), system.scheduler());
  }
}
