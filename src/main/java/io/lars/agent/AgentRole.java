package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.lars.dns.LeaseEntity;
import io.lars.node.Listener;
import io.lars.node.Metrics;
import io.lars.node.NodeContext;
import io.lars.node.Role;
import io.lars.node.RoleStarter;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Starts the {@code agent} role on a node (DESIGN.md "Agent views"): the node's {@link NodeViews}
 * (with its dns client), the reporter client, sharding of the {@link LoadBalanceEntity}s, and one
 * {@link AgentPort} per UDP port of {@code lars.agent.ports}. Every port answers from the same node
 * views; the entities decide. A new incarnation of the node takes over the previous one's views
 * ({@link NodeViews#HAND_OVER}).
 */
public final class AgentRole implements RoleStarter {

  /** The dispatcher of the hot path: UDP port streams, node views and LoadBalance entities. */
  public static final String DISPATCHER = "lars-agent-dispatcher";

  /** The pinned dispatcher of the UDP port streams: one thread per port receives, answers and sends. */
  public static final String PORT_DISPATCHER = "lars-agent-port-dispatcher";

  /** Creates the starter; it reads its settings when started. */
  public AgentRole() {}

  /**
   * Starts the role.
   *
   * @param context the node guardian's context
   * @param node the node's configuration
   * @return one {@code udp} listener per port, in the order of {@code lars.agent.ports}; fails if
   *     the settings are invalid (naming the key) or a port cannot be bound
   */
  @Override
  public CompletionStage<List<Listener>> start(ActorContext<?> context, NodeContext node) {
    AgentSettings settings;
    try {
      settings = AgentSettings.fromConfig(node.config());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    AgentStats stats = AgentStats.get(node.system());
    registerMetrics(Metrics.get(node.system()), stats);
    stats.modules().register(settings.metricsMaxModules());
    ClusterSharding sharding = ClusterSharding.get(node.system());
    Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities =
        module -> sharding.entityRefFor(LoadBalanceEntity.ENTITY_KEY, module.entityId());

    // A client that fails (e.g. on a frame it cannot build) restarts instead of staying dead
    // (DESIGN.md "Robustness rules", H6).
    ActorRef<ReporterClient.Command> reporter = context.spawn(
        Behaviors.supervise(ReporterClient.create(settings, stats)).onFailure(SupervisorStrategy.restart()),
        "agent-reporter-client");
    // The agent's UDP endpoint reaches the lease owners (DESIGN.md "Self-registration") through
    // sharding.
    LeaseEntity.initProxy(node.system(), node.roles().contains(Role.DNS));
    LoadBalanceEntity.init(node.system(), new LoadBalanceEntity.Dependencies(settings.loadBalance(),
        settings.callerIp(), settings.passivateAfter(), reporter));
    ActorRef<NodeViews.Command> views = context.spawn(NodeViews.create(settings, entities, stats), "agent-views",
        DispatcherSelector.fromConfig(DISPATCHER));
    // A new incarnation of this node (LarsNode, agent rejoin) serves the old one's views at once.
    node.handOver().swap(NodeViews.HAND_OVER, views)
        .ifPresent(previous -> previous.tell(new NodeViews.HandOverTo(views)));

    List<CompletableFuture<InetSocketAddress>> bound = new ArrayList<>();
    for (int i = 0; i < settings.ports().size(); i++) {
      CompletableFuture<InetSocketAddress> address = new CompletableFuture<>();
      bound.add(address);
      InetSocketAddress bind = new InetSocketAddress(settings.bind(), settings.ports().get(i));
      context.spawn(AgentPort.create(settings, bind, address, views, entities, stats), "agent-udp-" + i,
          DispatcherSelector.fromConfig(DISPATCHER));
    }
    // every future is complete once allOf is: getNow never waits
    return CompletableFuture.allOf(bound.toArray(CompletableFuture[]::new))
        .thenApply(done -> bound.stream().map(b -> Listener.of(Role.AGENT, "udp", b.getNow(null))).toList());
  }

  private static void registerMetrics(Metrics metrics, AgentStats stats) {
    metrics.registerTransport("agent-udp", stats.udp());
    metrics.registerTransport("agent-dns-client", stats.dnsClient());
    metrics.registerTransport("agent-reporter-client", stats.reporterClient());
    for (RetCode code : RetCode.values()) {
      metrics.counter("lars.agent.get.host", "GetHostResponses sent, by return code", stats,
          s -> s.getHostAnswers(code), "retcode", code.name());
    }
    metrics.counter("lars.agent.reports", "ReportRequests received", stats, AgentStats::reportRequests);
    metrics.counter("lars.agent.get.route", "API GetRouteRequests received", stats, AgentStats::getRouteRequests);
    metrics.counter("lars.agent.timeouts", "requests answered SYSTEM_ERROR after waiting ask-timeout for a view",
        stats, AgentStats::timeouts);
    metrics.counter("lars.agent.host.transitions", "host transitions", stats, AgentStats::transitionsToOverload,
        "to", "overload");
    metrics.counter("lars.agent.host.transitions", "host transitions", stats, AgentStats::transitionsToIdle,
        "to", "idle");
    metrics.counter("lars.agent.statistics.sent", "ReportStatusRequests sent to the reporter", stats,
        AgentStats::statisticsSent);
    metrics.counter("lars.agent.statistics.dropped", "ReportStatusRequests dropped (reporter down or unbuildable)",
        stats, AgentStats::statisticsDropped);
    metrics.counter("lars.agent.waiting.rejected",
        "requests answered SYSTEM_ERROR at once because max-waiting-requests wait already", stats,
        AgentStats::waitingRejected);
    metrics.counter("lars.agent.reports.dropped", "reports dropped (no view on this node, or buffer full)", stats,
        AgentStats::reportsDropped);
    metrics.counter("lars.agent.report.batches", "report batches sent to LoadBalance entities", stats,
        AgentStats::reportBatchesSent);
    metrics.counter("lars.agent.routes.truncated", "GetRoute answers cut to fit one datagram", stats,
        AgentStats::routesTruncated);
    metrics.counter("lars.agent.record.retries", "journal recoveries again after a failed read or write", stats,
        AgentStats::recordRetries);
    metrics.counter("lars.agent.port.restarts", "agent UDP ports bound again after their stream stopped", stats,
        AgentStats::portRestarts);
    metrics.counter("lars.agent.negative.hits", "requests answered NOEXIST from the negative cache", stats,
        AgentStats::negativeHits);
    metrics.counter("lars.agent.pulls.refused",
        "requests for new modules answered NOEXIST beyond max-new-pulls-per-second", stats, AgentStats::pullsRefused);
    metrics.counter("lars.agent.handler.errors", "datagrams whose handling failed unexpectedly (dropped)", stats,
        AgentStats::handlerErrors);
    metrics.counter("lars.agent.empty.routes.refused", "empty dns routes without the deliberate flag not applied",
        stats, AgentStats::emptyRoutesRefused);
    metrics.counter("lars.agent.lease.requests", "lease requests (ids 9, 11, 13) received", stats,
        AgentStats::leaseRequests);
    metrics.gauge("lars.agent.views", "module views this node serves", stats, AgentStats::views);
    metrics.gauge("lars.agent.views.stale", "module views not confirmed by their entity for stale-after", stats,
        AgentStats::staleViews);
    metrics.gauge("lars.agent.ports.down", "agent UDP ports not bound", stats, AgentStats::portsDown);
  }
}
