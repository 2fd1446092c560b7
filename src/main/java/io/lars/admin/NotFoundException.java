package io.lars.admin;

/** A request for something that does not exist (an unknown route id, a module nobody knows): 404. */
public final class NotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what was not found, e.g. {@code "no route with id 7"} */
  public NotFoundException(String message) {
    super(message);
  }
}
