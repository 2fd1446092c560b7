package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.testkit.EveryDatabaseTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CallStatusRepositoryTest extends EveryDatabaseTest {

  private static final ModuleId M1 = new ModuleId(1, 1);
  private static final ModuleId M2 = new ModuleId(2, 7);
  private static final Host HOST = Host.of("192.168.1.177", 7777);
  private static final int CALLER = Ipv4.parse("200.1.2.3");
  private static CallStatusRepository emptyRepository(Database db) {
    execute(db.dataSource(), "DELETE FROM ServerCallStatus");
    return new CallStatusRepository(db.dataSource());
  }

  private static CallStatusRow row(ModuleId module, Host host, long succ, long ts, boolean overload) {
    return new CallStatusRow(module, host, CALLER, succ, succ / 10, ts, overload);
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void aKeyIsInsertedThenUpdatedAndTheLastRowWins(Database db) {
    CallStatusRepository repo = emptyRepository(db);
    CallStatusRow first = row(M1, HOST, 100, 1000, false);
    assertEquals(1, repo.upsert(List.of(first)));
    assertEquals(List.of(first), repo.list(Optional.empty()));

    CallStatusRow second = row(M1, HOST, 200, 1010, true);
    CallStatusRow third = row(M1, HOST, 300, 1020, false);
    assertEquals(2, repo.upsert(List.of(second, third)));
    assertEquals(List.of(third), repo.list(Optional.empty()));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void aThousandRowsGoInOneCall(Database db) {
    CallStatusRepository repo = emptyRepository(db);
    List<CallStatusRow> rows = thousandRows(i -> row(M1, new Host(HOST.ip() + i / 10, 1000 + i % 10), i, 2000, i % 3 == 0));
    assertEquals(1000, repo.upsert(rows));
    assertEquals(sorted(rows), repo.list(Optional.of(M1)));

    List<CallStatusRow> updated = thousandRows(i -> row(M1, new Host(HOST.ip() + i / 10, 1000 + i % 10), i + 5, 2010, false));
    assertEquals(1000, repo.upsert(updated));
    assertEquals(sorted(updated), repo.list(Optional.empty()));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void ipAndCallerAreStoredUnsignedAndOverloadAsOneOrZero(Database db) throws SQLException {
    CallStatusRepository repo = emptyRepository(db);
    CallStatusRow row = row(M1, HOST, 100, 3000, true);
    repo.upsert(List.of(row));
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT ip, caller, overload, succ_cnt, err_cnt, ts FROM ServerCallStatus");
        ResultSet rs = ps.executeQuery()) {
      assertTrue(rs.next());
      assertEquals(3232235953L, rs.getLong(1));
      assertEquals(3355509251L, rs.getLong(2));
      assertEquals("1", rs.getString(3));
      assertEquals(100, rs.getLong(4));
      assertEquals(10, rs.getLong(5));
      assertEquals(3000, rs.getLong(6));
    }
    assertEquals(List.of(row), repo.list(Optional.of(M1)));
    assertEquals(List.of(), repo.list(Optional.of(M2)));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("databases")
  void upsertEachRowGivesTheSameResult(Database db) {
    List<CallStatusRow> inserts = List.of(row(M1, HOST, 1, 10, false), row(M2, HOST, 2, 10, true));
    List<CallStatusRow> updates = List.of(row(M2, HOST, 3, 11, false), row(M2, HOST, 4, 12, true));

    CallStatusRepository batched = emptyRepository(db);
    batched.upsert(inserts);
    batched.upsert(updates);
    List<CallStatusRow> expected = batched.list(Optional.empty());
    assertEquals(List.of(inserts.get(0), updates.get(1)), expected);

    CallStatusRepository oneByOne = emptyRepository(db);
    assertEquals(2, CallStatusEachRow.upsert(db.dataSource(), inserts));
    assertEquals(2, CallStatusEachRow.upsert(db.dataSource(), updates));
    assertEquals(expected, oneByOne.list(Optional.empty()));
    assertEquals(0, oneByOne.upsert(List.of()));
    assertEquals(0, CallStatusEachRow.upsert(db.dataSource(), List.of()));
  }

  private static List<CallStatusRow> thousandRows(Function<Integer, CallStatusRow> row) {
    List<CallStatusRow> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(row.apply(i));
    }
    return rows;
  }

  /** Rows in the order list() returns them: by module, unsigned ip, port, unsigned caller. */
  private static List<CallStatusRow> sorted(List<CallStatusRow> rows) {
    return rows.stream().sorted(Comparator.comparing(CallStatusRow::module).thenComparing(CallStatusRow::host)
        .thenComparing(CallStatusRow::caller, Integer::compareUnsigned)).toList();
  }
}
