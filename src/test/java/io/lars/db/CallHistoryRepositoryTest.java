package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.testkit.EveryDatabaseTest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CallHistoryRepositoryTest extends EveryDatabaseTest {

  private static final ModuleId M1 = new ModuleId(1, 1);
  private static final ModuleId M2 = new ModuleId(2, 7);
  private static final Host HOST_A = Host.of("192.168.1.177", 7777);
  private static final Host HOST_B = Host.of("10.0.0.2", 80);
  private static final int CALLER = Ipv4.parse("200.1.2.3");
  private static CallHistoryRepository emptyRepository(Database db) {
    execute(db.dataSource(), "DELETE FROM ServerCallHistory");
    return new CallHistoryRepository(db.dataSource());
  }

  private static CallStatusRow row(ModuleId module, Host host, long succ, long err, long ts, boolean overload) {
    return new CallStatusRow(module, host, CALLER, succ, err, ts, overload);
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void appendKeepsEveryReportOfAKeyInTimeOrder(Database db) {
    CallHistoryRepository repo = emptyRepository(db);
    CallStatusRow late = row(M1, HOST_A, 10, 1, 1020, true);
    CallStatusRow early = row(M1, HOST_A, 100, 0, 1000, false);
    CallStatusRow sameTsOtherHost = row(M1, HOST_B, 5, 5, 1000, false);
    CallStatusRow otherModule = row(M2, HOST_A, 1, 1, 1000, false);
    assertEquals(4, repo.append(List.of(late, early, sameTsOtherHost, otherModule)));
    assertEquals(1, repo.append(List.of(early)));

    // 10.0.0.2 sorts before 192.168.1.177 (unsigned order) within the same ts
    assertEquals(List.of(sameTsOtherHost, early, early, late), repo.history(M1, 0));
    assertEquals(List.of(late), repo.history(M1, 1001));
    assertEquals(List.of(otherModule), repo.history(M2, 1000));
    assertEquals(List.of(), repo.history(new ModuleId(9, 9), 0));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void emptyAppendWritesNothing(Database db) {
    CallHistoryRepository repo = emptyRepository(db);
    assertEquals(0, repo.append(List.of()));
    assertEquals(List.of(), repo.history(M1, 0));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void deleteOlderThanKeepsTheBoundary(Database db) {
    CallHistoryRepository repo = emptyRepository(db);
    List<CallStatusRow> rows = List.of(row(M1, HOST_A, 1, 0, 999, false), row(M1, HOST_A, 2, 0, 1000, false),
        row(M2, HOST_B, 3, 0, 500, true), row(M1, HOST_B, 4, 0, 2000, false));
    repo.append(rows);
    assertEquals(2, repo.deleteOlderThan(1000));
    assertEquals(List.of(rows.get(1), rows.get(3)), repo.history(M1, 0));
    assertEquals(List.of(), repo.history(M2, 0));
    assertEquals(0, repo.deleteOlderThan(1000));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void highAddressesRoundTrip(Database db) {
    CallHistoryRepository repo = emptyRepository(db);
    CallStatusRow high = new CallStatusRow(M1, Host.of("255.255.255.254", 65535), Ipv4.parse("250.0.0.1"), 7, 3, 42, true);
    repo.append(List.of(high));
    assertEquals(List.of(high), repo.history(M1, 42));
  }
}
