package io.lars.admin;

/** The live LoadBalance state cannot be read now (no agent node in the cluster, or it did not answer); 503. */
public final class LoadBalanceUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message why, for the JSON error */
  public LoadBalanceUnavailableException(String message) {
    super(message);
  }
}
