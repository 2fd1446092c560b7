package io.lars.client;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
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
import io.lars.transport.TransportStats;
import io.lars.transport.UdpServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Owns the client's UDP socket and the table of requests waiting for the agent.
 *
 * <p>get_host requests are matched by {@code seq}; get_route answers carry no seq (reference:
 * lars.proto GetRouteResponse), so they answer every route request waiting for that module.
 * A request unanswered after {@code timeout} is sent once more with the same seq; after a second
 * timeout the asker gets {@link Failed}. Answers nobody waits for (stale or duplicate seq) are
 * ignored.
 */
public final class ClientActor extends AbstractBehavior<ClientActor.Command> {

  /** The dispatcher the client actor and its socket run on (shared with the agent's UDP path). */
  public static final String DISPATCHER = "lars-agent-dispatcher";

  /** What the client actor accepts. */
  public interface Command {}

  /** Pick a host of a module; answered with {@link HostReply} or {@link Failed}. */
  public record GetHost(int modid, int cmdid, ActorRef<Reply> replyTo) implements Command {}

  /** All hosts of a module; answered with {@link RouteReply} or {@link Failed}. */
  public record GetRoute(int modid, int cmdid, ActorRef<Reply> replyTo) implements Command {}

  /**
   * The outcome of one call; no answer.
   *
   * @param retcode 0 success, anything else failure
   * @param timecostMs time the call took, 0 = unknown
   */
  public record Report(int modid, int cmdid, Host host, int retcode, int timecostMs) implements Command {}

  /** Stops the client and its socket; waiting askers time out. */
  public enum Stop implements Command { INSTANCE }

  /** Replies of the client actor. */
  public sealed interface Reply permits HostReply, RouteReply, Failed {}

  /** @param result the agent's get_host answer */
  public record HostReply(HostResult result) implements Reply {}

  /** @param result the agent's get_route answer */
  public record RouteReply(RouteResult result) implements Reply {}

  /** @param error why no answer came */
  public record Failed(RuntimeException error) implements Reply {}

  private record Received(UdpServer.Datagram datagram) implements Command {}

  private record SocketBound(InetSocketAddress address) implements Command {}

  private record SocketFailed(Throwable cause) implements Command {}

  private record HostTimeout(int seq) implements Command {}

  private record RouteTimeout(ModuleId module) implements Command {}

  private record PendingHost(GetHost request, int attempt) {}

  private final ClientSettings settings;
  private final TimerScheduler<Command> timers;
  private final ActorRef<UdpServer.Command> socket;
  private final Map<Integer, PendingHost> hostWaiters = new HashMap<>();
  private final Map<ModuleId, List<ActorRef<Reply>>> routeWaiters = new HashMap<>();
  private final Map<ModuleId, Integer> routeAttempts = new HashMap<>();
  private int nextSeq = 1;

  /**
   * @param settings agent address and timeout
   * @param stats counters for the socket (datagrams in, dropped)
   * @return the behavior; it binds an ephemeral UDP port on 127.0.0.1 first and stashes requests
   *     until then
   */
  public static Behavior<Command> create(ClientSettings settings, TransportStats stats) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(10_000, stash -> {
      CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
      ActorRef<UdpServer.Datagram> handler = context.messageAdapter(UdpServer.Datagram.class, Received::new);
      ActorRef<UdpServer.Command> socket = context.spawn(
          UdpServer.create(new InetSocketAddress("127.0.0.1", 0), handler, bound, stats), "udp",
          DispatcherSelector.sameAsParent());
      context.pipeToSelf(bound, (addr, err) -> err == null ? new SocketBound(addr) : new SocketFailed(err));
      return binding(context, stash, timers, settings, socket);
    })));
  }

  private static Behavior<Command> binding(ActorContext<Command> context, StashBuffer<Command> stash,
      TimerScheduler<Command> timers, ClientSettings settings, ActorRef<UdpServer.Command> socket) {
    return Behaviors.receive(Command.class)
        .onMessage(SocketBound.class, b -> stash.unstashAll(new ClientActor(context, timers, settings, socket)))
        .onMessage(SocketFailed.class, f -> {
          throw new IllegalStateException("lars client cannot bind a UDP socket: " + f.cause().getMessage(), f.cause());
        })
        .onAnyMessage(m -> {
          stash.stash(m);
          return Behaviors.same();
        })
        .build();
  }

  private ClientActor(ActorContext<Command> context, TimerScheduler<Command> timers, ClientSettings settings,
      ActorRef<UdpServer.Command> socket) {
    super(context);
    this.settings = settings;
    this.timers = timers;
    this.socket = socket;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetHost.class, this::onGetHost)
        .onMessage(GetRoute.class, this::onGetRoute)
        .onMessage(Report.class, this::onReport)
        .onMessage(Received.class, this::onReceived)
        .onMessage(HostTimeout.class, this::onHostTimeout)
        .onMessage(RouteTimeout.class, this::onRouteTimeout)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Command> onGetHost(GetHost m) {
    int seq = nextSeq;
    nextSeq = nextSeq == Integer.MAX_VALUE ? 1 : nextSeq + 1;
    hostWaiters.put(seq, new PendingHost(m, 0));
    sendGetHost(seq, m);
    return this;
  }

  private void sendGetHost(int seq, GetHost m) {
    GetHostRequest req = GetHostRequest.newBuilder().setSeq(seq).setModid(m.modid()).setCmdid(m.cmdid()).build();
    socket.tell(new UdpServer.Send(settings.agentFor(m.modid(), m.cmdid()), Frame.of(MessageId.GET_HOST_REQUEST, req)));
    timers.startSingleTimer(seq, new HostTimeout(seq), settings.timeout());
  }

  private Behavior<Command> onGetRoute(GetRoute m) {
    ModuleId module = new ModuleId(m.modid(), m.cmdid());
    List<ActorRef<Reply>> waiting = routeWaiters.computeIfAbsent(module, k -> new ArrayList<>());
    waiting.add(m.replyTo());
    if (waiting.size() == 1) {
      routeAttempts.put(module, 0);
      sendGetRoute(module);
    }
    return this;
  }

  private void sendGetRoute(ModuleId module) {
    GetRouteRequest req = GetRouteRequest.newBuilder().setModid(module.modid()).setCmdid(module.cmdid()).build();
    socket.tell(new UdpServer.Send(settings.agentFor(module.modid(), module.cmdid()),
        Frame.of(MessageId.API_GET_ROUTE_REQUEST, req)));
    timers.startSingleTimer(module, new RouteTimeout(module), settings.timeout());
  }

  private Behavior<Command> onReport(Report m) {
    ReportRequest req = ReportRequest.newBuilder()
        .setModid(m.modid()).setCmdid(m.cmdid()).setHost(m.host().toHostInfo())
        .setRetcode(m.retcode()).setTimecostMs(Math.max(0, m.timecostMs())).build();
    socket.tell(new UdpServer.Send(settings.agentFor(m.modid(), m.cmdid()), Frame.of(MessageId.REPORT_REQUEST, req)));
    return this;
  }

  private Behavior<Command> onReceived(Received r) {
    Frame frame = r.datagram().frame();
    try {
      if (frame.msgId() == MessageId.GET_HOST_RESPONSE.id()) {
        onHostResponse(frame.decode(GetHostResponse.class));
      } else if (frame.msgId() == MessageId.API_GET_ROUTE_RESPONSE.id()) {
        onRouteResponse(frame.decode(GetRouteResponse.class));
      } else {
        getContext().getLog().debug("ignoring msgid {} from {}", frame.msgId(), r.datagram().sender());
      }
    } catch (FrameException e) {
      getContext().getLog().debug("ignoring bad answer from {}: {}", r.datagram().sender(), e.getMessage());
    }
    return this;
  }

  private void onHostResponse(GetHostResponse rsp) {
    PendingHost pending = hostWaiters.get(rsp.getSeq());
    if (pending == null || pending.request().modid() != rsp.getModid() || pending.request().cmdid() != rsp.getCmdid()) {
      return; // stale or duplicate answer
    }
    hostWaiters.remove(rsp.getSeq());
    timers.cancel(rsp.getSeq());
    RetCode code = RetCode.of(rsp.getRetcode());
    Host host = code == RetCode.SUCC && rsp.hasHost() ? Host.of(rsp.getHost()) : null;
    pending.request().replyTo().tell(new HostReply(new HostResult(host == null && code == RetCode.SUCC
        ? RetCode.SYSTEM_ERROR : code, host)));
  }

  private void onRouteResponse(GetRouteResponse rsp) {
    ModuleId module = new ModuleId(rsp.getModid(), rsp.getCmdid());
    List<ActorRef<Reply>> waiting = routeWaiters.remove(module);
    if (waiting == null) {
      return;
    }
    routeAttempts.remove(module);
    timers.cancel(module);
    RouteResult result = new RouteResult(module.modid(), module.cmdid(), rsp.getHostList().stream().map(Host::of).toList());
    waiting.forEach(w -> w.tell(new RouteReply(result)));
  }

  private Behavior<Command> onHostTimeout(HostTimeout t) {
    PendingHost pending = hostWaiters.get(t.seq());
    if (pending == null) {
      return this;
    }
    if (pending.attempt() == 0) {
      hostWaiters.put(t.seq(), new PendingHost(pending.request(), 1));
      sendGetHost(t.seq(), pending.request());
    } else {
      hostWaiters.remove(t.seq());
      GetHost req = pending.request();
      pending.request().replyTo().tell(new Failed(timeout("get_host", req.modid(), req.cmdid())));
    }
    return this;
  }

  private Behavior<Command> onRouteTimeout(RouteTimeout t) {
    Integer attempt = routeAttempts.get(t.module());
    if (attempt == null) {
      return this;
    }
    if (attempt == 0) {
      routeAttempts.put(t.module(), 1);
      sendGetRoute(t.module());
    } else {
      routeAttempts.remove(t.module());
      LarsTimeoutException e = timeout("get_route", t.module().modid(), t.module().cmdid());
      routeWaiters.remove(t.module()).forEach(w -> w.tell(new Failed(e)));
    }
    return this;
  }

  private LarsTimeoutException timeout(String what, int modid, int cmdid) {
    InetSocketAddress agent = settings.agentFor(modid, cmdid);
    return new LarsTimeoutException(what + " of module (" + modid + "," + cmdid + ") got no answer from the agent at "
        + agent.getHostString() + ":" + agent.getPort() + " in 2 x " + settings.timeout().toMillis() + " ms");
  }
}
