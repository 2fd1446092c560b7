-- Lars reference tables (reference: lars_dns.sql, lars_reporter.sql), for MySQL/MariaDB and for
-- H2 in MySQL mode. Unsigned IPv4 numbers are BIGINT with a range check because H2 has no
-- INT UNSIGNED; external tools still write the reference values (e.g. 3232235953).

-- One row per host of a module.
CREATE TABLE RouteData (
  id BIGINT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  serverip BIGINT NOT NULL,
  serverport INT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT RouteData_serverip_range CHECK (serverip BETWEEN 0 AND 4294967295),
  CONSTRAINT RouteData_serverport_range CHECK (serverport BETWEEN 0 AND 65535)
);
CREATE INDEX RouteData_module ON RouteData (modid, cmdid);

-- The single row id 1 holds the version of RouteData; writers raise it with every change.
CREATE TABLE RouteVersion (
  id INT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id)
);
INSERT INTO RouteVersion (id, version) VALUES (1, 0);

-- One row per changed module per route write, tagged with the version that write set.
CREATE TABLE RouteChange (
  id BIGINT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id)
);
CREATE INDEX RouteChange_version ON RouteChange (version);

-- Latest call statistics per host and caller, upserted by the reporter.
CREATE TABLE ServerCallStatus (
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  ip BIGINT NOT NULL,
  port INT NOT NULL,
  caller BIGINT NOT NULL,
  succ_cnt BIGINT NOT NULL,
  err_cnt BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  overload CHAR(1) NOT NULL,
  PRIMARY KEY (modid, cmdid, ip, port, caller),
  CONSTRAINT ServerCallStatus_ip_range CHECK (ip BETWEEN 0 AND 4294967295),
  CONSTRAINT ServerCallStatus_caller_range CHECK (caller BETWEEN 0 AND 4294967295)
);

-- Human names of modids and cmdids, for the admin; utf8mb4 whatever the database's default
-- (H2 in MySQL mode accepts and ignores the table option).
CREATE TABLE ModIDConfig (
  id INT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  content VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ModIDConfig_modid UNIQUE (modid)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE CmdIDConfig (
  id INT NOT NULL AUTO_INCREMENT,
  cmdid INT NOT NULL,
  content VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT CmdIDConfig_cmdid UNIQUE (cmdid)
) DEFAULT CHARSET=utf8mb4;
