-- One Lars cluster per database (issue 19 item 13): the cluster that holds the database's journal
-- keeps its incarnation here with a heartbeat. A node that forms a new cluster claims the row and
-- refuses to start while another incarnation's heartbeat is fresh (io.lars.db.IncarnationRepository).
-- Times are unix milliseconds of the writing node's clock; heartbeat_at = 0 means released.
CREATE TABLE ClusterIncarnation (
  id INT NOT NULL,
  incarnation VARCHAR(64) NOT NULL,
  owner VARCHAR(255) NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ClusterIncarnation_single_row CHECK (id = 1)
);
