package io.lars.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.node.LarsNode;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;

/**
 * The journal fixture in {@code src/test/resources/journal-fixture/} (see its README): journal and
 * snapshot rows exactly as the Jackson-CBOR format of commit ce4edc1 wrote them (serializer id 33,
 * manifest = class name), for tests that replay them with today's code.
 */
public final class JournalFixture {

  private static final String RESOURCE = "/journal-fixture/journal.json";

  private final JsonNode root;

  private JournalFixture(JsonNode root) {
    this.root = root;
  }

  /**
   * @return the fixture
   * @throws IOException if the resource is missing or not JSON
   */
  public static JournalFixture load() throws IOException {
    try (InputStream in = JournalFixture.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(RESOURCE + " is not on the test classpath");
      }
      return new JournalFixture(new ObjectMapper().readTree(in));
    }
  }

  /**
   * Inserts the fixture's journal and snapshot rows whose persistence id starts with a prefix, as
   * akka-persistence-jdbc would have written them.
   *
   * @param db a migrated database
   * @param persistenceIdPrefix e.g. {@code "LoadBalance|"}
   * @return how many rows were inserted (journal and snapshot)
   * @throws SQLException if an insert fails
   */
  public int insert(Database db, String persistenceIdPrefix) throws SQLException {
    int rows = 0;
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement journal = c.prepareStatement("INSERT INTO event_journal (deleted, persistence_id, "
            + "sequence_number, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, "
            + "event_payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement snapshot = c.prepareStatement("INSERT INTO snapshot (persistence_id, sequence_number, "
            + "created, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (JsonNode row : root.get("journal")) {
        if (row.get("persistenceId").asText().startsWith(persistenceIdPrefix)) {
          journal.setBoolean(1, row.get("deleted").asBoolean());
          journal.setString(2, row.get("persistenceId").asText());
          journal.setLong(3, row.get("sequenceNumber").asLong());
          journal.setString(4, row.get("writer").asText());
          journal.setLong(5, row.get("writeTimestamp").asLong());
          journal.setString(6, row.get("adapterManifest").asText());
          journal.setInt(7, row.get("serId").asInt());
          journal.setString(8, row.get("serManifest").asText());
          journal.setBytes(9, Base64.getDecoder().decode(row.get("payload").asText()));
          rows += journal.executeUpdate();
        }
      }
      for (JsonNode row : root.get("snapshots")) {
        if (row.get("persistenceId").asText().startsWith(persistenceIdPrefix)) {
          snapshot.setString(1, row.get("persistenceId").asText());
          snapshot.setLong(2, row.get("sequenceNumber").asLong());
          snapshot.setLong(3, row.get("created").asLong());
          snapshot.setInt(4, row.get("serId").asInt());
          snapshot.setString(5, row.get("serManifest").asText());
          snapshot.setBytes(6, Base64.getDecoder().decode(row.get("payload").asText()));
          rows += snapshot.executeUpdate();
        }
      }
    }
    return rows;
  }

  /**
   * Deletes the journal rows of a persistence id up to a sequence number, as a retention that
   * deletes events on snapshot does, so that a recovery must start from the snapshot.
   *
   * @param db the database
   * @param persistenceId the id
   * @param toSequenceNr the last sequence number to delete
   * @throws SQLException if the delete fails
   */
  public static void deleteEvents(Database db, String persistenceId, long toSequenceNr) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "DELETE FROM event_journal WHERE persistence_id = ? AND sequence_number <= ?")) {
      ps.setString(1, persistenceId);
      ps.setLong(2, toSequenceNr);
      ps.executeUpdate();
    }
  }

  /**
   * @param db the database
   * @param persistenceId a persistence id
   * @param sequenceNr a sequence number
   * @return the serializer id and manifest of that journal row, {@code "<id>/<manifest>"}
   * @throws SQLException if the row is missing or the query fails
   */
  public static String serializerOf(Database db, String persistenceId, long sequenceNr) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT event_ser_id, event_ser_manifest FROM event_journal "
            + "WHERE persistence_id = ? AND sequence_number = ?")) {
      ps.setString(1, persistenceId);
      ps.setLong(2, sequenceNr);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no journal row " + persistenceId + " #" + sequenceNr);
        }
        return rs.getInt(1) + "/" + rs.getString(2);
      }
    }
  }

  /**
   * @param settings the database the fixture was inserted into
   * @return a local (not clustered) actor system config with the journal and snapshot store on it
   */
  public static Config actorSystemConfig(DbSettings settings) {
    return LarsNode.persistenceConfig(settings)
        .withFallback(ConfigFactory.parseString("akka.actor.provider = local"))
        .withFallback(ConfigFactory.load(TestDatabases.nodeConfig(settings).withFallback(ConfigFactory.defaultApplication())));
  }
}
