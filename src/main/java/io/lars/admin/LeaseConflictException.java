package io.lars.admin;

/** A registration for a host that is a static RouteData row of its module (DESIGN.md "Self-registration"): 409. */
public final class LeaseConflictException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what conflicts, from the lease owner */
  public LeaseConflictException(String message) {
    super(message);
  }
}
