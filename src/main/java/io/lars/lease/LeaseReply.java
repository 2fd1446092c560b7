package io.lars.lease;

import io.lars.CborSerializable;
import java.util.Optional;

/**
 * The answer of the lease owner to a register, heartbeat or deregister (DESIGN.md
 * "Self-registration"); on the wire the
 * {@code status}, {@code lease_id}, {@code ttl_s}, {@code error} and {@code draining} fields.
 *
 * @param status the outcome
 * @param leaseId the lease, or empty when there is none
 * @param ttlS the lease's TTL in seconds (0 when there is no lease)
 * @param draining whether the lease is draining
 * @param error why, when the status is not {@link Status#OK}; empty otherwise
 */
public record LeaseReply(Status status, String leaseId, int ttlS, boolean draining, String error)
    implements CborSerializable {

  /** Outcomes; the ordinals are the wire's {@code LeaseStatus} values. */
  public enum Status {
    /** Done. */
    OK,
    /** A field is out of range; {@code error} says which. */
    INVALID,
    /** The host is a static RouteData row of the module. */
    CONFLICT,
    /** No such lease (expired, deregistered, or never issued). */
    UNKNOWN,
    /** The lease owner did not answer in time; retry. */
    UNAVAILABLE
  }

  /**
   * @param lease the lease
   * @return an OK answer naming it
   */
  public static LeaseReply ok(Lease lease) {
    return new LeaseReply(Status.OK, lease.id(), lease.ttlS(), lease.draining(), "");
  }

  /**
   * @param status a failure status
   * @param error why
   * @return the answer
   */
  public static LeaseReply failed(Status status, String error) {
    return new LeaseReply(status, "", 0, false, error);
  }

  /** @return the lease id when there is one */
  public Optional<String> lease() {
    return leaseId.isEmpty() ? Optional.empty() : Optional.of(leaseId);
  }
}
