package io.lars.testkit;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.pattern.Patterns;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.agent.LoadBalance;
import io.lars.agent.LoadBalanceEntity;
import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;

/**
 * Three Lars nodes in one JVM on one shared in-memory H2 database (SPEC 10): node 1 runs dns,
 * reporter and agent; nodes 2 and 3 run the agent only and use node 1's dns and reporter. Each
 * node has its own remoting, management and UDP ports; node 1 is the seed of all three.
 *
 * <p>Crash simulation: node 2's {@code ActorSystem.terminate()} does not run coordinated shutdown
 * ({@code run-by-actor-system-terminate = off}), so it does not leave; the others see it
 * unreachable and the split-brain resolver (keep-majority, {@code stable-after} shortened to 2 s)
 * downs it. Used by {@link ClusterFailoverTest} and the cluster benchmark.
 */
public final class ClusterHarness implements AutoCloseable {

  /** How long to wait for cluster-level events (joining, downing, shard moves). */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private static final String CLUSTER_SETTINGS = """
      akka.cluster.split-brain-resolver.stable-after = 2s
      akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      akka.cluster.failure-detector.heartbeat-interval = 500ms
      akka.cluster.jmx.multi-mbeans-in-same-jvm = on
      """;

  private final Database database;
  private final List<LarsNode> nodes = new ArrayList<>();
  private final List<TestNodeConfig> configs = new ArrayList<>();
  private final List<LarsClient> clients = new ArrayList<>();

  private ClusterHarness(Database database) {
    this.database = database;
  }

  /**
   * Creates the database, stores the given routes, and starts the three nodes; returns once all
   * three are Up.
   *
   * @param routes the routes the dns serves
   * @return the running cluster; close it
   * @throws Exception if a node does not start or the cluster does not form within {@link #WAIT}
   */
  public static ClusterHarness start(Map<ModuleId, List<Host>> routes) throws Exception {
    return start(routes, false);
  }

  /**
   * Like {@link #start(Map)}; with {@code dnsEverywhere} nodes 2 and 3 also run the dns role, so
   * the lease owners (issue 16) are sharded over all three nodes (their agents still use node 1's
   * dns).
   *
   * @param routes the routes the dns serves
   * @param dnsEverywhere whether nodes 2 and 3 run the dns role too
   * @return the running cluster; close it
   * @throws Exception if a node does not start or the cluster does not form within {@link #WAIT}
   */
  public static ClusterHarness start(Map<ModuleId, List<Host>> routes, boolean dnsEverywhere) throws Exception {
    return start(routes, dnsEverywhere, TestDatabases.h2());
  }

  /**
   * Like {@link #start(Map, boolean)} on a given database (emptied first, see
   * {@link TestDatabases#fresh}).
   *
   * @param routes the routes the dns serves
   * @param dnsEverywhere whether nodes 2 and 3 run the dns role too
   * @param db the database, e.g. {@link TestDatabases#mysql()}
   * @return the running cluster; close it
   * @throws Exception if a node does not start or the cluster does not form within {@link #WAIT}
   */
  public static ClusterHarness start(Map<ModuleId, List<Host>> routes, boolean dnsEverywhere, DbSettings db)
      throws Exception {
    ClusterHarness h = new ClusterHarness(TestDatabases.fresh(db));
    try {
      JdbcRouteRepository repository = new JdbcRouteRepository(h.database.dataSource());
      routes.forEach((module, hosts) -> hosts.forEach(host -> repository.addHost(module, host)));
      int seedPort = TestNodeConfig.freeTcpPort();
      TestNodeConfig first = null;
      for (int i = 1; i <= 3; i++) {
        Map<String, Object> m = new HashMap<>();
        m.put("akka.remote.artery.canonical.port", i == 1 ? seedPort : TestNodeConfig.freeTcpPort());
        m.put("akka.cluster.seed-nodes", List.of("akka://lars@127.0.0.1:" + seedPort));
        if (i == 2) {
          m.put("akka.coordinated-shutdown.run-by-actor-system-terminate", "off");
        }
        if (first != null) {
          m.put("lars.agent.dns.port", first.ports().dns());
          m.put("lars.agent.reporter.port", first.ports().reporter());
        }
        Config overrides = ConfigFactory.parseMap(m)
            .withFallback(TestDatabases.nodeConfig(db))
            .withFallback(ConfigFactory.parseString(CLUSTER_SETTINGS));
        TestNodeConfig conf = TestNodeConfig.create(overrides);
        Set<Role> roles = i == 1 ? EnumSet.of(Role.DNS, Role.REPORTER, Role.AGENT)
            : dnsEverywhere ? EnumSet.of(Role.DNS, Role.AGENT) : EnumSet.of(Role.AGENT);
        h.configs.add(conf);
        h.nodes.add(LarsNode.start(conf.config(), roles).toCompletableFuture().get(60, TimeUnit.SECONDS));
        if (first == null) {
          first = conf;
        }
      }
      h.await("three members Up", () -> upMembers(h.node(1).system()) == 3
          && upMembers(h.node(2).system()) == 3 && upMembers(h.node(3).system()) == 3);
      // Else the first shards may all go to the regions that registered first.
      h.await("three LoadBalance regions registered with the coordinator", () -> h.regions() == 3);
      return h;
    } catch (Exception | Error e) {
      h.close();
      throw e;
    }
  }

  private int regions() {
    ActorRef region = akka.cluster.sharding.ClusterSharding.get(Adapter.toClassic(node(1).system()))
        .shardRegion(LoadBalanceEntity.ENTITY_KEY.name());
    Object answer = Patterns.ask(region, ShardRegion.getCurrentRegionsInstance(), Duration.ofSeconds(3))
        .toCompletableFuture().join();
    return ((ShardRegion.CurrentRegions) answer).getRegions().size();
  }

  /**
   * @param n 1, 2 or 3
   * @param typeName a sharded entity type, e.g. {@code "Leases"}
   * @return the entity ids running in node {@code n}'s region of that type
   */
  public Set<String> entitiesOn(int n, String typeName) {
    ActorRef region = akka.cluster.sharding.ClusterSharding.get(Adapter.toClassic(node(n).system())).shardRegion(typeName);
    Object answer = Patterns.ask(region, ShardRegion.getShardRegionStateInstance(), Duration.ofSeconds(3))
        .toCompletableFuture().join();
    Set<String> ids = new java.util.TreeSet<>();
    ((ShardRegion.CurrentShardRegionState) answer).getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }

  /**
   * @param n 1, 2 or 3
   * @param index 0, 1 or 2
   * @return node {@code n}'s agent UDP port of that index
   */
  public int agentPort(int n, int index) {
    return configs.get(n - 1).ports().agent().get(index);
  }

  /**
   * @param n 1, 2 or 3
   * @return how many members node {@code n} sees
   */
  public int members(int n) {
    return (int) StreamSupport.stream(Cluster.get(node(n).system()).state().getMembers().spliterator(), false).count();
  }

  private static long upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false).filter(m -> m.status() == MemberStatus.up()).count();
  }

  /**
   * @param n 1, 2 or 3
   * @return that node
   */
  public LarsNode node(int n) {
    return nodes.get(n - 1);
  }

  /**
   * @param n 1, 2 or 3
   * @return the cluster address of that node
   */
  public Address address(int n) {
    return Cluster.get(node(n).system()).selfMember().address();
  }

  /**
   * A UDP client of node {@code n}'s agent, closed with the harness.
   *
   * @param n 1, 2 or 3
   * @return the client, in node 1's actor system
   */
  public LarsClient client(int n) {
    LarsClient client = LarsClient.create(node(1).system(),
        new ClientSettings("127.0.0.1", configs.get(n - 1).ports().agent(), Duration.ofMillis(1000)));
    clients.add(client);
    return client;
  }

  /**
   * Asks, through node {@code via}'s sharding, which node hosts a module's entity (starting it
   * if needed).
   *
   * @param via the node that asks
   * @param module the module
   * @return 1, 2 or 3
   */
  public int hostOf(int via, ModuleId module) {
    LoadBalanceEntity.Located answer = askEntity(via, module, LoadBalanceEntity.Locate::new);
    Address address = answer.entity().path().address();
    for (int n = 1; n <= 3; n++) {
      boolean local = n == via && !address.hasGlobalScope();
      if (local || address.equals(address(n))) {
        return n;
      }
    }
    throw new IllegalStateException("entity of " + module + " at unknown address " + address);
  }

  /**
   * @param via the node that asks
   * @param module the module
   * @return the module's load-balancing state, asked through node {@code via}'s sharding
   */
  public LoadBalance.Snapshot state(int via, ModuleId module) {
    return askEntity(via, module, LoadBalanceEntity.GetState::new).snapshot();
  }

  /**
   * Asks a module's entity through node {@code via}'s sharding. Delivery is at most once: while a
   * shard moves, a message routed to the dead node's region is lost. So each ask waits 3 s and is
   * repeated, as any client would, until {@link #WAIT} runs out.
   */
  private <T> T askEntity(int via, ModuleId module,
      akka.japi.function.Function<akka.actor.typed.ActorRef<T>, LoadBalanceEntity.Command> message) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        return sharding(via).entityRefFor(LoadBalanceEntity.ENTITY_KEY, module.entityId())
            .ask(message, Duration.ofSeconds(3)).toCompletableFuture().join();
      } catch (java.util.concurrent.CompletionException e) {
        if (!(e.getCause() instanceof java.util.concurrent.TimeoutException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /**
   * Stops node 2 without leaving the cluster, as if its process died.
   */
  public void crashNode2() {
    node(2).system().terminate();
  }

  /**
   * Waits until only nodes 1 and 3 are members, as node 1 sees it (node 2 downed and removed).
   *
   * @throws AssertionError if that does not happen within {@link #WAIT}
   */
  public void awaitNode2Removed() {
    Address gone = address(2);
    await("node 2 removed", () -> StreamSupport.stream(Cluster.get(node(1).system()).state().getMembers().spliterator(), false)
        .noneMatch(m -> m.address().equals(gone)));
  }

  /**
   * Waits until a condition holds ({@link Await#awaitTrue} on node 1, which no test crashes).
   *
   * @param what the condition, for the failure message
   * @param condition true when done
   * @throws AssertionError if it is not true within {@link #WAIT}
   */
  public void await(String what, BooleanSupplier condition) {
    Await.awaitTrue(node(1).system(), what, WAIT, condition);
  }

  private ClusterSharding sharding(int n) {
    return ClusterSharding.get(node(n).system());
  }

  /** Stops the clients and the nodes still running, then closes the database. */
  @Override
  public void close() {
    clients.forEach(LarsClient::close);
    for (int i = nodes.size() - 1; i >= 0; i--) {
      LarsNode node = nodes.get(i);
      if (!node.system().whenTerminated().isCompleted()) {
        node.stop().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
      }
      node.system().getWhenTerminated().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS)
          .exceptionally(e -> null).join();
    }
    database.close();
  }
}
