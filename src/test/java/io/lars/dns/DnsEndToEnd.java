package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import io.lars.kernel.RouteReload;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.TestNodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dns role end to end on one database: a real node with {@code --roles dns}, raw TCP clients
 * speaking the reference wire protocol, and route writes through the repository or plain SQL.
 * Subclasses pick the database. Every test uses modules of its own, so they share one node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DnsEndToEnd {

  private static final Logger log = LoggerFactory.getLogger(DnsEndToEnd.class);
  /** Longest wait for a push: full reload interval (1 s) plus a poll and slack for a busy machine. */
  private static final Duration PUSH_WAIT = Duration.ofSeconds(8);

  private LarsNode node;
  private RouteRepository routes;
  private InetSocketAddress dns;

  /** @return the database to run on */
  abstract DbSettings database();

  @BeforeAll
  void startNode() throws Exception {
    DbSettings db = database();
    TestDatabases.fresh(db).close();
    TestNodeConfig conf = TestNodeConfig.create(TestDatabases.nodeConfig(db)
        // Polls and full reloads more often than the shipped 1 s / 10 s: each test waits for them.
        .withFallback(ConfigFactory.parseString("lars.dns.poll-interval = 200ms\n"
            + "lars.dns.full-reload-interval = 1s\n"
            // 200 subscribers below come from one address (loopback).
            + "lars.dns.max-connections-per-address = 1000")));
    node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
    InetSocketAddress bound = node.listeners("dns", "tcp").get(0).address();
    dns = new InetSocketAddress("127.0.0.1", bound.getPort());
  }

  @AfterAll
  void stopNode() throws Exception {
    if (node != null) {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Host host(int last) {
    return Host.of("10.1.0." + last, 8000 + last);
  }

  /** Waits for the route of a module, skipping pushes of others. */
  private static RawDnsClient.Answer awaitRoute(RawDnsClient client, ModuleId module, List<Host> hosts)
      throws IOException {
    long deadline = System.nanoTime() + PUSH_WAIT.toNanos();
    RawDnsClient.Answer last = null;
    while (System.nanoTime() < deadline) {
      RawDnsClient.Answer a = client.read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      if (a != null) {
        last = a;
        if (a.module().equals(module) && a.hosts().equals(hosts)) {
          return a;
        }
      }
    }
    throw new AssertionError("no route " + hosts + " for " + module + " within " + PUSH_WAIT + "; last " + last);
  }

  @Test
  void answersTheRouteAskedForAndPushesAWriteThroughTheRepository() throws Exception {
    ModuleId m = new ModuleId(100, 1);
    routes.addHost(m, host(1));
    routes.addHost(m, host(2));
    try (RawDnsClient client = new RawDnsClient(dns)) {
      client.request(m);
      awaitRoute(client, m, List.of(host(1), host(2)));
      long committed = System.nanoTime();
      routes.addHost(m, host(3));
      awaitRoute(client, m, List.of(host(1), host(2), host(3)));
      log.info("{}: push arrived {} ms after the commit", database().isH2() ? "H2" : "MySQL",
          (System.nanoTime() - committed) / 1_000_000);
      routes.removeHost(m, host(1));
      awaitRoute(client, m, List.of(host(2), host(3)));
      assertEquals(List.of(host(2), host(3)), client.lookup(m).hosts());
    }
    DnsStats stats = DnsStats.get(node.system());
    assertTrue(stats.pushesSent() >= 2, "pushes counted: " + stats.pushesSent());
    assertEquals(routes.readVersion(), stats.routeVersion());
    String metrics = io.lars.kernel.Metrics.get(node.system()).scrape();
    assertTrue(metrics.contains("lars_dns_pushes_total") && metrics.contains("lars_dns_route_version"), metrics);
  }

  @Test
  void anUnknownModuleIsPushedWhenItsFirstHostIsAdded() throws Exception {
    ModuleId m = new ModuleId(101, 1);
    try (RawDnsClient client = new RawDnsClient(dns)) {
      assertEquals(List.of(), client.lookup(m).hosts());
      routes.addHost(m, host(1));
      awaitRoute(client, m, List.of(host(1)));
    }
  }

  @Test
  void aDirectSqlEditWithoutRouteChangeArrivesWithTheFullReload() throws Exception {
    ModuleId m = new ModuleId(102, 1);
    routes.addHost(m, host(1));
    try (RawDnsClient client = new RawDnsClient(dns)) {
      client.request(m);
      awaitRoute(client, m, List.of(host(1)));
      insertDirectly(m, host(2));
      awaitRoute(client, m, List.of(host(1), host(2)));
    }
  }

  @Test
  void twoHundredSubscribersAllReceiveAChange() throws Exception {
    ModuleId m = new ModuleId(103, 1);
    routes.addHost(m, host(1));
    List<RawDnsClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        RawDnsClient c = new RawDnsClient(dns);
        clients.add(c);
        c.request(m);
      }
      for (RawDnsClient c : clients) {
        awaitRoute(c, m, List.of(host(1)));
      }
      routes.addHost(m, host(2));
      for (RawDnsClient c : clients) {
        awaitRoute(c, m, List.of(host(1), host(2)));
      }
    } finally {
      for (RawDnsClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void aConnectionSendingGarbageIsClosedAndOthersKeepWorking() throws Exception {
    ModuleId m = new ModuleId(104, 1);
    routes.addHost(m, host(1));
    try (RawDnsClient good = new RawDnsClient(dns);
        RawDnsClient unknownId = new RawDnsClient(dns);
        RawDnsClient oversize = new RawDnsClient(dns)) {
      good.request(m);
      awaitRoute(good, m, List.of(host(1)));
      unknownId.writeRaw(new byte[] {99, 0, 0, 0, 2, 0, 0, 0, 1, 2});
      oversize.writeRaw(new byte[] {1, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0});
      assertTrue(unknownId.closedWithin(Duration.ofSeconds(5)), "unknown msgid not closed");
      assertTrue(oversize.closedWithin(Duration.ofSeconds(5)), "oversize length not closed");
      assertEquals(List.of(host(1)), good.lookup(m).hosts());
      routes.addHost(m, host(2));
      awaitRoute(good, m, List.of(host(1), host(2)));
    }
  }

  @Test
  void lookupsKeepAnsweringFromTheSnapshotWhileTheDatabaseIsGone() throws Exception {
    ModuleId m = new ModuleId(105, 1);
    routes.addHost(m, host(1));
    try (RawDnsClient subscriber = new RawDnsClient(dns)) {
      subscriber.request(m);
      awaitRoute(subscriber, m, List.of(host(1)));
      renameTable("RouteVersion", "RouteVersion_away");
      try {
        insertDirectly(m, host(2));
        try (RawDnsClient other = new RawDnsClient(dns)) {
          assertEquals(List.of(host(1)), other.lookup(m).hosts());
        }
        // Three full reloads: a working poller would have pushed the direct edit by now.
        assertNull(subscriber.read(Duration.ofSeconds(3)));
        try (RawDnsClient other = new RawDnsClient(dns)) {
          assertEquals(List.of(host(1)), other.lookup(m).hosts());
        }
      } finally {
        renameTable("RouteVersion_away", "RouteVersion");
      }
      awaitRoute(subscriber, m, List.of(host(1), host(2)));
    }
  }

  @Test
  void thePollerIsFoundThroughTheReceptionistAndReloadNowPushes() throws Exception {
    ModuleId m = new ModuleId(106, 1);
    routes.addHost(m, host(1));
    Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
        node.system().receptionist(), replyTo -> Receptionist.find(RouteReload.SERVICE_KEY, replyTo),
        Duration.ofSeconds(5), node.system().scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Set<ActorRef<RouteReload.Command>> pollers = listing.getServiceInstances(RouteReload.SERVICE_KEY);
    assertEquals(1, pollers.size());
    try (RawDnsClient client = new RawDnsClient(dns)) {
      client.request(m);
      awaitRoute(client, m, List.of(host(1)));
      insertDirectly(m, host(2));
      long sent = System.nanoTime();
      pollers.iterator().next().tell(new RouteReload.ReloadNow());
      awaitRoute(client, m, List.of(host(1), host(2)));
      log.info("push arrived {} ms after ReloadNow", (System.nanoTime() - sent) / 1_000_000);
    }
  }

  /** Adds a host the way a plain SQL tool might: RouteData only, no version, no RouteChange row. */
  private void insertDirectly(ModuleId m, Host h) throws SQLException {
    Database db = node.database().orElseThrow();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO RouteData (modid, cmdid, serverip, serverport) VALUES (?, ?, ?, ?)")) {
      ps.setInt(1, m.modid());
      ps.setInt(2, m.cmdid());
      ps.setLong(3, Ipv4.toUnsigned(h.ip()));
      ps.setInt(4, h.port());
      assertEquals(1, ps.executeUpdate());
    }
  }

  /** Renames a table: to the dns this looks like a database that fails every route query. */
  private void renameTable(String from, String to) throws SQLException {
    Database db = node.database().orElseThrow();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      // Fixed identifiers from this test, never user input.
      s.execute("ALTER TABLE " + from + " RENAME TO " + to);
    }
  }
}
