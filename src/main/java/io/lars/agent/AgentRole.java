package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
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
 * Starts the {@code agent} role on a node (SPEC 7): the dns and reporter clients, sharding of the
 * LoadBalance entities, and one {@link AgentEndpoint} per UDP port of {@code lars.agent.ports}.
 * All ports reach the same sharded entities.
 */
public final class AgentRole implements RoleStarter {

  /** The dispatcher of the hot path: UDP sockets, endpoints and LoadBalance entities. */
  public static final String DISPATCHER = "lars-agent-dispatcher";

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
    ClusterSharding sharding = ClusterSharding.get(node.system());
    Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities =
        module -> sharding.entityRefFor(LoadBalanceEntity.ENTITY_KEY, module.entityId());

    ActorRef<DnsClient.Command> dns = context.spawn(DnsClient.create(settings, entities, stats), "agent-dns-client");
    ActorRef<ReporterClient.Command> reporter = context.spawn(ReporterClient.create(settings, stats),
        "agent-reporter-client");
    LoadBalanceEntity.init(node.system(), new LoadBalanceEntity.Dependencies(settings.loadBalance(),
        settings.callerIp(), settings.passivateAfter(), dns, reporter));

    List<CompletableFuture<InetSocketAddress>> bound = new ArrayList<>();
    for (int i = 0; i < settings.ports().size(); i++) {
      CompletableFuture<InetSocketAddress> address = new CompletableFuture<>();
      bound.add(address);
      InetSocketAddress bind = new InetSocketAddress(settings.bind(), settings.ports().get(i));
      context.spawn(AgentEndpoint.create(bind, address, entities, settings.askTimeout(), stats), "agent-udp-" + i,
          DispatcherSelector.fromConfig(DISPATCHER));
    }
    return CompletableFuture.allOf(bound.toArray(CompletableFuture[]::new))
        .thenApply(done -> bound.stream().map(b -> Listener.of(Role.AGENT, "udp", b.join())).toList());
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
    metrics.counter("lars.agent.timeouts", "requests answered SYSTEM_ERROR after the ask timeout", stats,
        AgentStats::timeouts);
    metrics.counter("lars.agent.host.transitions", "host transitions", stats, AgentStats::transitionsToOverload,
        "to", "overload");
    metrics.counter("lars.agent.host.transitions", "host transitions", stats, AgentStats::transitionsToIdle,
        "to", "idle");
    metrics.counter("lars.agent.statistics.sent", "ReportStatusRequests sent to the reporter", stats,
        AgentStats::statisticsSent);
    metrics.counter("lars.agent.statistics.dropped", "ReportStatusRequests dropped while the reporter was down",
        stats, AgentStats::statisticsDropped);
  }
}
