package io.lars.db;

/** A database operation failed; the message says which and why (URL without password). */
public final class DatabaseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed and why
   * @param cause the JDBC or Flyway exception
   */
  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
