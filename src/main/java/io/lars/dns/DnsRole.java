package io.lars.dns;

import akka.actor.typed.ActorRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.kernel.Listener;
import io.lars.kernel.Metrics;
import io.lars.kernel.NodeContext;
import io.lars.kernel.Role;
import io.lars.kernel.RoleStarter;
import io.lars.lease.LeaseBook;
import io.lars.lease.LeaseEntity;
import io.lars.lease.LeaseNode;
import io.lars.lease.LeaseStats;
import io.lars.lease.RegistryLink;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.transport.MessageRouter;
import io.lars.transport.TcpServer;
import io.lars.transport.TransportStats;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Starts the {@code dns} role on a node: the {@link Registry} ({@code dns-registry}), the
 * {@link Poller} ({@code dns-poller}, registered with the Receptionist under
 * {@link io.lars.kernel.RouteReload#SERVICE_KEY}) and the TCP listener on {@code lars.dns.bind}:{@code lars.dns.port}
 * that accepts only {@code GetRouteRequest} frames (any other msgid or a bad body closes the
 * connection).
 *
 * <p>The listener applies the limits of {@link TcpServer.Settings#fromConfig} read from
 * {@code lars.dns} (allow-list, connection limits, outgoing bytes); its idle timeout only closes
 * connections that have not sent one complete frame ({@link TcpServer.IdleRule#UNTIL_FIRST_FRAME}),
 * so subscribed agents, which then only listen, stay connected.
 *
 * <p>Issue 16: it also starts sharding of the {@link LeaseEntity} owners (on dns nodes) and
 * attaches the registry to the node's {@link LeaseBook}, so registered hosts join the routes served.
 *
 * <p>The listener is bound at once; requests that arrive before the first load finishes get an
 * empty route and are pushed the real one as soon as it is loaded.
 */
public final class DnsRole implements RoleStarter {

  /** Creates the starter; settings are read when the role starts. */
  public DnsRole() {}

  /**
   * @param context the node guardian's context
   * @param node the node; must have a database
   * @return completes with the dns TCP listener, or fails if the settings are wrong or the port
   *     cannot be bound
   */
  @Override
  public CompletionStage<List<Listener>> start(ActorContext<?> context, NodeContext node) {
    DnsSettings settings;
    try {
      settings = DnsSettings.fromConfig(node.config());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    RouteRepository repository = new JdbcRouteRepository(node.requireDatabase().dataSource());
    // Resume, not restart: a restarted registry would forget every live subscription and the table.
    ActorRef<Registry.Command> registry = context.spawn(
        Behaviors.supervise(Registry.create()).onFailure(SupervisorStrategy.resume()), "dns-registry");
    ActorRef<Poller.Command> poller = context.spawn(
        Behaviors.supervise(Poller.create(repository, node.jdbcExecutor(), settings.pollInterval(),
            settings.fullReloadInterval(), settings.maxShrinkFraction(), registry.narrow())).onFailure(SupervisorStrategy.restart()),
        "dns-poller");
    LeaseNode leases;
    try {
      leases = LeaseNode.get(node.system());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    ActorRef<RegistryLink.Message> leaseLink = context.spawn(Registry.leaseLink(registry), "dns-registry-leases");
    leases.book().tell(new LeaseBook.AttachRegistry(leaseLink));
    LeaseEntity.init(node.system(), new LeaseEntity.Dependencies(leases.settings(), leaseLink, leases));
    // the role's meters are registered once, when their holders are made
    DnsStats.get(node.system());
    LeaseStats.get(node.system());
    TransportStats transport = new TransportStats(Metrics.get(node.system()).registry(), "dns", true);
    return TcpServer.bind(node.system(), "dns", settings.listener(), router(registry), transport)
        .thenApply(server -> List.of(Listener.of(Role.DNS, "tcp", server.localAddress())));
  }

  /** The handlers only tell the registry; it and the subscribers do the rest. */
  private static MessageRouter router(ActorRef<Registry.Command> registry) {
    return MessageRouter.builder()
        .onConnect(connection -> registry.tell(new Registry.Connected(connection)))
        .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class, (connection, request) ->
            registry.tell(new Registry.Request(connection, new ModuleId(request.getModid(), request.getCmdid()))))
        .onClose(connection -> registry.tell(new Registry.Closed(connection)))
        .build();
  }
}
