package io.lars.testkit;

import io.lars.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of test classes that run each test on every test database ({@link TestDatabases#all()}):
 * opens them fresh once per class and closes them after it. Use
 * {@code @ParameterizedTest(autoCloseArguments = false) @MethodSource("databases")}.
 */
public abstract class EveryDatabaseTest {

  private static final List<Database> DATABASES = new ArrayList<>();

  @BeforeAll
  static void openDatabases() {
    TestDatabases.all().forEach(s -> DATABASES.add(TestDatabases.fresh(s)));
  }

  @AfterAll
  static void closeDatabases() {
    DATABASES.forEach(Database::close);
    DATABASES.clear();
  }

  /** @return the open databases of the running test class */
  protected static List<Database> databases() {
    return List.copyOf(DATABASES);
  }

  /**
   * Runs one update statement.
   *
   * @param ds the database
   * @param sql a statement without parameters
   * @throws AssertionError if it fails
   */
  protected static void execute(DataSource ds, String sql) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new AssertionError(sql, e);
    }
  }
}
