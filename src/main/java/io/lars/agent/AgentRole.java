package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.lars.kernel.Listener;
import io.lars.kernel.NodeContext;
import io.lars.kernel.Role;
import io.lars.kernel.RoleStarter;
import io.lars.lease.LeaseEntity;
import io.lars.protocol.ModuleId;
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

  /** The dispatcher of the LoadBalance entities and the agent port actors. */
  public static final String DISPATCHER = "lars-agent-dispatcher";

  /** The pinned dispatcher of the UDP port streams: one thread per port receives, answers and sends. */
  public static final String PORT_DISPATCHER = "lars-agent-port-dispatcher";

  /**
   * The dispatcher of the node's views and its dns client: a thread each (pinned), so that a first
   * get_host's pull never queues behind the LoadBalance entities' work on {@link #DISPATCHER}.
   */
  public static final String VIEWS_DISPATCHER = "lars-agent-views-dispatcher";

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
    // A thread of its own: on the entities' dispatcher a first pull waited behind entity starts.
    ActorRef<NodeViews.Command> views = context.spawn(NodeViews.create(settings, entities, stats), "agent-views",
        DispatcherSelector.fromConfig(VIEWS_DISPATCHER));
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
}
