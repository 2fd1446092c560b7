package io.lars.dns;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lars.db.DbSettings;
import io.lars.testkit.TestDatabases;

/** The dns role end to end on MySQL/MariaDB; skipped unless {@code LARS_TEST_DB_URL} is set. */
class DnsRoleMysqlTest extends DnsEndToEnd {

  @Override
  DbSettings database() {
    assumeTrue(TestDatabases.mysql().isPresent(), "LARS_TEST_DB_URL is not set");
    return TestDatabases.mysql().orElseThrow();
  }
}
