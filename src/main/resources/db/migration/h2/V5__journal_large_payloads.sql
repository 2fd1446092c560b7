-- Issue 19, item 7: nothing to change on H2. Its BLOB is a large object without the 64 KiB limit
-- of MySQL's BLOB (the MySQL migration of this version widens those columns to MEDIUMBLOB); this
-- file keeps the version numbers of both vendors in step.
SELECT 1;
