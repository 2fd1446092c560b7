package io.lars.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.SelfRemoved;
import akka.cluster.typed.Subscribe;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.lars.Futures;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.kernel.HandOver;
import io.lars.kernel.Listener;
import io.lars.kernel.Metrics;
import io.lars.kernel.Role;
import io.micrometer.core.instrument.FunctionCounter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Lars node: one actor system (cluster member {@code lars}) running a set of roles.
 *
 * <p>{@link #start} opens and migrates the database (when a role needs one), starts the actor
 * system with the roles as cluster roles, and completes once every listener is bound. With an
 * empty {@code akka.cluster.seed-nodes} (and {@code lars.cluster.bootstrap} off) the node forms a
 * cluster of its own; such a node first claims the database for its cluster and refuses to start
 * while another cluster uses it ({@link IncarnationGuard}). The persistence plugins use the node's
 * database ({@link #persistenceConfig}).
 *
 * <p>Agent rejoin ({@code lars.cluster.agent-rejoin}; DESIGN.md "Robustness rules", H12): a node
 * whose only role is {@code agent} and that joins others runs with
 * {@code run-coordinated-shutdown-when-down = off} and its UDP ports bound with {@code SO_REUSEPORT}. When the cluster removes it (downed by the
 * split-brain resolver or an operator), its actor system stays up and its ports keep answering from
 * the node's views, while the node starts a new incarnation of its actor system in this process:
 * management stopped on the old one first (same port), remoting on a free port (the old one holds
 * its own), the views handed over ({@link HandOver}), the same UDP ports bound alongside, then the
 * old system is shut down. The new one joins the seeds, retrying until they answer. Each episode
 * logs one WARN and counts in {@code lars.node.rejoins}. {@link #system()} and the other accessors
 * always give the current incarnation; {@link #whenTerminated()} completes when the last one ends.
 */
public final class LarsNode {

  private static final Logger LOG = LoggerFactory.getLogger(LarsNode.class);

  /** The coordinated-shutdown reason of an incarnation that a newer one replaced. */
  private static final CoordinatedShutdown.Reason REPLACED = new CoordinatedShutdown.Reason() {
    @Override
    public String toString() {
      return "ReplacedByNewIncarnation";
    }
  };

  /** One actor system of the node, with what it started. */
  private record Incarnation(ActorSystem<Void> system, List<Listener> listeners, Optional<Database> database) {}

  private final Config config;
  private final Set<Role> roles;
  private final HandOver handOver;
  private final boolean rejoin;
  private final Duration retryInterval;
  /** The running incarnation; replaced (not mutated) by a rejoin, read from any thread. */
  private volatile Incarnation current;
  private final CompletableFuture<NodeExit> ended = new CompletableFuture<>();
  private final AtomicLong rejoins = new AtomicLong();
  private volatile boolean stopping;

  private LarsNode(Config config, Set<Role> roles, HandOver handOver, ClusterSettings cluster, Incarnation first) {
    this.config = config;
    this.roles = roles;
    this.handOver = handOver;
    this.rejoin = cluster.rejoinApplies(roles);
    this.retryInterval = cluster.agentRejoinRetryInterval();
    this.current = first;
  }

  /**
   * Starts a node.
   *
   * @param config the resolved configuration (see {@link LarsConfig#load})
   * @param roles the roles to run, not empty
   * @return completes when all listeners are bound; fails (after stopping what was started) if
   *     the settings are wrong ({@link ClusterSettings}), the database cannot be migrated, another
   *     cluster holds it ({@link IncarnationGuard}), or a listener cannot bind
   */
  public static CompletionStage<LarsNode> start(Config config, Set<Role> roles) {
    ClusterSettings cluster;
    try {
      cluster = ClusterSettings.fromConfig(config);
      // Akka Management reads it only when its checks are made: a wrong value fails the start here
      HealthSettings.fromConfig(config);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    Config effective = cluster.rejoinApplies(roles) ? ConfigFactory.parseMap(Map.of(
        "akka.cluster.run-coordinated-shutdown-when-down", "off",
        "lars.agent.reuse-port", "on",
        // two incarnations overlap in one JVM during the hand-over
        "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on")).withFallback(config) : config;
    HandOver handOver = new HandOver();
    return startIncarnation(effective, roles, handOver).thenApply(first -> {
      LarsNode node = new LarsNode(effective, roles, handOver, cluster, first);
      node.watch(first);
      return node;
    });
  }

  private static CompletionStage<Incarnation> startIncarnation(Config config, Set<Role> roles, HandOver handOver) {
    ClusterSettings cluster;
    Optional<Database> database;
    try {
      // read again: a later incarnation runs on another remoting port
      cluster = ClusterSettings.fromConfig(config);
      database = needsDatabase(roles) ? Optional.of(Database.open(DbSettings.fromConfig(config))) : Optional.empty();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Optional<IncarnationGuard> incarnation;
    try {
      incarnation = database.flatMap(db -> IncarnationGuard.claimAtStart(cluster, db, Clock.systemUTC()));
    } catch (RuntimeException e) {
      database.ifPresent(Database::close);
      return CompletableFuture.failedFuture(e);
    }
    List<String> clusterRoles = roles.stream().map(Role::roleName).sorted().collect(Collectors.toList());
    Config withRoles = ConfigFactory.empty()
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(clusterRoles))
        .withFallback(database.map(db -> persistenceConfig(db.settings())).orElse(ConfigFactory.empty()))
        .withFallback(config);
    CompletableFuture<List<Listener>> ready = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(NodeGuardian.create(withRoles, roles, database, handOver, ready),
        "lars", withRoles);
    incarnation.ifPresent(guard -> guard.start(system));
    joinCluster(system, cluster.joinBy());
    database.ifPresent(db -> system.getWhenTerminated().thenRun(db::close));
    return ready.handle((listeners, failure) -> {
      if (failure != null) {
        system.terminate();
        throw new CompletionException(Futures.unwrap(failure));
      }
      return new Incarnation(system, listeners, database);
    });
  }

  /** Ends the node with the current incarnation; with rejoin, replaces an incarnation the cluster removed. */
  private void watch(Incarnation incarnation) {
    // a function counter: the count spans incarnations, each with a registry of its own
    FunctionCounter.builder("lars.node.rejoins", rejoins, AtomicLong::get)
        .description("times this agent-only node was removed from the cluster and started a new incarnation")
        .register(Metrics.get(incarnation.system()).registry());
    incarnation.system().getWhenTerminated().thenRun(() -> {
      if (current == incarnation) {
        ended.complete(NodeExit.of(CoordinatedShutdown.get(incarnation.system()).getShutdownReason()));
      }
    });
    if (rejoin) {
      ActorRef<SelfRemoved> watcher = incarnation.system().systemActorOf(Behaviors.receive(SelfRemoved.class)
          .onMessage(SelfRemoved.class, removed -> {
            onRemoved(incarnation, removed.previousStatus());
            return Behaviors.stopped();
          }).build(), "lars-agent-rejoin", Props.empty());
      Cluster.get(incarnation.system()).subscriptions().tell(Subscribe.create(watcher, SelfRemoved.class));
    }
  }

  /**
   * The cluster removed this node. Only a node that was downed starts a new incarnation: a
   * coordinated shutdown in progress (a requested stop, leaving) ends it as before, and so does an
   * actor system that terminates by itself (its member was still Up).
   */
  private void onRemoved(Incarnation removed, MemberStatus previousStatus) {
    if (stopping || current != removed || previousStatus != MemberStatus.down()
        || CoordinatedShutdown.get(removed.system()).getShutdownReason().isPresent()) {
      return;
    }
    long episode = rejoins.incrementAndGet();
    LOG.warn("lars node: this agent-only node ({}) was removed from the cluster (downed by the split-brain resolver "
            + "or an operator); its UDP ports keep serving from its views while a new incarnation of its actor "
            + "system starts and joins the seeds again (episode {}, lars.node.rejoins)",
        removed.listeners().stream().filter(l -> l.protocol().equals("udp")).map(Listener::toString)
            .collect(Collectors.joining(" ")), episode);
    replace(removed);
  }

  /**
   * Starts the next incarnation beside {@code old} and then shuts {@code old} down; on a failure
   * {@code old} keeps serving and the start is tried again after {@code retry-interval}.
   */
  private void replace(Incarnation old) {
    Config next = ConfigFactory.parseMap(Map.of(
            // the old incarnation still holds the configured remoting port
            "akka.remote.artery.canonical.port", 0,
            // the seeds may be down for long (that is often why this node was downed): keep trying
            "akka.cluster.shutdown-after-unsuccessful-join-seed-nodes", "off"))
        .withFallback(config);
    AkkaManagement.get(old.system()).stop()
        .exceptionally(notRunning -> Done.getInstance())
        .thenCompose(stopped -> startIncarnation(next, roles, handOver))
        .whenComplete((fresh, failure) -> {
          if (failure != null) {
            Throwable cause = Futures.unwrap(failure);
            LOG.warn("lars node: the new incarnation did not start ({}); the old one keeps serving, trying again in {}",
                cause.getMessage(), retryInterval);
            if (!stopping) {
              old.system().scheduler().scheduleOnce(retryInterval, () -> replace(old), old.system().executionContext());
            }
            return;
          }
          current = fresh;
          watch(fresh);
          LOG.info("lars node: new incarnation {} serving {}; joining the cluster",
              Cluster.get(fresh.system()).selfMember().address(),
              fresh.listeners().stream().map(Listener::toString).collect(Collectors.joining(" ")));
          CoordinatedShutdown.get(old.system()).runAll(REPLACED);
          if (stopping) {
            CoordinatedShutdown.get(fresh.system()).runAll(NodeExit.STOP_REQUESTED);
          }
        });
  }

  /**
   * Joins the cluster (DESIGN.md "Cluster"): through Cluster Bootstrap when
   * {@code lars.cluster.bootstrap} is on (peers found by Akka Discovery, contacted on their
   * management port); through {@code akka.cluster.seed-nodes}, which Akka does by itself, when they
   * are set; else the node joins itself and forms a cluster of its own.
   */
  private static void joinCluster(ActorSystem<Void> system, ClusterSettings.Join join) {
    switch (join) {
      case BOOTSTRAP -> ClusterBootstrap.get(system).start();
      case SELF -> {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      case SEED_NODES -> { } // Akka joins the configured seeds by itself
    }
  }

  /**
   * The akka-persistence-jdbc database (journal, snapshots, remember-entities) pointed at the
   * node's own database: same URL and credentials, the Slick profile and driver of its vendor.
   * Set here rather than by substitution in {@code lars-persistence.conf}, so it holds however the
   * configuration was assembled. For an in-memory H2 URL both pools share one database as long as
   * the URL keeps it open ({@code DB_CLOSE_DELAY=-1}).
   *
   * @param db the node's database settings
   * @return the {@code akka-persistence-jdbc.shared-databases.default} keys to lay over the config
   */
  public static Config persistenceConfig(DbSettings db) {
    String prefix = "akka-persistence-jdbc.shared-databases.default.";
    return ConfigFactory.empty()
        .withValue(prefix + "profile", ConfigValueFactory.fromAnyRef(
            db.isH2() ? "slick.jdbc.H2Profile$" : "slick.jdbc.MySQLProfile$"))
        .withValue(prefix + "db.driver", ConfigValueFactory.fromAnyRef(
            db.isH2() ? "org.h2.Driver" : "com.mysql.cj.jdbc.Driver"))
        .withValue(prefix + "db.url", ConfigValueFactory.fromAnyRef(db.url()))
        .withValue(prefix + "db.user", ConfigValueFactory.fromAnyRef(db.user()))
        .withValue(prefix + "db.password", ConfigValueFactory.fromAnyRef(db.password()));
  }

  private static boolean needsDatabase(Set<Role> roles) {
    return roles.contains(Role.DNS) || roles.contains(Role.REPORTER) || roles.contains(Role.ADMIN)
        || roles.contains(Role.AGENT);
  }

  /** @return the actor system of the node's current incarnation */
  public ActorSystem<Void> system() {
    return current.system();
  }

  /** @return every bound listener of the current incarnation, management included */
  public List<Listener> listeners() {
    return current.listeners();
  }

  /** @return the current incarnation's database, when one of its roles needed it */
  public Optional<Database> database() {
    return current.database();
  }

  /** @return how many times this node was removed from the cluster and started a new incarnation */
  public long rejoins() {
    return rejoins.longValue();
  }

  /**
   * Finds a bound listener.
   *
   * @param owner role name or {@code management}
   * @param protocol {@code tcp}, {@code udp} or {@code http}
   * @return the listeners of that owner and protocol, in bind order
   */
  public List<Listener> listeners(String owner, String protocol) {
    return listeners().stream().filter(l -> l.owner().equals(owner) && l.protocol().equals(protocol)).toList();
  }

  /**
   * @return the line printed when the node is ready:
   *     {@code lars node ready roles=... listeners... cluster=akka://lars@host:port}
   */
  public String readyLine() {
    ActorSystem<Void> system = system();
    String roleNames = system.settings().config().getStringList("akka.cluster.roles").stream()
        .collect(Collectors.joining(","));
    return "lars node ready roles=" + roleNames + " "
        + listeners().stream().map(Listener::toString).collect(Collectors.joining(" "))
        + " cluster=" + Cluster.get(system).selfMember().address();
  }

  /**
   * @return completes when the node's last incarnation has terminated, with why it ended (the
   *     exit code of {@code lars node}); an incarnation replaced by a newer one does not end the node
   */
  public CompletionStage<NodeExit> whenTerminated() {
    return ended.minimalCompletionStage();
  }

  /**
   * Stops the node through coordinated shutdown: listeners unbind first, then the node leaves the
   * cluster; the database closes when the system has terminated. The stop counts as requested
   * ({@link NodeExit#REQUESTED}, exit 0).
   *
   * @return completes when the actor system has terminated
   */
  public CompletionStage<Done> stop() {
    stopping = true;
    ActorSystem<Void> system = system();
    return CoordinatedShutdown.get(system).runAll(NodeExit.STOP_REQUESTED)
        .thenCompose(done -> system.getWhenTerminated());
  }
}
