package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.testkit.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Migration V5 (issue 19, item 7): the journal and snapshot tables take payloads far above the
 * 64 KiB of MySQL's BLOB, as a route event of a module with {@link RouteLimits#MAX_HOSTS_PER_MODULE}
 * hosts needs. Runs on H2 and, with {@code LARS_TEST_DB_URL}, on MariaDB/MySQL.
 */
class JournalLargePayloadTest {

  /** Well above 64 KiB and above any route event (a few dozen bytes per host). */
  private static final int PAYLOAD_BYTES = 1 << 20;

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void journalAndSnapshotStoreAPayloadAbove64KiB(DbSettings settings) throws Exception {
    byte[] payload = new byte[PAYLOAD_BYTES];
    new Random(19).nextBytes(payload);
    assertTrue(PAYLOAD_BYTES > 65_535 && PAYLOAD_BYTES > RouteLimits.MAX_HOSTS_PER_MODULE * 64);
    try (Database db = TestDatabases.fresh(settings); Connection c = db.dataSource().getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_journal (deleted, persistence_id, "
          + "sequence_number, writer, write_timestamp, adapter_manifest, event_payload, event_ser_id, "
          + "event_ser_manifest) VALUES (false, 'LoadBalance|1-1', 1, 'w', 0, '', ?, 1, 'm')")) {
        ps.setBytes(1, payload);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshot (persistence_id, sequence_number, "
          + "created, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload) "
          + "VALUES ('LoadBalance|1-1', 1, 0, 1, 'm', ?)")) {
        ps.setBytes(1, payload);
        ps.executeUpdate();
      }
      assertArrayEquals(payload, read(c, "SELECT event_payload FROM event_journal WHERE persistence_id = 'LoadBalance|1-1'"));
      assertArrayEquals(payload, read(c, "SELECT snapshot_payload FROM snapshot WHERE persistence_id = 'LoadBalance|1-1'"));
    }
  }

  private static byte[] read(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      assertTrue(rs.next(), "row stored");
      return rs.getBytes(1);
    }
  }
}
