package io.lars.admin;

import java.util.Optional;

/**
 * A request the admin refuses with 400: a bad body, parameter or id. The message says what is
 * wrong; {@link #field()} names the body field or query parameter when one is at fault.
 */
public final class InvalidRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String field;

  /** @param message what is wrong, e.g. {@code "parameters 'modid' and 'cmdid' go together"} */
  public InvalidRequestException(String message) {
    this(null, message);
  }

  /**
   * @param field the body field or query parameter at fault, or null
   * @param message what is wrong, naming the field, e.g. {@code "field 'port' must be 1..65535, got 0"}
   */
  public InvalidRequestException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** @return the field or parameter at fault, if one is */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
