-- Audit log of route writes, kept apart from RouteChange (which the dns deletes once pushed):
-- one row per written route row, in the same transaction as the write. actor is the admin
-- token's name for writes through the admin API, "sql" for writes through the database.
-- action is add, remove or update; old_* hold the row before an update (NULL otherwise).
-- ts is unix milliseconds; version is the RouteVersion the write set.
CREATE TABLE RouteAudit (
  id BIGINT NOT NULL AUTO_INCREMENT,
  ts BIGINT NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(16) NOT NULL,
  route_id BIGINT NOT NULL,
  modid INT NOT NULL,
  cmdid INT NOT NULL,
  serverip BIGINT NOT NULL,
  serverport INT NOT NULL,
  old_modid INT NULL,
  old_cmdid INT NULL,
  old_serverip BIGINT NULL,
  old_serverport INT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT RouteAudit_serverip_range CHECK (serverip BETWEEN 0 AND 4294967295)
);
CREATE INDEX RouteAudit_module ON RouteAudit (modid, cmdid, id);
CREATE INDEX RouteAudit_old_module ON RouteAudit (old_modid, old_cmdid, id);
