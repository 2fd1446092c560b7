package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.testkit.EveryDatabaseTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ModuleTrafficQuery} on every test database: sums per module of the rows in the window only. */
class ModuleTrafficQueryTest extends EveryDatabaseTest {

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("databases")
  void sumsTheWindowPerModule(Database db) {
    execute(db.dataSource(), "DELETE FROM ServerCallHistory");
    ModuleId a = new ModuleId(1, 1);
    ModuleId b = new ModuleId(2, 3);
    int caller = Ipv4.parse("10.9.9.9");
    new CallHistoryRepository(db.dataSource()).append(List.of(
        new CallStatusRow(a, Host.of("10.0.0.1", 80), caller, 100, 5, 1000, false),
        new CallStatusRow(a, Host.of("10.0.0.2", 80), caller, 4_000_000_000L, 7, 1060, true),
        new CallStatusRow(a, Host.of("10.0.0.1", 80), caller, 999, 999, 999, false),
        new CallStatusRow(b, Host.of("10.0.0.3", 80), caller, 1, 0, 1001, false)));
    assertEquals(Map.of(a, new ModuleTrafficQuery.Traffic(4_000_000_100L, 12), b, new ModuleTrafficQuery.Traffic(1, 0)),
        new ModuleTrafficQuery(db.dataSource()).since(1000));
    assertEquals(Map.of(), new ModuleTrafficQuery(db.dataSource()).since(2000));
  }
}
