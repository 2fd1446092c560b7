package io.lars.client;

/** The agent did not answer in time (after the one retry); the message names module and agent. */
public final class LarsTimeoutException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what timed out: request, module, agent address, time waited */
  public LarsTimeoutException(String message) {
    super(message);
  }
}
