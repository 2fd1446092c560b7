package io.lars.admin;

import io.lars.lease.LeaseBook;
import io.lars.lease.LeaseReply;
import io.lars.lease.LeaseRequest;
import io.lars.protocol.ModuleId;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the admin does with leases (DESIGN.md "Self-registration"); in a node, {@link
 * ClusterLeaseAccess} over the
 * sharded lease owners and the node's lease book.
 */
public interface LeaseAccess {

  /**
   * @param request a valid request
   * @return the owner's answer; never fails
   */
  CompletionStage<LeaseReply> register(LeaseRequest request);

  /**
   * @param leaseId a lease id
   * @return the owner's answer; never fails
   */
  CompletionStage<LeaseReply> heartbeat(String leaseId);

  /**
   * @param leaseId a lease id
   * @param drainS seconds to drain, 0..3600
   * @return the owner's answer; never fails
   */
  CompletionStage<LeaseReply> deregister(String leaseId, int drainS);

  /**
   * @param module one module, or every module
   * @return the lease sets as this node knows them (at most {@code publish-interval} old)
   */
  CompletionStage<LeaseBook.Listing> list(Optional<ModuleId> module);
}
