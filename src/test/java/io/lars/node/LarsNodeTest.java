package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.kernel.Role;
import io.lars.testkit.TestNodeConfig;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LarsNodeTest {

  @Test
  void startsAllRolesAndStopsCleanly() throws Exception {
    TestNodeConfig conf = TestNodeConfig.create();
    LarsNode node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      String ready = node.readyLine();
      assertTrue(ready.startsWith("lars node ready roles=admin,agent,dns,reporter "), ready);
      TestNodeConfig.Ports p = conf.ports();
      for (String listener : List.of("dns=tcp://127.0.0.1:" + p.dns(), "reporter=tcp://127.0.0.1:" + p.reporter(),
          "admin=http://127.0.0.1:" + p.admin(), "management=http://127.0.0.1:" + p.management(),
          "agent=udp://127.0.0.1:" + p.agent().get(0), "agent=udp://127.0.0.1:" + p.agent().get(2))) {
        assertTrue((" " + ready + " ").contains(" " + listener + " "), listener + " in " + ready);
      }
      assertEquals(conf.ports().management(), node.listeners("management", "http").get(0).address().getPort());
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    assertTrue(node.system().whenTerminated().isCompleted());
  }

  @Test
  void unreachableDatabaseFailsStartWithAClearMessage() {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.db.url = \"jdbc:mysql://127.0.0.1:1/nowhere?connectTimeout=500\"\nlars.db.connection-timeout = 1s"));
    CompletionException e = assertThrows(CompletionException.class,
        () -> LarsNode.start(conf.config(), EnumSet.of(Role.DNS)).toCompletableFuture().join());
    assertTrue(e.getCause().getMessage().contains("127.0.0.1:1"), e.getCause().getMessage());
  }

  @Test
  void roleListParsing() {
    assertEquals(EnumSet.allOf(Role.class), Role.parseList(null));
    assertEquals(EnumSet.of(Role.DNS, Role.AGENT), Role.parseList("dns, agent"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Role.parseList("dns,router"));
    assertTrue(e.getMessage().contains("router"));
  }
}
