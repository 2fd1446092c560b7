package io.lars.agent;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.ReportRequest;
import io.lars.transport.UdpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One UDP port of the agent's client API (SPEC 7.1): owns a {@link UdpServer} and turns its
 * datagrams into messages to the LoadBalance entities, and their answers into reply datagrams.
 *
 * <ul>
 *   <li>id 4 {@code GetHostRequest}: {@link LoadBalanceEntity.GetHost}, answered with id 5
 *       {@code GetHostResponse} echoing seq, modid and cmdid.
 *   <li>id 6 {@code ReportRequest}: {@link LoadBalanceEntity.Report}, no answer.
 *   <li>id 7 API {@code GetRouteRequest}: {@link LoadBalanceEntity.GetRoute}, answered with id 8
 *       {@code GetRouteResponse} holding every host.
 *   <li>Any other id or a body that does not parse: dropped and counted
 *       ({@link AgentStats#droppedDatagrams()}). Datagrams that are not one valid frame never
 *       get here; the UDP server drops and counts them.
 * </ul>
 *
 * <p>Requests go to a module's entity through its shard region until the entity has answered
 * once; from then on straight to the entity, which the endpoint watches, so two of the four hops
 * of the sharding path are saved. A request sent just as the entity passivates or moves is lost
 * and answered SYSTEM_ERROR by the sweep below; the next one goes through the region again.
 *
 * <p>Instead of one ask (a temporary actor and a scheduled timeout) per request, the endpoint
 * keeps a table of outstanding requests keyed by a request id the entities echo, in arrival
 * order, and sweeps it a few times per ask timeout: a request not answered within
 * {@code ask-timeout} gets SYSTEM_ERROR (a route request: an empty route), never silence. A late
 * answer is dropped.
 */
public final class AgentEndpoint extends AbstractBehavior<AgentEndpoint.Command> {

  /** Messages the endpoint accepts; all internal. */
  public interface Command {}

  private record DatagramReceived(UdpServer.Datagram datagram) implements Command {}

  private record HostAnswered(LoadBalanceEntity.HostAnswer answer) implements Command {}

  private record RouteAnswered(LoadBalanceEntity.RouteAnswer answer) implements Command {}

  private enum Sweep implements Command { INSTANCE }

  private record EntityStopped(ModuleId module, ActorRef<LoadBalanceEntity.Command> entity) implements Command {}

  /** A request waiting for its entity: who asked, and what to echo. */
  private record Pending(InetSocketAddress sender, int seq, ModuleId module, long deadlineNanos, boolean route) {}

  private final Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities;
  private final AgentStats stats;
  private final long askTimeoutNanos;
  private final ActorRef<UdpServer.Command> server;
  private final ActorRef<LoadBalanceEntity.HostAnswer> hostAnswers;
  private final ActorRef<LoadBalanceEntity.RouteAnswer> routeAnswers;
  /** Entities that answered, addressed directly to skip the shard region and shard hops; watched. */
  private final Map<ModuleId, ActorRef<LoadBalanceEntity.Command>> direct = new HashMap<>();
  /** Outstanding requests in arrival order, hence in deadline order. */
  private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
  private long nextRequestId;

  /**
   * @param bind the address and port to bind (port 0: any free port)
   * @param bound completed with the bound address, or failed if the port cannot be bound
   * @param entities the LoadBalance entity of a module (production: {@code ClusterSharding.entityRefFor})
   * @param askTimeout how long a request may wait for its entity
   * @param stats the node's agent counters
   * @return the behavior; it stops if its UDP server stops
   */
  public static Behavior<Command> create(InetSocketAddress bind, CompletableFuture<InetSocketAddress> bound,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, Duration askTimeout, AgentStats stats) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Duration sweep = askTimeout.dividedBy(10).compareTo(Duration.ofMillis(10)) < 0
          ? Duration.ofMillis(10) : askTimeout.dividedBy(10);
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, sweep);
      return new AgentEndpoint(context, bind, bound, entities, askTimeout, stats);
    }));
  }

  private AgentEndpoint(ActorContext<Command> context, InetSocketAddress bind, CompletableFuture<InetSocketAddress> bound,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, Duration askTimeout, AgentStats stats) {
    super(context);
    this.entities = entities;
    this.stats = stats;
    this.askTimeoutNanos = askTimeout.toNanos();
    this.hostAnswers = context.messageAdapter(LoadBalanceEntity.HostAnswer.class, HostAnswered::new);
    this.routeAnswers = context.messageAdapter(LoadBalanceEntity.RouteAnswer.class, RouteAnswered::new);
    ActorRef<UdpServer.Datagram> datagrams = context.messageAdapter(UdpServer.Datagram.class, DatagramReceived::new);
    this.server = context.spawn(UdpServer.create(bind, datagrams, bound, stats.udp()), "udp",
        DispatcherSelector.sameAsParent());
    context.watch(server);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DatagramReceived.class, this::onDatagram)
        .onMessage(HostAnswered.class, this::onHostAnswered)
        .onMessage(RouteAnswered.class, this::onRouteAnswered)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessage(EntityStopped.class, this::onEntityStopped)
        .onSignal(Terminated.class, this::onServerStopped)
        .build();
  }

  private Behavior<Command> onDatagram(DatagramReceived received) {
    UdpServer.Datagram datagram = received.datagram();
    Frame frame = datagram.frame();
    try {
      if (frame.msgId() == MessageId.GET_HOST_REQUEST.id()) {
        onGetHost(frame.decode(GetHostRequest.class), datagram.sender());
      } else if (frame.msgId() == MessageId.REPORT_REQUEST.id()) {
        onReport(frame.decode(ReportRequest.class));
      } else if (frame.msgId() == MessageId.API_GET_ROUTE_REQUEST.id()) {
        onGetRoute(frame.decode(GetRouteRequest.class), datagram.sender());
      } else {
        stats.recordDropped();
      }
    } catch (FrameException e) {
      stats.recordDropped();
    }
    return this;
  }

  private void onGetHost(GetHostRequest request, InetSocketAddress sender) {
    stats.recordGetHost();
    ModuleId module = new ModuleId(request.getModid(), request.getCmdid());
    long id = track(new Pending(sender, request.getSeq(), module, System.nanoTime() + askTimeoutNanos, false));
    entityOf(module).tell(new LoadBalanceEntity.GetHost(id, hostAnswers));
  }

  private void onReport(ReportRequest request) {
    stats.recordReport();
    ModuleId module = new ModuleId(request.getModid(), request.getCmdid());
    entityOf(module).tell(new LoadBalanceEntity.Report(Host.of(request.getHost()), request.getRetcode(),
        request.getTimecostMs()));
  }

  private void onGetRoute(GetRouteRequest request, InetSocketAddress sender) {
    stats.recordGetRoute();
    ModuleId module = new ModuleId(request.getModid(), request.getCmdid());
    long id = track(new Pending(sender, 0, module, System.nanoTime() + askTimeoutNanos, true));
    entityOf(module).tell(new LoadBalanceEntity.GetRoute(id, routeAnswers));
  }

  private RecipientRef<LoadBalanceEntity.Command> entityOf(ModuleId module) {
    ActorRef<LoadBalanceEntity.Command> entity = direct.get(module);
    return entity != null ? entity : entities.apply(module);
  }

  private long track(Pending request) {
    long id = nextRequestId++;
    pending.put(id, request);
    return id;
  }

  private Behavior<Command> onHostAnswered(HostAnswered answered) {
    LoadBalanceEntity.HostAnswer answer = answered.answer();
    if (answer.entity() != null && !direct.containsKey(answer.module())) {
      direct.put(answer.module(), answer.entity());
      getContext().watchWith(answer.entity(), new EntityStopped(answer.module(), answer.entity()));
    }
    Pending request = pending.remove(answer.requestId());
    if (request != null) {
      sendHost(request, answer.retCode(), answer.host());
    }
    return this;
  }

  private Behavior<Command> onRouteAnswered(RouteAnswered answered) {
    LoadBalanceEntity.RouteAnswer answer = answered.answer();
    Pending request = pending.remove(answer.requestId());
    if (request != null) {
      sendRoute(request, answer.hosts());
    }
    return this;
  }

  private Behavior<Command> onSweep() {
    long now = System.nanoTime();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending request = it.next();
      if (request.deadlineNanos() - now > 0) {
        break;
      }
      it.remove();
      stats.recordTimeout();
      if (request.route()) {
        sendRoute(request, List.of());
      } else {
        sendHost(request, RetCode.SYSTEM_ERROR, null);
      }
    }
    return this;
  }

  private Behavior<Command> onEntityStopped(EntityStopped stopped) {
    direct.remove(stopped.module(), stopped.entity());
    return this;
  }

  private Behavior<Command> onServerStopped(Terminated terminated) {
    if (CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isEmpty()) {
      getContext().getLog().error("the UDP server of this agent endpoint stopped; the endpoint stops too");
    }
    return Behaviors.stopped();
  }

  private void sendHost(Pending request, RetCode retCode, Host host) {
    stats.recordGetHostAnswer(retCode);
    GetHostResponse.Builder response = GetHostResponse.newBuilder()
        .setSeq(request.seq())
        .setModid(request.module().modid())
        .setCmdid(request.module().cmdid())
        .setRetcode(retCode.code());
    if (host != null) {
      response.setHost(host.toHostInfo());
    }
    server.tell(new UdpServer.Send(request.sender(), Frame.of(MessageId.GET_HOST_RESPONSE, response.build())));
  }

  private void sendRoute(Pending request, List<Host> hosts) {
    GetRouteResponse.Builder response = GetRouteResponse.newBuilder()
        .setModid(request.module().modid())
        .setCmdid(request.module().cmdid());
    hosts.forEach(host -> response.addHost(host.toHostInfo()));
    try {
      server.tell(new UdpServer.Send(request.sender(), Frame.of(MessageId.API_GET_ROUTE_RESPONSE, response.build())));
    } catch (FrameException e) {
      // Thousands of hosts do not fit one datagram; the client cannot be answered.
      getContext().getLog().warn("route of module {} ({} hosts) does not fit a datagram: {}",
          request.module(), hosts.size(), e.getMessage());
    }
  }
}
