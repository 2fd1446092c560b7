package io.lars.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Connection and transaction handling shared by the repositories; wraps SQLException with context. */
final class Jdbc {

  /** SQLState of a deadlock or serialization failure (MySQL error 1213, H2 40001): safe to retry. */
  private static final String SERIALIZATION_FAILURE = "40001";
  private static final int ATTEMPTS = 3;

  /** Work on one connection; may throw SQLException, which the caller wraps. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private Jdbc() {}

  /**
   * Runs work on a pooled connection in autocommit mode.
   *
   * @param what the operation, for the error message ("list routes of module (1,2)")
   * @throws DatabaseException wrapping any SQLException
   */
  static <T> T withConnection(DataSource ds, String what, Work<T> work) {
    try (Connection c = ds.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  /**
   * Runs work as one READ COMMITTED transaction: commits when it returns, rolls back when it throws.
   * A deadlock or serialization failure is retried (the whole work) up to three times in all.
   *
   * @param what the operation, for the error message
   * @throws DatabaseException wrapping any SQLException; runtime exceptions of the work pass unchanged
   */
  static <T> T inTransaction(DataSource ds, String what, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = ds.getConnection()) {
        return runInTransaction(c, work);
      } catch (SQLException e) {
        if (attempt >= ATTEMPTS || !SERIALIZATION_FAILURE.equals(e.getSQLState())) {
          throw failed(what, e);
        }
      }
    }
  }

  // No need to restore autocommit and isolation: HikariCP resets both when the connection returns.
  private static <T> T runInTransaction(Connection c, Work<T> work) throws SQLException {
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    }
  }

  static DatabaseException failed(String what, SQLException e) {
    return new DatabaseException(what + " failed: " + Database.causeChain(e), e);
  }
}
