-- Issue 19, item 7: BLOB holds at most 64 KiB, so a route event or snapshot of a module with
-- thousands of hosts could not be stored (and its overload state was never saved). MEDIUMBLOB
-- holds 16 MiB, far above the largest module (RouteLimits.MAX_HOSTS_PER_MODULE hosts).
ALTER TABLE event_journal MODIFY event_payload MEDIUMBLOB NOT NULL;
ALTER TABLE event_journal MODIFY meta_payload MEDIUMBLOB;
ALTER TABLE snapshot MODIFY snapshot_payload MEDIUMBLOB NOT NULL;
ALTER TABLE snapshot MODIFY meta_payload MEDIUMBLOB;
ALTER TABLE durable_state MODIFY state_payload MEDIUMBLOB NOT NULL;
