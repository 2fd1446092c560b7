package io.lars.agent;

import akka.Done;
import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.stream.javadsl.Flow;
import io.lars.protocol.ModuleId;
import io.lars.transport.UdpStreamServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Keeps one agent UDP port serving (DESIGN.md "Robustness rules", H4): binds a {@link UdpStreamServer} running an
 * {@link AgentPortStage} and, whenever that stream stops without a shutdown asking for it, binds
 * the same port again after {@code port-restart-backoff}, counting the restart
 * ({@link AgentStats#portRestarts()}); while it is down {@link AgentStats#portsDown()} counts it
 * and {@code /ready} fails. The first bind completes {@code bound}; if that fails, {@code bound}
 * fails and the actor stops (the node does not start). Stopping the actor closes the port.
 */
public final class AgentPort extends AbstractBehavior<AgentPort.Command> {

  /** Messages the actor accepts; all internal. */
  public interface Command {}

  private record StreamStopped(UdpStreamServer.Binding binding) implements Command {}

  private enum Rebind implements Command { INSTANCE }

  private record Unbind(CompletableFuture<Done> done) implements Command {}

  private final AgentSettings settings;
  private final InetSocketAddress requested;
  private final Function<UdpStreamServer.Port, Flow<UdpStreamServer.Datagram, UdpStreamServer.Outgoing, ?>> handler;
  private final AgentStats stats;
  private final TimerScheduler<Command> timers;
  private InetSocketAddress address;
  private UdpStreamServer.Binding binding;
  private final Cancellable shutdownTask;
  private boolean down;
  private boolean unbinding;

  /**
   * @param settings the agent settings
   * @param bind the address; port 0 binds a free port (and rebinds that same port)
   * @param bound completed with the bound address, or failed when the first bind fails
   * @param views the node's views
   * @param entities the LoadBalance entity of a module
   * @param stats the node's agent counters
   * @return the behavior
   */
  public static Behavior<Command> create(AgentSettings settings, InetSocketAddress bind,
      CompletableFuture<InetSocketAddress> bound, ActorRef<NodeViews.Command> views,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, AgentStats stats) {
    Function<UdpStreamServer.Port, Flow<UdpStreamServer.Datagram, UdpStreamServer.Outgoing, ?>> handler =
        port -> Flow.fromGraph(new AgentPortStage(settings, views, entities, stats, port));
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      UdpStreamServer.Binding first;
      try {
        first = UdpStreamServer.bind(context.getSystem(), bind, handler, stats.udp(), AgentRole.PORT_DISPATCHER,
            settings.reusePort());
      } catch (IOException e) {
        context.getLog().error(e.getMessage());
        bound.completeExceptionally(new IllegalStateException(e.getMessage(), e));
        return Behaviors.stopped();
      }
      bound.complete(first.localAddress());
      return new AgentPort(context, timers, settings, first, handler, stats);
    }));
  }

  private AgentPort(ActorContext<Command> context, TimerScheduler<Command> timers, AgentSettings settings,
      UdpStreamServer.Binding first,
      Function<UdpStreamServer.Port, Flow<UdpStreamServer.Datagram, UdpStreamServer.Outgoing, ?>> handler,
      AgentStats stats) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.requested = first.localAddress();
    this.address = first.localAddress();
    this.handler = handler;
    this.stats = stats;
    watch(first);
    ActorRef<Command> self = context.getSelf();
    this.shutdownTask = CoordinatedShutdown.get(context.getSystem()).addCancellableTask(
        CoordinatedShutdown.PhaseServiceUnbind(), "lars-agent-udp-" + context.getSelf().path().name() + "-unbind",
        () -> {
          CompletableFuture<Done> done = new CompletableFuture<>();
          self.tell(new Unbind(done));
          return done;
        });
  }

  private void watch(UdpStreamServer.Binding b) {
    this.binding = b;
    getContext().pipeToSelf(b.whenStopped(), (done, error) -> new StreamStopped(b));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamStopped.class, this::onStreamStopped)
        .onMessageEquals(Rebind.INSTANCE, this::onRebind)
        .onMessage(Unbind.class, this::onUnbind)
        .onSignal(PostStop.class, signal -> {
          shutdownTask.cancel();
          if (binding != null) {
            binding.stop();
          }
          if (down) {
            stats.portUp();
          }
          return this;
        })
        .build();
  }

  private Behavior<Command> onStreamStopped(StreamStopped stopped) {
    if (stopped.binding() != binding) {
      return this;
    }
    binding = null;
    if (unbinding || CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isPresent()) {
      return Behaviors.stopped();
    }
    getContext().getLog().error("agent UDP port {} stopped; binding it again in {} ms", address,
        settings.portRestartBackoff().toMillis());
    if (!down) {
      down = true;
      stats.portDown();
    }
    timers.startSingleTimer(Rebind.INSTANCE, settings.portRestartBackoff());
    return this;
  }

  private Behavior<Command> onUnbind(Unbind unbind) {
    unbinding = true;
    timers.cancel(Rebind.INSTANCE);
    if (binding == null) {
      unbind.done().complete(Done.done());
      return Behaviors.stopped();
    }
    binding.stop();
    binding.whenStopped().whenComplete((done, error) -> unbind.done().complete(Done.done()));
    return this;
  }

  private Behavior<Command> onRebind() {
    if (unbinding) {
      return this;
    }
    try {
      UdpStreamServer.Binding next = UdpStreamServer.bind(getContext().getSystem(), requested, handler, stats.udp(),
          AgentRole.PORT_DISPATCHER, settings.reusePort());
      address = next.localAddress();
      stats.recordPortRestart();
      if (down) {
        down = false;
        stats.portUp();
      }
      watch(next);
    } catch (IOException e) {
      getContext().getLog().error("agent UDP port {}: {}; trying again in {} ms", requested, e.getMessage(),
          settings.portRestartBackoff().toMillis());
      timers.startSingleTimer(Rebind.INSTANCE, settings.portRestartBackoff());
    }
    return this;
  }
}
