package io.lars.dns;

import io.lars.db.DbSettings;
import io.lars.testkit.TestDatabases;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The dns role end to end on MySQL/MariaDB. Without {@code LARS_TEST_DB_URL} the class is disabled
 * before its node starts, so the report counts its tests as skipped (an assumption failing in
 * {@code @BeforeAll} was reported as "0 tests run").
 */
@EnabledIfEnvironmentVariable(named = "LARS_TEST_DB_URL", matches = ".*\\S.*",
    disabledReason = "LARS_TEST_DB_URL is not set")
class DnsRoleMysqlTest extends DnsEndToEnd {

  @Override
  DbSettings database() {
    return TestDatabases.mysql().orElseThrow();
  }
}
