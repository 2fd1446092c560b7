package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import com.typesafe.config.ConfigFactory;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Metrics;
import io.lars.kernel.Role;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.Await;
import io.lars.testkit.TestNodeConfig;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 item 12: an agent-only node that the cluster removes keeps serving its local clients
 * from its views and comes back by itself as a new incarnation ({@code lars.cluster.agent-rejoin});
 * with the feature off it ends with exit 4 as before. Two nodes in one JVM on one in-memory H2:
 * node 1 runs dns and reporter (the seed), node 2 the agent only; an operator's {@link Down}
 * removes node 2.
 */
class AgentRejoinTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ModuleId MODULE = new ModuleId(1, 1);
  private static final List<Host> HOSTS = List.of(Host.of("10.1.1.1", 9001), Host.of("10.1.1.2", 9002));

  private Database database;
  private LarsNode core;
  private LarsNode agent;

  @AfterEach
  void stopNodes() throws Exception {
    for (LarsNode node : new LarsNode[] {agent, core}) {
      if (node != null && !node.whenTerminated().toCompletableFuture().isDone()) {
        node.stop().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> null).join();
      }
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  void aDownedAgentOnlyNodeKeepsAnsweringAndComesBackAsANewIncarnation() throws Exception {
    startCluster(true);
    InetSocketAddress port = agentPort();
    ActorSystem<Void> first = agent.system();
    Address firstAddress = Cluster.get(first).selfMember().address();
    awaitTrue("node 2 serves the module", () -> getHost(port, 1) == 0);

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong answered = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Thread client = new Thread(() -> {
      int seq = 100;
      while (running.get()) {
        // a client's usual timeout and retries: only a request that gets no SUCC at all fails
        boolean ok = false;
        for (int attempt = 0; attempt < 3 && !ok; attempt++) {
          ok = getHost(port, ++seq) == 0;
        }
        (ok ? answered : failed).incrementAndGet();
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "agent-rejoin-test-client");
    client.start();
    try {
      Cluster.get(core.system()).manager().tell(new Down(firstAddress));

      awaitTrue("node 2 counted the episode", () -> agent.rejoins() == 1);
      awaitTrue("the first incarnation has terminated", () -> first.whenTerminated().isCompleted());
      ActorSystem<Void> second = agent.system();
      assertNotSame(first, second);
      awaitTrue("the new incarnation is an Up member, as node 1 sees it", () -> upMembers(core.system()).stream()
          .anyMatch(a -> a.equals(Cluster.get(second).selfMember().address())));
      assertNotEquals(firstAddress, Cluster.get(second).selfMember().address());
      long before = answered.get();
      awaitTrue("node 2 keeps answering after the hand-over", () -> answered.get() > before + 5);
    } finally {
      running.set(false);
      client.join();
    }
    assertEquals(0, failed.get(), "get_host requests that got no SUCC (answered " + answered.get() + ")");
    assertEquals(0, getHost(port, 1));
    assertFalse(agent.whenTerminated().toCompletableFuture().isDone(), "the node did not end");
    assertEquals(1, Metrics.get(agent.system()).registry().get("lars.node.rejoins").functionCounter().count());
  }

  @Test
  void withAgentRejoinOffADownedAgentOnlyNodeExitsFour() throws Exception {
    startCluster(false);
    Address address = Cluster.get(agent.system()).selfMember().address();
    Cluster.get(core.system()).manager().tell(new Down(address));
    assertEquals(NodeExit.REMOVED_FROM_CLUSTER, agent.whenTerminated().toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(0, agent.rejoins());
  }

  private void startCluster(boolean rejoin) throws Exception {
    DbSettings db = TestDatabases.h2();
    database = TestDatabases.fresh(db);
    JdbcRouteRepository routes = new JdbcRouteRepository(database.dataSource());
    HOSTS.forEach(h -> routes.addHost(MODULE, h));
    int seedPort = TestNodeConfig.freeTcpPort();
    String seed = "akka://lars@127.0.0.1:" + seedPort;
    TestNodeConfig coreConf = TestNodeConfig.create(ConfigFactory.parseMap(Map.of(
        "akka.remote.artery.canonical.port", seedPort,
        "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on")).withFallback(TestDatabases.nodeConfig(db)));
    core = LarsNode.start(coreConf.config(), EnumSet.of(Role.DNS, Role.REPORTER)).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    TestNodeConfig agentConf = TestNodeConfig.create(ConfigFactory.parseMap(Map.of(
        "akka.cluster.seed-nodes", List.of(seed),
        "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
        "lars.cluster.agent-rejoin.enabled", rejoin,
        "lars.agent.dns.port", coreConf.ports().dns(),
        "lars.agent.reporter.port", coreConf.ports().reporter())).withFallback(TestDatabases.nodeConfig(db)));
    agent = LarsNode.start(agentConf.config(), EnumSet.of(Role.AGENT)).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitTrue("both nodes Up", () -> upMembers(core.system()).size() == 2);
  }

  private InetSocketAddress agentPort() {
    return agent.listeners("agent", "udp").get((MODULE.modid() + MODULE.cmdid()) % 3).address();
  }

  private static Set<Address> upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).map(m -> m.address())
        .collect(java.util.stream.Collectors.toSet());
  }

  /** @return the return code of one get_host for {@link #MODULE}, or -1 without an answer within 2 s */
  private static int getHost(InetSocketAddress port, int seq) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      socket.setSoTimeout(2000);
      byte[] body = GetHostRequest.newBuilder().setSeq(seq).setModid(MODULE.modid()).setCmdid(MODULE.cmdid()).build()
          .toByteArray();
      byte[] frame = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN).putInt(4)
          .putInt(body.length).put(body).array();
      socket.send(new DatagramPacket(frame, frame.length, port));
      byte[] buf = new byte[2048];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      socket.receive(in);
      ByteBuffer b = ByteBuffer.wrap(buf, 0, in.getLength()).order(ByteOrder.LITTLE_ENDIAN);
      int msgId = b.getInt();
      int len = b.getInt();
      GetHostResponse r = GetHostResponse.parseFrom(ByteBuffer.wrap(buf, 8, len));
      return msgId == 5 && r.getSeq() == seq ? r.getRetcode() : -1;
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Waits on the first node's system, which lives through the whole test. */
  private void awaitTrue(String what, BooleanSupplier condition) {
    Await.awaitTrue(core.system(), what, WAIT, condition);
  }
}
