-- Call statistics over time for the admin's charts: every row the reporter upserts into
-- ServerCallStatus is also appended here, and rows older than lars.reporter.history-retention
-- are deleted. Same columns as ServerCallStatus plus an auto id; no primary key on the report key,
-- so one host has one row per report.
CREATE TABLE ServerCallHistory (
  id BIGINT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  ip BIGINT NOT NULL,
  port INT NOT NULL,
  caller BIGINT NOT NULL,
  succ_cnt BIGINT NOT NULL,
  err_cnt BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  overload CHAR(1) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ServerCallHistory_ip_range CHECK (ip BETWEEN 0 AND 4294967295),
  CONSTRAINT ServerCallHistory_caller_range CHECK (caller BETWEEN 0 AND 4294967295)
);
CREATE INDEX ServerCallHistory_module_ts ON ServerCallHistory (modid, cmdid, ts);
CREATE INDEX ServerCallHistory_ts ON ServerCallHistory (ts);
