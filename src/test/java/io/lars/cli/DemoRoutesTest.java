package io.lars.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lars.db.Database;
import io.lars.db.JdbcRouteRepository;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestDatabases;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoRoutesTest {

  @Test
  void seedsTheReferenceDemoRoutesOnceAndKeepsOthers() {
    try (Database db = TestDatabases.fresh(TestDatabases.h2())) {
      JdbcRouteRepository routes = new JdbcRouteRepository(db.dataSource());
      ModuleId other = new ModuleId(5, 5);
      routes.addHost(other, Host.of("10.9.9.9", 99));
      routes.addHost(new ModuleId(11, 1), Host.of("10.0.0.1", 9001));

      assertEquals(5, DemoRoutes.seed(routes));
      assertEquals(0, DemoRoutes.seed(routes));

      var table = routes.loadRoutes();
      assertEquals(Set.of(Host.of("192.168.1.177", 7777)), table.get(new ModuleId(1, 1)));
      assertEquals(5, table.get(new ModuleId(11, 1)).size());
      assertEquals(List.of(Host.of("10.9.9.9", 99)), List.copyOf(table.get(other)));
    }
  }
}
