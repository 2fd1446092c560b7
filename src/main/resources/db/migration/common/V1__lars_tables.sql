-- Lars reference tables (reference: lars_dns.sql). Runs on MySQL/MariaDB and H2 (MySQL mode).
CREATE TABLE RouteData (
  id INT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  serverip BIGINT NOT NULL,
  serverport INT NOT NULL,
  PRIMARY KEY (id)
);
CREATE INDEX RouteData_module ON RouteData (modid, cmdid);

CREATE TABLE RouteVersion (
  id INT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id)
);
INSERT INTO RouteVersion (id, version) VALUES (1, 0);

CREATE TABLE RouteChange (
  id BIGINT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id)
);

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
  PRIMARY KEY (modid, cmdid, ip, port, caller)
);

CREATE TABLE ModIDConfig (
  id INT NOT NULL AUTO_INCREMENT,
  modid INT NOT NULL,
  content VARCHAR(255) NOT NULL,
  PRIMARY KEY (id)
);

CREATE TABLE CmdIDConfig (
  id INT NOT NULL AUTO_INCREMENT,
  cmdid INT NOT NULL,
  content VARCHAR(255) NOT NULL,
  PRIMARY KEY (id)
);
