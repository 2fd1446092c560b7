package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.kernel.Role;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.testkit.Await;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent on a node with every role: routes written through the repository, statistics stored by the reporter. */
class AgentNodeTest {

  private static final Host H1 = Host.of("10.2.0.1", 8001);
  private static final Host H2 = Host.of("10.2.0.2", 8002);

  private static AgentTestNode agent;

  @BeforeAll
  static void start() throws Exception {
    agent = AgentTestNode.start(AgentTestNode.CALLS_AND_REPORTS, EnumSet.allOf(Role.class));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void routesFromTheRepositoryAreServedAndStatisticsAreStored() {
    ModuleId module = new ModuleId(100, 1);
    agent.routes().addHost(module, H1);
    agent.routes().addHost(module, H2);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      // The dns loaded the routes at start or picks the version change up within a poll.
      GetHostResponse first = Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
        GetHostResponse r = client.getHost(agent.portOf(module), 1, 100, 1);
        assertEquals(RetCode.SUCC.code(), r.getRetcode());
        return r;
      });
      assertTrue(List.of(H1, H2).contains(Host.of(first.getHost())));
      assertEquals(List.of(H1, H2), client.getRoute(agent.portOf(module), 100, 1).getHostList().stream().map(Host::of).toList());
      for (int i = 0; i < 4; i++) {
        client.report(agent.portOf(module), 100, 1, H1, 0, 0);
      }
      client.report(agent.portOf(module), 100, 1, H2, 1, 0);

      CallStatusRepository status = new CallStatusRepository(agent.node().database().orElseThrow().dataSource());
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
        List<CallStatusRow> rows = status.list(Optional.of(module));
        CallStatusRow h1 = rows.stream().filter(r -> r.host().equals(H1)).findFirst().orElseThrow();
        assertEquals(4, h1.succ());
        assertEquals(Ipv4.parse("10.9.8.7"), h1.caller());
        CallStatusRow h2 = rows.stream().filter(r -> r.host().equals(H2)).findFirst().orElseThrow();
        assertEquals(1, h2.err());
        return rows;
      });

      // A route change written through the repository is pushed to the agent.
      agent.routes().removeHost(module, H1);
      Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
        assertEquals(List.of(H2), client.getRoute(agent.portOf(module), 100, 1).getHostList().stream().map(Host::of).toList());
        return true;
      });
    }
  }

  @Test
  void theFirstGetHostOfAModuleAddedWhileRunningSucceeds() {
    ModuleId module = new ModuleId(101, 1);
    agent.routes().addHost(module, H2);
    try (AgentUdpClient client = new AgentUdpClient(Duration.ofSeconds(3))) {
      // Once the dns has the route (one poll), the very first agent request must not be NOEXIST.
      awaitDnsHas(module);
      GetHostResponse r = client.getHost(agent.portOf(module), 7, 101, 1);
      assertEquals(RetCode.SUCC.code(), r.getRetcode());
      assertEquals(H2, Host.of(r.getHost()));
    }
  }

  /** Asks the dns directly, over its own TCP protocol, until it knows the module. */
  private static void awaitDnsHas(ModuleId module) {
    InetSocketAddress dns = agent.node().listeners("dns", "tcp").get(0).address();
    Await.awaitAssert(agent.node().system(), Duration.ofSeconds(10), () -> {
      try (Socket socket = new Socket(dns.getHostString(), dns.getPort())) {
        socket.setSoTimeout(2000);
        GetRouteRequest request = GetRouteRequest.newBuilder().setModid(module.modid()).setCmdid(module.cmdid()).build();
        socket.getOutputStream().write(FrameCodec.encode(Frame.of(MessageId.GET_ROUTE_REQUEST, request)).toArray());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[8];
        in.readFully(header);
        byte[] body = new byte[ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(4)];
        in.readFully(body);
        assertTrue(GetRouteResponse.parseFrom(body).getHostCount() > 0, "dns has no route yet");
      }
      return true;
    });
  }
}
