package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.testkit.Await;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent role on a real node over real sockets, with the dns and reporter played by
 * {@link FakeLarsServer}s so that the test controls routes, pushes, outages and restarts.
 */
class AgentEndToEndTest {

  private static final Host H1 = Host.of("10.0.0.1", 7001);
  private static final Host H2 = Host.of("10.0.0.2", 7002);
  private static final Host H3 = Host.of("10.0.0.3", 7003);

  private static AgentTestNode agent;

  @BeforeAll
  static void start() throws Exception {
    agent = AgentTestNode.startWithFakes(AgentTestNode.CALLS_AND_REPORTS + """
        lars.agent.reconnect-min-backoff = 50ms
        lars.agent.reconnect-max-backoff = 300ms
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void bindsTheConfiguredPorts() {
    assertEquals(agent.conf().ports().agent(), agent.ports().stream().map(InetSocketAddress::getPort).toList());
  }

  @Test
  void firstGetHostSucceedsThenGetRouteAndReportsReachTheReporter() {
    ModuleId module = new ModuleId(1, 1);
    long startedS = System.currentTimeMillis() / 1000;
    agent.dns().routes.put(module, List.of(H1, H2));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      GetHostResponse first = client.getHost(agent.portOf(module), 41, 1, 1);
      assertEquals(RetCode.SUCC.code(), first.getRetcode(), "the first get_host of a module must not be NOEXIST");
      assertEquals(41, first.getSeq());
      assertEquals(List.of(H1, H2), client.getRoute(agent.portOf(module), 1, 1).getHostList().stream().map(Host::of).toList());
      // Each port rotates over the module's view on its own (probes and rotation per port).
      Host a = Host.of(client.getHost(agent.ports().get(0), 1, 1, 1).getHost());
      Host b = Host.of(client.getHost(agent.ports().get(0), 2, 1, 1).getHost());
      assertTrue(a.equals(H1) != b.equals(H1), "two picks in a row rotate over both hosts: " + a + ", " + b);

      for (int i = 0; i < 3; i++) {
        client.report(agent.portOf(module), 1, 1, H1, 0, 5);
      }
      client.report(agent.portOf(module), 1, 1, H2, 1, 0);
    }
    ReportStatusReq statistics = Await.awaitAssert(agent.node().system(), Duration.ofSeconds(30), () -> {
      ReportStatusReq last = agent.reporter().statistics.stream()
          .filter(r -> r.getModid() == 1 && r.getCmdid() == 1).reduce((x, y) -> y).orElseThrow();
      assertEquals(3, resultOf(last, H1).getSucc());
      assertEquals(1, resultOf(last, H2).getErr());
      return last;
    });
    assertEquals(Ipv4.parse("10.9.8.7"), statistics.getCaller());
    // The frame was stamped (unix seconds) during this test: a range that holds however slow the machine.
    long ts = Integer.toUnsignedLong(statistics.getTs());
    assertTrue(ts >= startedS && ts <= System.currentTimeMillis() / 1000, "ts " + ts + " from " + startedS);
  }

  private static HostCallResult resultOf(ReportStatusReq request, Host host) {
    return request.getResultsList().stream().filter(r -> r.getIp() == host.ip() && r.getPort() == host.port())
        .findFirst().orElseThrow(() -> new AssertionError("no result for " + host + " in " + request));
  }

  @Test
  void anEmptyRouteWithoutTheDeliberateFlagIsNotAppliedToAModuleThatHadHosts() {
    ModuleId module = new ModuleId(16, 1);
    agent.dns().routes.put(module, List.of(H1));
    AgentStats stats = AgentStats.get(agent.node().system());
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      assertEquals(H1, Host.of(client.getHost(agent.portOf(module), 1, 16, 1).getHost()));
      long refused = agent.stats().emptyRoutesRefused();
      agent.dns().pushRoute(module, List.of());
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
        assertTrue(agent.stats().emptyRoutesRefused() > refused, "the empty push was seen and refused");
        return null;
      });
      GetHostResponse kept = client.getHost(agent.portOf(module), 2, 16, 1);
      assertEquals(RetCode.SUCC.code(), kept.getRetcode(), "a dns that lost its data does not empty the route");
      assertEquals(H1, Host.of(kept.getHost()));

      agent.dns().pushRoute(module, List.of(), true);
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
        assertEquals(RetCode.NOEXIST.code(), client.getHost(agent.portOf(module), 3, 16, 1).getRetcode(),
            "a deliberate removal empties the route");
        return null;
      });
    }
  }

  @Test
  void moduleUnknownToTheDnsAnswersNoexistAndRoutePushesArrive() {
    ModuleId module = new ModuleId(2, 1);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      assertEquals(RetCode.NOEXIST.code(), client.getHost(agent.portOf(module), 1, 2, 1).getRetcode());
      agent.dns().pushRoute(module, List.of(H3));
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(30), () -> {
        GetHostResponse r = client.getHost(agent.portOf(module), 2, 2, 1);
        assertEquals(RetCode.SUCC.code(), r.getRetcode());
        assertEquals(H3, Host.of(r.getHost()));
        return r;
      });
    }
  }

  @Test
  void aFailingHostIsOverloadedAndThenOnlyProbed() {
    ModuleId module = new ModuleId(3, 1);
    agent.dns().routes.put(module, List.of(H1, H2));
    int probeNum = LoadBalanceSettings.defaults().probeNum();
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      InetSocketAddress port = agent.portOf(module);
      // Warm-up: H1 fails every call until the entity overloaded it and its view is in force on
      // this node (the entity may still be starting: wait for it, no timing assumed).
      int[] seq = {0};
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(30), () -> {
        int h1 = 0;
        for (int i = 0; i <= probeNum; i++) {
          Host host = Host.of(client.getHost(port, seq[0]++, 3, 1).getHost());
          if (host.equals(H1)) {
            h1++;
          }
          client.report(port, 3, 1, host, host.equals(H1) ? 1 : 0, 0);
        }
        assertTrue(h1 <= 1, "H1 still picked " + h1 + " times in " + (probeNum + 1));
        return true;
      });
      int picks = 22 * (probeNum + 1);
      int h1 = 0;
      for (int i = 0; i < picks; i++) {
        GetHostResponse r = client.getHost(port, 100 + i, 3, 1);
        assertEquals(RetCode.SUCC.code(), r.getRetcode());
        Host host = Host.of(r.getHost());
        if (host.equals(H1)) {
          h1++;
        }
        client.report(port, 3, 1, host, host.equals(H1) ? 1 : 0, 0);
      }
      int expected = picks / (probeNum + 1);
      assertTrue(Math.abs(h1 - expected) <= 1, "H1 got " + h1 + " of " + picks + " picks, expected about " + expected);
    }
  }

  @Test
  void garbageDatagramsAreIgnoredAndCounted() {
    long badFrames = agent.stats().udp().datagramsDropped();
    long dropped = agent.stats().droppedDatagrams();
    ModuleId module = new ModuleId(4, 1);
    agent.dns().routes.put(module, List.of(H2));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofMillis(300))) {
      client.sendRaw(agent.portOf(module), new byte[] {(byte) 0xff, 0, 0, 0, 0x10, 0, 0, 0, 1});
      client.send(agent.portOf(module), new Frame(42, ByteString.emptyByteString()));
      client.send(agent.portOf(module), new Frame(MessageId.REPORT_REQUEST.id(), ByteString.fromArray(new byte[] {0x1a, 0x40})));
      assertTrue(client.receive().isEmpty());
      assertEquals(badFrames + 1, agent.stats().udp().datagramsDropped());
      assertEquals(dropped + 2, agent.stats().droppedDatagrams());
    }
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      assertEquals(H2, Host.of(client.getHost(agent.portOf(module), 5, 4, 1).getHost()));
    }
  }

  @Test
  void dnsRestartIsSurvivedAndModulesAreRequestedAgain() throws Exception {
    ModuleId known = new ModuleId(5, 1);
    agent.dns().routes.put(known, List.of(H1));
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      assertEquals(H1, Host.of(client.getHost(agent.portOf(known), 1, 5, 1).getHost()));

      agent.dns().close();
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(30), () -> {
        assertEquals(0, agent.stats().dnsClient().connectionsOpen());
        return true;
      });
      // While the dns is down the agent answers from what it knows.
      assertEquals(H1, Host.of(client.getHost(agent.portOf(known), 2, 5, 1).getHost()));

      FakeLarsServer restarted = agent.rebindDns();
      restarted.routes.put(known, List.of(H2));
      ModuleId fresh = new ModuleId(6, 1);
      restarted.routes.put(fresh, List.of(H3));
      // The reconnect requests the known module again, so its new route arrives without a push.
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
        assertEquals(H2, Host.of(client.getHost(agent.portOf(known), 3, 5, 1).getHost()));
        return true;
      });
      assertEquals(H3, Host.of(client.getHost(agent.portOf(fresh), 4, 6, 1).getHost()));
    }
  }

  @Test
  void reporterOutageDoesNotAffectTheAgent() throws Exception {
    ModuleId module = new ModuleId(7, 1);
    agent.dns().routes.put(module, List.of(H1));
    agent.reporter().close();
    try {
      long droppedBefore = agent.stats().statisticsDropped();
      try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
        for (int i = 0; i < 5; i++) {
          assertEquals(H1, Host.of(client.getHost(agent.portOf(module), i, 7, 1).getHost()));
          client.report(agent.portOf(module), 7, 1, H1, 0, 0);
        }
        // The module's entity starts and sends its first statistics one report-interval later;
        // a busy machine (two test forks on two cores) can take several seconds for both.
        Await.awaitAssert(agent.node().system(), Duration.ofSeconds(30), () -> {
          assertTrue(agent.stats().statisticsDropped() > droppedBefore, "statistics are dropped while the reporter is down");
          return true;
        });
        assertEquals(H1, Host.of(client.getHost(agent.portOf(module), 9, 7, 1).getHost()));
      }
    } finally {
      agent.rebindReporter();
    }
  }
}
