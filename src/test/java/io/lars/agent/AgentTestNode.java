package io.lars.agent;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.kernel.Listener;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A started node for the agent's end-to-end tests, one per test class: its configuration (free
 * ports), its agent UDP ports in bind order, and the port a module's clients use. An agent-only
 * node made by {@link #startWithFakes} talks to a dns and a reporter played by
 * {@link FakeLarsServer}s on the configured ports.
 */
final class AgentTestNode implements AutoCloseable {

  /**
   * Settings for tests of calls and their statistics: a fixed caller ip, reports every 200 ms, and
   * first answers that wait for the dns longer than a busy machine needs.
   */
  static final String CALLS_AND_REPORTS = """
      lars.agent.caller-ip = "10.9.8.7"
      lars.agent.load-balance.report-interval = 200ms
      # A first get_host waits for the dns this long (default 100 ms): more than a busy machine needs.
      lars.agent.load-balance.first-pull-wait = 1500ms
      lars.agent.ask-timeout = 2500ms
      """;

  private final TestNodeConfig conf;
  private final LarsNode node;
  private final List<InetSocketAddress> ports;
  /** The fakes' own local system, when there are fakes. */
  private final Optional<ActorTestKit> fakes;
  private volatile FakeLarsServer dns;
  private volatile FakeLarsServer reporter;

  private AgentTestNode(TestNodeConfig conf, LarsNode node, Optional<ActorTestKit> fakes, FakeLarsServer dns,
      FakeLarsServer reporter) {
    this.conf = conf;
    this.node = node;
    this.ports = node.listeners("agent", "udp").stream().map(Listener::address).toList();
    this.fakes = fakes;
    this.dns = dns;
    this.reporter = reporter;
  }

  /**
   * @param overrides HOCON laid over the test node configuration
   * @param roles the node's roles, {@code agent} among them
   * @return the started node
   * @throws Exception if the node does not start within 60 s
   */
  static AgentTestNode start(String overrides, Set<Role> roles) throws Exception {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(overrides));
    return new AgentTestNode(conf, startNode(conf, roles), Optional.empty(), null, null);
  }

  /**
   * Binds a fake dns and a fake reporter on free ports, then starts an agent-only node that uses them.
   *
   * @param overrides HOCON laid over the test node configuration
   * @return the started node
   * @throws Exception if a fake cannot bind or the node does not start within 60 s
   */
  static AgentTestNode startWithFakes(String overrides) throws Exception {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(overrides));
    ActorTestKit fakes = ActorTestKit.create(ConfigFactory.parseString("akka.actor.provider = local")
        .withFallback(ConfigFactory.load()));
    FakeLarsServer dns = FakeLarsServer.bind(fakes.system(), conf.ports().dns());
    FakeLarsServer reporter = FakeLarsServer.bind(fakes.system(), conf.ports().reporter());
    return new AgentTestNode(conf, startNode(conf, EnumSet.of(Role.AGENT)), Optional.of(fakes), dns, reporter);
  }

  private static LarsNode startNode(TestNodeConfig conf, Set<Role> roles) throws Exception {
    return LarsNode.start(conf.config(), roles).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** @return the node's configuration and ports */
  TestNodeConfig conf() {
    return conf;
  }

  /** @return the running node */
  LarsNode node() {
    return node;
  }

  /** @return the agent's UDP ports, in bind order */
  List<InetSocketAddress> ports() {
    return ports;
  }

  /** @return the port a client of {@code module} uses: (modid + cmdid) modulo the number of ports */
  InetSocketAddress portOf(ModuleId module) {
    return ports.get(Math.floorMod(module.modid() + module.cmdid(), ports.size()));
  }

  /** @return the routes in the node's database */
  RouteRepository routes() {
    return new JdbcRouteRepository(node.database().orElseThrow().dataSource());
  }

  /** @return the node's agent meters */
  AgentStats stats() {
    return AgentStats.get(node.system());
  }

  /** @return the fake dns now bound (only with {@link #startWithFakes}) */
  FakeLarsServer dns() {
    return dns;
  }

  /** @return the fake reporter now bound (only with {@link #startWithFakes}) */
  FakeLarsServer reporter() {
    return reporter;
  }

  /**
   * Binds a new fake dns on the dns port, after the test closed the old one.
   *
   * @return the new fake
   * @throws Exception if it cannot bind
   */
  FakeLarsServer rebindDns() throws Exception {
    dns = FakeLarsServer.bind(fakes.orElseThrow().system(), conf.ports().dns());
    return dns;
  }

  /**
   * Binds a new fake reporter on the reporter port, after the test closed the old one.
   *
   * @return the new fake
   * @throws Exception if it cannot bind
   */
  FakeLarsServer rebindReporter() throws Exception {
    reporter = FakeLarsServer.bind(fakes.orElseThrow().system(), conf.ports().reporter());
    return reporter;
  }

  /** Stops the node, waiting up to 30 s, then the fakes. */
  @Override
  public void close() throws Exception {
    try {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      fakes.ifPresent(ActorTestKit::shutdownTestKit);
    }
  }
}
