package io.lars.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * A running Lars node: one actor system (cluster member {@code lars}) running a set of roles.
 *
 * <p>{@link #start} opens and migrates the database (when a role needs one), starts the actor
 * system with the roles as cluster roles, and completes once every listener is bound. With an
 * empty {@code akka.cluster.seed-nodes} (and {@code lars.cluster.bootstrap} off) the node forms a
 * cluster of its own; such a node first claims the database for its cluster and refuses to start
 * while another cluster uses it ({@link IncarnationGuard}). The persistence plugins use the node's
 * database ({@link #persistenceConfig}).
 */
public final class LarsNode {

  private final ActorSystem<Void> system;
  private final List<Listener> listeners;
  private final Optional<Database> database;

  private LarsNode(ActorSystem<Void> system, List<Listener> listeners, Optional<Database> database) {
    this.system = system;
    this.listeners = listeners;
    this.database = database;
  }

  /**
   * Starts a node.
   *
   * @param config the resolved configuration (see {@link LarsConfig#load})
   * @param roles the roles to run, not empty
   * @return completes when all listeners are bound; fails (after stopping what was started) if
   *     the database cannot be migrated, another cluster holds it ({@link IncarnationGuard}), or a
   *     listener cannot bind
   */
  public static CompletionStage<LarsNode> start(Config config, Set<Role> roles) {
    Optional<Database> database;
    try {
      database = needsDatabase(roles) ? Optional.of(Database.open(DbSettings.fromConfig(config))) : Optional.empty();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Optional<IncarnationGuard> incarnation;
    try {
      incarnation = database.flatMap(db -> IncarnationGuard.claimAtStart(config, db, Clock.systemUTC()));
    } catch (RuntimeException e) {
      database.get().close();
      return CompletableFuture.failedFuture(e);
    }
    List<String> clusterRoles = roles.stream().map(Role::roleName).sorted().collect(Collectors.toList());
    Config withRoles = ConfigFactory.empty()
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(clusterRoles))
        .withFallback(database.map(db -> persistenceConfig(db.settings())).orElse(ConfigFactory.empty()))
        .withFallback(config);
    CompletableFuture<List<Listener>> ready = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(NodeGuardian.create(withRoles, roles, database, ready), "lars", withRoles);
    incarnation.ifPresent(guard -> guard.start(system));
    joinCluster(system, withRoles);
    database.ifPresent(db -> system.getWhenTerminated().thenRun(db::close));
    return ready.handle((listeners, failure) -> {
      if (failure != null) {
        system.terminate();
        throw new CompletionException(failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure);
      }
      return new LarsNode(system, listeners, database);
    });
  }

  /**
   * Joins the cluster (DESIGN.md "Cluster"): through Cluster Bootstrap when
   * {@code lars.cluster.bootstrap} is on (peers found by Akka Discovery, contacted on their
   * management port); through {@code akka.cluster.seed-nodes}, which Akka does by itself, when they
   * are set; else the node joins itself and forms a cluster of its own.
   */
  private static void joinCluster(ActorSystem<Void> system, Config config) {
    if (config.getBoolean("lars.cluster.bootstrap")) {
      ClusterBootstrap.get(system).start();
    } else if (config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
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

  /** @return the node's actor system */
  public ActorSystem<Void> system() {
    return system;
  }

  /** @return every bound listener, management included */
  public List<Listener> listeners() {
    return listeners;
  }

  /** @return the node's database, when one of its roles needed it */
  public Optional<Database> database() {
    return database;
  }

  /**
   * Finds a bound listener.
   *
   * @param owner role name or {@code management}
   * @param protocol {@code tcp}, {@code udp} or {@code http}
   * @return the listeners of that owner and protocol, in bind order
   */
  public List<Listener> listeners(String owner, String protocol) {
    return listeners.stream().filter(l -> l.owner().equals(owner) && l.protocol().equals(protocol)).toList();
  }

  /**
   * @return the line printed when the node is ready:
   *     {@code lars node ready roles=... listeners... cluster=akka://lars@host:port}
   */
  public String readyLine() {
    String roles = system.settings().config().getStringList("akka.cluster.roles").stream().collect(Collectors.joining(","));
    return "lars node ready roles=" + roles + " "
        + listeners.stream().map(Listener::toString).collect(Collectors.joining(" "))
        + " cluster=" + Cluster.get(system).selfMember().address();
  }

  /**
   * @return completes when the node's actor system has terminated, with why it ended (the exit
   *     code of {@code lars node})
   */
  public CompletionStage<NodeExit> whenTerminated() {
    return system.getWhenTerminated().thenApply(terminated -> NodeExit.of(this));
  }

  /**
   * Stops the node through coordinated shutdown: listeners unbind first, then the node leaves the
   * cluster; the database closes when the system has terminated. The stop counts as requested
   * ({@link NodeExit#REQUESTED}, exit 0).
   *
   * @return completes when the actor system has terminated
   */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(NodeExit.STOP_REQUESTED)
        .thenCompose(done -> system.getWhenTerminated());
  }
}
