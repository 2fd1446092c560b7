package io.lars.admin;

/** A request the admin refuses with 400: a bad body, parameter or id. The message names the field. */
public final class InvalidRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what is wrong, naming the field, e.g. {@code "field 'port' must be 1..65535, got 0"} */
  public InvalidRequestException(String message) {
    super(message);
  }
}
