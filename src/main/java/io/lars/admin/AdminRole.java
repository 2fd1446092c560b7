package io.lars.admin;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.ActorContext;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import io.lars.db.AuditRepository;
import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.Database;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.ModuleTrafficQuery;
import io.lars.db.NameRepository;
import io.lars.db.RouteChangeLog;
import io.lars.kernel.Listener;
import io.lars.kernel.Metrics;
import io.lars.kernel.NodeContext;
import io.lars.kernel.Role;
import io.lars.kernel.RoleStarter;
import io.lars.kernel.RouteReloadNotifier;
import io.lars.lease.LeaseEntity;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the {@code admin} role: the HTTP server of {@link AdminApi} on
 * {@code lars.admin.bind}:{@code lars.admin.port}, unbound by coordinated shutdown.
 */
public final class AdminRole implements RoleStarter {

  private static final Logger log = LoggerFactory.getLogger(AdminRole.class);
  private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(5);

  private final Predicate<InetAddress> trustedReader;

  /** The role as the node runs it: loopback peers may read without the token. */
  public AdminRole() {
    this(InetAddress::isLoopbackAddress);
  }

  /** @param trustedReader which peer addresses may read without the token (tests narrow it) */
  public AdminRole(Predicate<InetAddress> trustedReader) {
    this.trustedReader = trustedReader;
  }

  /**
   * Resolves the token (generating it at first start), binds the server and returns its listener.
   *
   * @param context the guardian's context
   * @param node the node; must have a database
   * @return completes with the {@code http} listener; fails if the settings are wrong, the token
   *     file cannot be read or written, or the port cannot be bound
   */
  @Override
  public CompletionStage<List<Listener>> start(ActorContext<?> context, NodeContext node) {
    AdminSettings settings;
    AdminToken token;
    LeaseAccess leases;
    try {
      settings = AdminSettings.fromConfig(node.config());
      token = AdminToken.resolve(settings.token(), settings.dataDir());
      // The admin reaches the lease owners (DESIGN.md "Self-registration") through sharding.
      LeaseEntity.initProxy(node.system(), node.roles().contains(Role.DNS));
      leases = new ClusterLeaseAccess(node.system());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    ActorSystem<?> system = node.system();
    Database db = node.requireDatabase();
    ActorRef<RouteReloadNotifier.Command> notifier = context.spawn(RouteReloadNotifier.create(), "admin-dns-notifier");
    Clock clock = Clock.systemUTC();
    AdminApi api = new AdminApi(new AdminApi.Dependencies(
        new JdbcRouteRepository(db.dataSource(), clock, settings.tokenName()),
        new NameRepository(db.dataSource()), new RouteChangeLog(db.dataSource()), new AuditRepository(db.dataSource()),
        new CallStatusRepository(db.dataSource()), new CallHistoryRepository(db.dataSource()),
        new ModuleTrafficQuery(db.dataSource()), new ShardedLoadBalanceView(system, settings.askTimeout()),
        new AkkaClusterStateView(system, settings.askTimeout()), leases,
        () -> notifier.tell(new RouteReloadNotifier.RoutesChanged()), node.jdbcExecutor(), token, trustedReader,
        Metrics.get(system), settings, clock));
    return Http.get(system).newServerAt(settings.bind(), settings.port()).bind(api.route())
        .thenApply(binding -> bound(binding, system));
  }

  private static List<Listener> bound(ServerBinding binding, ActorSystem<?> system) {
    binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system);
    log.info("admin listening on http://{}:{}/", binding.localAddress().getHostString(), binding.localAddress().getPort());
    return List.of(Listener.of(Role.ADMIN, "http", binding.localAddress()));
  }
}
