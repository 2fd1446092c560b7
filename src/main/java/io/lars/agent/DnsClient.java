package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.transport.LogThrottle;
import io.lars.transport.ReconnectingTcpClient;
import io.lars.transport.TransportStats;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The node's connection to the dns role (DESIGN.md "Agent views", clients): one per agent node,
 * wrapping a {@link ReconnectingTcpClient} that reconnects forever
 * (DESIGN.md "Defects of the reference", D8: the reference gave up after one failed reconnect).
 *
 * <p>{@link Pull} sends a {@code GetRouteRequest}; every {@code GetRouteResponse}, an answer or a
 * push, goes to the node's {@link NodeViews}. On every (re)connect it requests again every module
 * it was asked about and not told to {@link Forget}, so the dns subscribes this connection to them
 * again. Pulls while disconnected are only remembered: the reconnect requests them. A module is
 * forgotten when the node releases it or the dns does not know it, so the set stays bounded by
 * the modules the node serves (DESIGN.md "Robustness rules", H10).
 */
public final class DnsClient extends AbstractBehavior<DnsClient.Command> {

  /** Messages the client accepts; local to the node. */
  public interface Command {}

  /**
   * Requests the route of a module (reference: {@code load_balance::pull}).
   *
   * @param module the module
   */
  public record Pull(ModuleId module) implements Command {}

  /**
   * Stops remembering a module: it is not requested again on reconnect.
   *
   * @param module the module
   */
  public record Forget(ModuleId module) implements Command {}

  private record Up(InetSocketAddress remote) implements Command {}

  private record Down(String reason) implements Command {}

  private record FrameReceived(Frame frame) implements Command {}

  private final ActorRef<NodeViews.Command> views;
  private final ActorRef<ReconnectingTcpClient.Command> connection;
  private final Set<ModuleId> modules = new LinkedHashSet<>();
  private final LogThrottle badAnswerLog = new LogThrottle(java.time.Duration.ofSeconds(10));
  private boolean connected;

  /**
   * @param settings where the dns is and the reconnect backoff
   * @param views where routes go
   * @param stats the node's agent counters; the connection counts into {@link AgentStats#dnsClient()}
   * @return the behavior
   */
  public static Behavior<Command> create(AgentSettings settings, ActorRef<NodeViews.Command> views,
      AgentStats stats) {
    ReconnectingTcpClient.Settings tcp = new ReconnectingTcpClient.Settings(settings.dnsHost(), settings.dnsPort(),
        settings.reconnectMinBackoff(), settings.reconnectMaxBackoff(), 0.2, settings.maxPendingFrames(),
        settings.inJvmLinks());
    return Behaviors.setup(context -> new DnsClient(context, tcp, views, stats.dnsClient()));
  }

  private DnsClient(ActorContext<Command> context, ReconnectingTcpClient.Settings tcp,
      ActorRef<NodeViews.Command> views, TransportStats stats) {
    super(context);
    this.views = views;
    ActorRef<ReconnectingTcpClient.Event> events = context.messageAdapter(ReconnectingTcpClient.Event.class, DnsClient::adapt);
    this.connection = context.spawn(ReconnectingTcpClient.create(tcp, events, stats), "connection");
  }

  private static Command adapt(ReconnectingTcpClient.Event event) {
    if (event instanceof ReconnectingTcpClient.Received received) {
      return new FrameReceived(received.frame());
    } else if (event instanceof ReconnectingTcpClient.Connected up) {
      return new Up(up.remote());
    } else if (event instanceof ReconnectingTcpClient.Disconnected down) {
      return new Down(down.reason());
    }
    throw new IllegalArgumentException("unexpected connection event " + event);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Pull.class, this::onPull)
        .onMessage(Forget.class, forget -> {
          modules.remove(forget.module());
          return this;
        })
        .onMessage(FrameReceived.class, this::onFrameReceived)
        .onMessage(Up.class, this::onUp)
        .onMessage(Down.class, this::onDown)
        .build();
  }

  private Behavior<Command> onPull(Pull pull) {
    modules.add(pull.module());
    if (connected) {
      request(pull.module());
    }
    return this;
  }

  private Behavior<Command> onFrameReceived(FrameReceived received) {
    Frame frame = received.frame();
    if (frame.msgId() != MessageId.GET_ROUTE_RESPONSE.id()) {
      if (badAnswerLog.tryAcquire()) {
        getContext().getLog().warn("dns sent msgid {}, expected only GetRouteResponse (2); ignored{}", frame.msgId(),
            badAnswerLog.suppressedNote());
      }
      return this;
    }
    GetRouteResponse response;
    try {
      response = frame.decode(GetRouteResponse.class);
    } catch (FrameException e) {
      if (badAnswerLog.tryAcquire()) {
        getContext().getLog().warn("dns sent a bad GetRouteResponse, ignored: {}{}", e.getMessage(),
            badAnswerLog.suppressedNote());
      }
      return this;
    }
    List<Host> hosts = response.getHostList().stream().map(Host::of).toList();
    ModuleId module = new ModuleId(response.getModid(), response.getCmdid());
    views.tell(new NodeViews.DnsRoute(module, hosts, response.getDeliberate()));
    return this;
  }

  private Behavior<Command> onUp(Up up) {
    connected = true;
    getContext().getLog().info("connected to dns {}; requesting {} modules again", up.remote(), modules.size());
    for (ModuleId module : modules) {
      request(module);
    }
    return this;
  }

  private Behavior<Command> onDown(Down down) {
    if (connected) {
      getContext().getLog().warn("lost the dns connection: {}", down.reason());
    }
    connected = false;
    return this;
  }

  private void request(ModuleId module) {
    GetRouteRequest request = GetRouteRequest.newBuilder().setModid(module.modid()).setCmdid(module.cmdid()).build();
    connection.tell(new ReconnectingTcpClient.Send(Frame.of(MessageId.GET_ROUTE_REQUEST, request)));
  }
}
