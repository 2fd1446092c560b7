package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import io.lars.db.DbSettings;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.node.LarsNode;
import io.lars.node.Listener;
import io.lars.node.Role;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.testkit.TestNodeConfig;
import io.lars.transport.LocalPorts;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;

/**
 * The agent while its database (the journal of the LoadBalance entities) is unreachable: modules
 * whose entity runs keep answering from memory, a module whose entity would have to start gets
 * SYSTEM_ERROR (never silence), and once the database is back that module is served again.
 *
 * <p>The node's database is an in-memory H2 behind an H2 TCP server on 127.0.0.1 (the surefire
 * configuration sets {@code h2.bindAddress}); stopping the server is the outage, starting one on
 * the same port ends it, and the in-memory database survives in between.
 */
class AgentDatabaseOutageTest {

  private static final Host HOST = Host.of("10.3.0.1", 8001);
  private static final ModuleId RUNNING = new ModuleId(300, 1);
  private static final ModuleId STARTED_DURING_OUTAGE = new ModuleId(301, 1);

  @Test
  void runningModulesKeepAnsweringAndAModuleStartedDuringTheOutageIsServedAfterIt() throws Exception {
    int dbPort = LocalPorts.freeTcp();
    String name = "lars-outage-" + UUID.randomUUID();
    String url = "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/mem:" + name + DbSettings.H2_FLAGS + ";DB_CLOSE_DELAY=-1";
    Server db = startDbServer(dbPort);
    ActorTestKit probes = ActorTestKit.create(ConfigFactory.parseString("akka.actor.provider = local")
        .withFallback(ConfigFactory.load()));
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString("lars.db.url = \"" + url + "\""));
    LarsNode node = null;
    try {
      node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<InetSocketAddress> ports = node.listeners("agent", "udp").stream().map(Listener::address).toList();
      RouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      routes.addHost(RUNNING, HOST);
      routes.addHost(STARTED_DURING_OUTAGE, HOST);

      try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
        TestProbe<Object> probe = probes.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(100), () -> {
          assertEquals(RetCode.SUCC.code(), getHost(client, ports, RUNNING).getRetcode());
          return true;
        });

        db.stop();
        long outageEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        int seq = 0;
        while (System.nanoTime() < outageEnd) {
          GetHostResponse running = getHost(client, ports, RUNNING);
          assertEquals(RetCode.SUCC.code(), running.getRetcode(), "a running module must not need the database");
          assertEquals(HOST, Host.of(running.getHost()));
          long asked = System.nanoTime();
          GetHostResponse starting = getHost(client, ports, STARTED_DURING_OUTAGE);
          assertEquals(RetCode.SYSTEM_ERROR.code(), starting.getRetcode(),
              "an entity that cannot recover answers SYSTEM_ERROR, request " + seq++);
          // The endpoint answers after its ask timeout (500 ms) and sweep; allow for a busy machine.
          assertTrue(System.nanoTime() - asked < TimeUnit.MILLISECONDS.toNanos(2500), "answered late");
        }

        db = startDbServer(dbPort);
        long back = System.nanoTime();
        probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
          assertEquals(RetCode.SUCC.code(), getHost(client, ports, STARTED_DURING_OUTAGE).getRetcode());
          return true;
        });
        probes.system().log().info("module {} served {} ms after the database came back", STARTED_DURING_OUTAGE,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
        assertEquals(RetCode.SUCC.code(), getHost(client, ports, RUNNING).getRetcode());
      }
    } finally {
      if (node != null) {
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      db.stop();
      dropInMemoryDatabase(name, conf.config().getString("lars.db.user"), conf.config().getString("lars.db.password"));
      probes.shutdownTestKit();
    }
  }

  private static GetHostResponse getHost(AgentUdpClient client, List<InetSocketAddress> ports, ModuleId module) {
    InetSocketAddress port = ports.get(Math.floorMod(module.modid() + module.cmdid(), ports.size()));
    return client.getHost(port, 1, module.modid(), module.cmdid());
  }

  /** The server ran in this JVM, so the in-memory database is reachable without it. */
  private static void dropInMemoryDatabase(String name, String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:" + name, user, password);
        Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    }
  }

  private static Server startDbServer(int port) throws SQLException {
    return Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
  }
}
