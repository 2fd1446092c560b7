-- akka-persistence-jdbc 5.2.1 tables, as its schema/mysql/mysql-create-schema.sql, less its
-- event_journal_ordering_idx: SERIAL already makes ordering UNIQUE, and MariaDB warns that a
-- duplicate index is deprecated.
CREATE TABLE IF NOT EXISTS event_journal (
  ordering SERIAL,
  deleted BOOLEAN DEFAULT false NOT NULL,
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  writer TEXT NOT NULL,
  write_timestamp BIGINT NOT NULL,
  adapter_manifest TEXT NOT NULL,
  event_payload BLOB NOT NULL,
  event_ser_id INTEGER NOT NULL,
  event_ser_manifest TEXT NOT NULL,
  meta_payload BLOB,
  meta_ser_id INTEGER,
  meta_ser_manifest TEXT,
  PRIMARY KEY (persistence_id, sequence_number)
);

CREATE TABLE IF NOT EXISTS event_tag (
  event_id BIGINT UNSIGNED NOT NULL,
  tag VARCHAR(255) NOT NULL,
  PRIMARY KEY (event_id, tag),
  FOREIGN KEY (event_id)
    REFERENCES event_journal (ordering)
    ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS snapshot (
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  created BIGINT NOT NULL,
  snapshot_ser_id INTEGER NOT NULL,
  snapshot_ser_manifest TEXT NOT NULL,
  snapshot_payload BLOB NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest TEXT,
  meta_payload BLOB,
  PRIMARY KEY (persistence_id, sequence_number)
);

-- akka-persistence-jdbc 5.2.1 ships no MySQL durable state schema and its durable state store
-- runs only on H2 and PostgreSQL; this table mirrors the H2 one (global_offset without the
-- sequence) so both vendors hold the same tables.
CREATE TABLE IF NOT EXISTS durable_state (
  global_offset BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
  persistence_id VARCHAR(255) NOT NULL,
  revision BIGINT NOT NULL,
  state_payload BLOB NOT NULL,
  state_serial_id INTEGER NOT NULL,
  state_serial_manifest VARCHAR(255),
  tag VARCHAR(255),
  state_timestamp BIGINT NOT NULL,
  PRIMARY KEY (persistence_id)
);
CREATE INDEX state_tag_idx ON durable_state (tag);
