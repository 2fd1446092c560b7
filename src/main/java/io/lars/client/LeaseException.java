package io.lars.client;

import io.lars.protocol.pb.LeaseStatus;

/** A lease request the agent refused or could not get answered (DESIGN.md "Self-registration"). */
public final class LeaseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The outcome. */
  private final transient LeaseStatus status;

  /**
   * @param status the wire status ({@code LEASE_INVALID}, {@code LEASE_CONFLICT}, {@code LEASE_UNKNOWN},
   *     {@code LEASE_UNAVAILABLE})
   * @param message the agent's reason
   */
  public LeaseException(LeaseStatus status, String message) {
    super(status + ": " + message);
    this.status = status;
  }

  /** @return the wire status */
  public LeaseStatus status() {
    return status;
  }
}
