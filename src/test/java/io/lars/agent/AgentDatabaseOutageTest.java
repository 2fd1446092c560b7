package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.typesafe.config.ConfigFactory;
import io.lars.cli.LocalPorts;
import io.lars.db.DbSettings;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.kernel.Listener;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.testkit.TestNodeConfig;
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
 * The agent while its database (the journal of the LoadBalance entities) is unreachable (issue
 * 13): persistence never blocks a decision or an answer. Running modules keep answering, a host
 * that fails is overloaded on the same report count as with the database up, a module never seen
 * before is answered SUCC from the dns route, and once the database is back the transition is in
 * the journal.
 *
 * <p>The node's database is an in-memory H2 behind an H2 TCP server on 127.0.0.1 (the surefire
 * configuration sets {@code h2.bindAddress}); stopping the server is the outage, starting one on
 * the same port ends it, and the in-memory database survives in between.
 */
class AgentDatabaseOutageTest {

  private static final Host HOST = Host.of("10.3.0.1", 8001);
  private static final Host FAILING = Host.of("10.3.0.2", 8002);
  private static final ModuleId RUNNING = new ModuleId(300, 1);
  private static final ModuleId STARTED_DURING_OUTAGE = new ModuleId(301, 1);

  @Test
  void answersFlowAndTransitionsAreDecidedDuringTheOutageAndJournaledAfterIt() throws Exception {
    int dbPort = LocalPorts.freeTcp();
    String name = "lars-outage-" + UUID.randomUUID();
    String url = "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/mem:" + name + DbSettings.H2_FLAGS + ";DB_CLOSE_DELAY=-1";
    Server db = startDbServer(dbPort);
    ActorTestKit probes = ActorTestKit.create(ConfigFactory.parseString("akka.actor.provider = local")
        .withFallback(ConfigFactory.load()));
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString("lars.db.url = \"" + url + "\"\n"
        // A first get_host waits for the dns this long (default 100 ms): more than a busy machine needs.
        + "lars.agent.load-balance.first-pull-wait = 1500ms\nlars.agent.ask-timeout = 2500ms"));
    LarsNode node = null;
    try {
      node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<InetSocketAddress> ports = node.listeners("agent", "udp").stream().map(Listener::address).toList();
      RouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      routes.addHost(RUNNING, HOST);
      routes.addHost(RUNNING, FAILING);
      routes.addHost(STARTED_DURING_OUTAGE, HOST);
      AgentStats stats = AgentStats.get(node.system());
      ClusterSharding sharding = ClusterSharding.get(node.system());
      InetSocketAddress runningPort = portOf(ports, RUNNING);

      try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
        TestProbe<Object> probe = probes.createTestProbe();
        // Served, with the entity up and its route recorded, before the outage.
        probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
          assertEquals(RetCode.SUCC.code(), getHost(client, ports, RUNNING).getRetcode());
          assertEquals(List.of(LoadBalanceSerializer.ROUTES_UPDATED), journal(url, conf, RUNNING));
          return true;
        });
        // And the dns has the other module's route (it answers from memory during the outage).
        awaitDnsKnows(probe, node, STARTED_DURING_OUTAGE);

        long systemErrors = stats.getHostAnswers(RetCode.SYSTEM_ERROR);
        db.stop();
        // One failure short of contin-err-limit: still idle.
        int limit = LoadBalanceSettings.defaults().continErrLimit();
        for (int i = 0; i < limit - 1; i++) {
          client.report(runningPort, RUNNING.modid(), RUNNING.cmdid(), FAILING, 1, 0);
        }
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
          LoadBalance.HostSnapshot failing = stateOf(sharding, RUNNING).idle().stream()
              .filter(h -> h.host().equals(FAILING)).findFirst().orElseThrow();
          assertEquals(limit - 1, failing.continErr());
          return true;
        });
        client.report(runningPort, RUNNING.modid(), RUNNING.cmdid(), FAILING, 1, 0);
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
          assertEquals(List.of(FAILING), stateOf(sharding, RUNNING).overload().stream()
              .map(LoadBalance.HostSnapshot::host).toList());
          return true;
        });
        // Answers keep flowing: the overloaded host is only probed, the module is never unavailable.
        int probeNum = LoadBalanceSettings.defaults().probeNum();
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
          int failingPicks = 0;
          for (int i = 0; i <= probeNum; i++) {
            GetHostResponse r = getHost(client, ports, RUNNING);
            assertEquals(RetCode.SUCC.code(), r.getRetcode(), "a running module must not need the database");
            if (Host.of(r.getHost()).equals(FAILING)) {
              failingPicks++;
            }
          }
          assertTrue(failingPicks <= 1, "the overloaded host is only probed, got " + failingPicks);
          return true;
        });
        // A module never seen on this node: answered from the dns route, the database is not asked.
        GetHostResponse fresh = getHost(client, ports, STARTED_DURING_OUTAGE);
        assertEquals(RetCode.SUCC.code(), fresh.getRetcode());
        assertEquals(HOST, Host.of(fresh.getHost()));
        assertEquals(systemErrors, stats.getHostAnswers(RetCode.SYSTEM_ERROR));

        db = startDbServer(dbPort);
        probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
          assertEquals(List.of(LoadBalanceSerializer.ROUTES_UPDATED, LoadBalanceSerializer.HOST_OVERLOADED),
              journal(url, conf, RUNNING));
          return true;
        });
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

  private static InetSocketAddress portOf(List<InetSocketAddress> ports, ModuleId module) {
    return ports.get(Math.floorMod(module.modid() + module.cmdid(), ports.size()));
  }

  private static LoadBalance.Snapshot stateOf(ClusterSharding sharding, ModuleId module) {
    return sharding.entityRefFor(LoadBalanceEntity.ENTITY_KEY, module.entityId())
        .<LoadBalanceEntity.CurrentState>ask(LoadBalanceEntity.GetState::new, Duration.ofSeconds(3))
        .toCompletableFuture().join().snapshot();
  }

  private static void awaitDnsKnows(TestProbe<Object> probe, LarsNode node, ModuleId module) {
    InetSocketAddress dns = node.listeners("dns", "tcp").get(0).address();
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      try (java.net.Socket socket = new java.net.Socket(dns.getHostString(), dns.getPort())) {
        socket.setSoTimeout(2000);
        io.lars.protocol.pb.GetRouteRequest request = io.lars.protocol.pb.GetRouteRequest.newBuilder()
            .setModid(module.modid()).setCmdid(module.cmdid()).build();
        socket.getOutputStream().write(io.lars.protocol.FrameCodec.encode(
            io.lars.protocol.Frame.of(io.lars.protocol.MessageId.GET_ROUTE_REQUEST, request)).toArray());
        java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
        byte[] header = new byte[8];
        in.readFully(header);
        byte[] body = new byte[java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4)];
        in.readFully(body);
        assertTrue(io.lars.protocol.pb.GetRouteResponse.parseFrom(body).getHostCount() > 0, "dns has no route yet");
      }
      return true;
    });
  }

  /** The manifests of the module's journaled events, in order. */
  private static List<String> journal(String url, TestNodeConfig conf, ModuleId module) throws SQLException {
    List<String> events = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, conf.config().getString("lars.db.user"),
            conf.config().getString("lars.db.password"));
        java.sql.PreparedStatement s = c.prepareStatement("SELECT \"event_ser_manifest\" FROM \"event_journal\""
            + " WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
      s.setString(1, LoadBalanceEntity.persistenceId(module).id());
      try (java.sql.ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          events.add(rs.getString(1));
        }
      }
    }
    return events;
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
