package io.lars.dns;

import io.lars.db.DbSettings;
import io.lars.testkit.TestDatabases;

/** The dns role end to end on a fresh in-memory H2 database. */
class DnsRoleTest extends DnsEndToEnd {

  @Override
  DbSettings database() {
    return TestDatabases.h2();
  }
}
