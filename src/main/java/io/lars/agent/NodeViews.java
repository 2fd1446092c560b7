package io.lars.agent;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.lars.CborSerializable;
import io.lars.kernel.HandOver;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.transport.LogThrottle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The module views of one agent node (DESIGN.md "Agent views"): one actor per node that keeps which
 * modules the node serves, hands every view change to the node's UDP ports ({@link Port}), and
 * keeps the views current with the modules' {@link LoadBalanceEntity}s.
 *
 * <ul>
 *   <li>A port that gets a request for a module it has no view of sends {@link Need}. The route is
 *       pulled through the node's own {@link DnsClient} (a child of this actor); a non-empty route
 *       becomes a provisional view with every host idle, handed to the ports at once, and the node
 *       subscribes to the entity ({@link LoadBalanceEntity.Subscribe}, carrying that route). An
 *       empty route (the dns does not know the module) goes into a bounded, expiring
 *       {@link NegativeCache}: the ports answer NOEXIST and nothing is subscribed, journaled or
 *       remembered for the module (DESIGN.md "Robustness rules", H10). An empty answer is given at
 *       the end of {@code first-pull-wait} (a route written just now may still arrive as a push),
 *       as is NOEXIST when the dns did not answer at all; a late answer is still used.
 *   <li>{@link EntityView}s from the entity replace the node's view. The node watches the entity;
 *       when it stops (passivated, moved, its node lost) the node subscribes again at once and then
 *       every {@code resubscribe-interval} until a view arrives, serving its last view meanwhile;
 *       not once the node's coordinated shutdown has begun (its region is handing entities off). A
 *       view not confirmed by an entity for {@code stale-after} counts as stale
 *       ({@link AgentStats#staleViews()}).
 *   <li>Routes pushed by the dns go to the entity ({@link LoadBalanceEntity.RoutesUpdated}); while
 *       no entity is connected they also update the provisional view. An empty route for a module
 *       that had hosts is applied only when the dns marked it deliberate (DESIGN.md
 *       "Self-registration with leases"); otherwise it is dropped, counted
 *       ({@link AgentStats#emptyRoutesRefused()}) and logged. A route older than
 *       {@code update-timeout} is pulled again (DESIGN.md "Load-balancing rules", G6).
 *   <li>The ports report which modules they used ({@link Used}); a module not used for
 *       {@code passivate-after} is released: its view is dropped on every port, the entity is told
 *       {@link LoadBalanceEntity.Unsubscribe} (and passivates when no node is left) and the dns
 *       client forgets it.
 *   <li>Every view change is handed to the node's {@link ModuleMetrics} (per-module gauges and
 *       transition counters); a released module's meters are removed.
 *   <li>A new incarnation of the node's actor system ({@code LarsNode}; DESIGN.md "Robustness rules", H12) takes the
 *       old one's views: its views send {@link HandOverTo} to the old ones, which answer
 *       {@link Adopt} with every view they serve; the new node serves them at once, subscribes to
 *       their entities and to their routes at the dns, as for a first pull.
 * </ul>
 */
public final class NodeViews extends AbstractBehavior<NodeViews.Command> {

  /** Messages the actor accepts; {@link EntityView} crosses nodes. */
  public interface Command {}

  /** Where an incarnation of a node leaves its views actor for the next one ({@code HandOver}). */
  public static final HandOver.Key<ActorRef<Command>> HAND_OVER = new HandOver.Key<>("agent-views");

  /**
   * Where a node's view changes go: one per UDP port. Implementations must be callable from any
   * thread and must not block (a stream stage's async callbacks).
   */
  public interface Port {

    /**
     * A module's view is new or changed.
     *
     * @param view the view
     */
    void view(ModuleView view);

    /**
     * The module has no route now (the dns does not know it or did not answer in time): answer
     * the requests that wait for it with NOEXIST.
     *
     * @param module the module
     */
    void unknown(ModuleId module);

    /**
     * The node no longer serves the module: drop its view.
     *
     * @param module the module
     */
    void release(ModuleId module);
  }

  /**
   * The entity's view of a module, sent on every change and to every newly subscribed node.
   *
   * @param view the view
   * @param entity the entity that sent it, watched by the node
   */
  public record EntityView(ModuleView view, ActorRef<LoadBalanceEntity.Command> entity)
      implements Command, CborSerializable {}

  /**
   * A port starts; it gets every current view at once.
   *
   * @param port the port
   */
  public record AddPort(Port port) implements Command {}

  /**
   * A port stopped.
   *
   * @param port the port
   */
  public record RemovePort(Port port) implements Command {}

  /**
   * A port got a request for a module it has no view of.
   *
   * @param module the module
   */
  public record Need(ModuleId module) implements Command {}

  /**
   * Modules a port answered requests or took reports for since its last {@code Used}.
   *
   * @param modules the modules
   */
  public record Used(Set<ModuleId> modules) implements Command {
    /** Copies the set. */
    public Used {
      modules = Set.copyOf(modules);
    }
  }

  /**
   * Sends every view this node serves to the views of the node's next incarnation, as
   * {@link Adopt}; both actors are in the same JVM.
   *
   * @param successor the new incarnation's views
   */
  public record HandOverTo(ActorRef<Command> successor) implements Command {}

  /**
   * Views of the node's previous incarnation, served until their entities confirm them; views of
   * modules this node already serves are left alone.
   *
   * @param views the views
   */
  public record Adopt(List<ModuleView> views) implements Command {
    /** Copies the list. */
    public Adopt {
      views = List.copyOf(views);
    }
  }

  /**
   * A route from the node's dns client, an answer to a pull or a push; {@code deliberate} is the
   * wire's extension flag (DESIGN.md "Self-registration"): hosts that left it left on
   * purpose.
   */
  record DnsRoute(ModuleId module, List<Host> hosts, boolean deliberate) implements Command {

    DnsRoute(ModuleId module, List<Host> hosts) {
      this(module, hosts, false);
    }
  }

  private record FirstPullWaitOver(ModuleId module) implements Command {}

  private record EntityStopped(ModuleId module, ActorRef<LoadBalanceEntity.Command> entity) implements Command {}

  private enum Tick implements Command { INSTANCE }

  /** What the node knows of one module it serves. */
  private static final class Served {
    ModuleView view;
    List<Host> dnsRoute;
    ActorRef<LoadBalanceEntity.Command> entity;
    /** Since when no entity confirmed the view (the time it was created or its entity stopped). */
    long unconfirmedSinceMs;
    long lastSubscribeMs;
    long lastUsedMs;
    long routeAtMs;

    Served(ModuleView view, List<Host> dnsRoute, long nowMs) {
      this.view = view;
      this.dnsRoute = dnsRoute;
      this.unconfirmedSinceMs = nowMs;
      this.lastSubscribeMs = nowMs;
      this.lastUsedMs = nowMs;
      this.routeAtMs = nowMs;
    }
  }

  private final AgentSettings settings;
  private final AgentStats stats;
  private final Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities;
  private final TimerScheduler<Command> timers;
  private final LongSupplier clock;
  private final ActorRef<DnsClient.Command> dns;
  private final CoordinatedShutdown shutdown;
  private final List<Port> ports = new ArrayList<>();
  private final Map<ModuleId, Served> served = new HashMap<>();
  /** Outstanding first pulls: module to the clock millis it was asked. */
  private final Map<ModuleId, Long> pulls = new HashMap<>();
  private final NegativeCache negative;
  private final LogThrottle pullsRefusedLog = new LogThrottle(Duration.ofSeconds(10));
  /** Start of the current one-second window of new pulls, clock ms, and the pulls started in it. */
  private long pullWindowStartMs;
  private int pullsInWindow;
  private final LogThrottle emptyRouteLog = new LogThrottle(Duration.ofSeconds(10));

  /**
   * @param settings the agent settings (dns address, timeouts, negative cache)
   * @param entities the LoadBalance entity of a module (production: {@code ClusterSharding.entityRefFor})
   * @param stats the node's agent counters
   * @return the behavior; its dns client is restarted on failure
   */
  public static Behavior<Command> create(AgentSettings settings,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, AgentStats stats) {
    return create(settings, entities, stats, System::currentTimeMillis);
  }

  /**
   * The views with a given clock (tests).
   *
   * @param settings the agent settings
   * @param entities the LoadBalance entity of a module
   * @param stats the node's agent counters
   * @param clockMillis the clock of the negative cache, the pull budget and the views' ages, ms
   * @return the behavior
   */
  static Behavior<Command> create(AgentSettings settings,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, AgentStats stats,
      LongSupplier clockMillis) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new NodeViews(context, timers, settings, entities, stats, clockMillis)));
  }

  private NodeViews(ActorContext<Command> context, TimerScheduler<Command> timers, AgentSettings settings,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, AgentStats stats, LongSupplier clock) {
    super(context);
    this.settings = settings;
    this.stats = stats;
    this.entities = entities;
    this.timers = timers;
    this.clock = clock;
    this.shutdown = CoordinatedShutdown.get(context.getSystem());
    this.negative = new NegativeCache(settings.negativeCacheSize(), settings.negativeCacheTtl().toMillis());
    this.dns = context.spawn(Behaviors.supervise(DnsClient.create(settings, context.getSelf(), stats))
        .onFailure(SupervisorStrategy.restart()), "dns-client", DispatcherSelector.sameAsParent());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.resubscribeInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Need.class, this::onNeed)
        .onMessage(DnsRoute.class, this::onDnsRoute)
        .onMessage(EntityView.class, this::onEntityView)
        .onMessage(Used.class, this::onUsed)
        .onMessage(AddPort.class, this::onAddPort)
        .onMessage(RemovePort.class, r -> {
          ports.remove(r.port());
          return this;
        })
        .onMessage(FirstPullWaitOver.class, this::onFirstPullWaitOver)
        .onMessage(HandOverTo.class, this::onHandOverTo)
        .onMessage(Adopt.class, this::onAdopt)
        .onMessage(EntityStopped.class, this::onEntityStopped)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onAddPort(AddPort add) {
    ports.add(add.port());
    served.values().forEach(s -> add.port().view(s.view));
    return this;
  }

  private Behavior<Command> onNeed(Need need) {
    ModuleId module = need.module();
    long now = clock.getAsLong();
    Served s = served.get(module);
    boolean waiting = timers.isTimerActive(new FirstPullWaitOver(module));
    if (s != null) {
      ports.forEach(p -> p.view(s.view));
    } else if (waiting) {
      // The first pull's wait is running: its end answers every port.
      return this;
    } else if (negative.contains(module, now)) {
      stats.recordNegativeHit();
      ports.forEach(p -> p.unknown(module));
    } else if (!pulls.containsKey(module)) {
      if (!takePull(now)) {
        // A flood of new modules must not swamp the dns connection that carries every push
        // (DESIGN.md "Robustness rules", H10); the client may ask again.
        stats.recordPullRefused();
        ports.forEach(p -> p.unknown(module));
        if (pullsRefusedLog.tryAcquire()) {
          getContext().getLog().warn("more than {} new modules asked for in one second; {} answered NOEXIST without "
              + "asking the dns{}", settings.maxNewPullsPerSecond(), module, pullsRefusedLog.suppressedNote());
        }
        return this;
      }
      pulls.put(module, now);
      dns.tell(new DnsClient.Pull(module));
      timers.startSingleTimer(new FirstPullWaitOver(module), new FirstPullWaitOver(module),
          settings.loadBalance().firstPullWait());
    } else {
      // Asked before and the wait is over: NOEXIST until the dns answers.
      ports.forEach(p -> p.unknown(module));
    }
    return this;
  }

  /** Counts a new pull against {@code max-new-pulls-per-second}; false when the second's budget is spent. */
  private boolean takePull(long nowMs) {
    if (nowMs - pullWindowStartMs >= 1000) {
      pullWindowStartMs = nowMs;
      pullsInWindow = 0;
    }
    if (pullsInWindow >= settings.maxNewPullsPerSecond()) {
      return false;
    }
    pullsInWindow++;
    return true;
  }

  private Behavior<Command> onFirstPullWaitOver(FirstPullWaitOver over) {
    ModuleId module = over.module();
    if (pulls.containsKey(module)) {
      ports.forEach(p -> p.unknown(module));
      if (negative.contains(module, clock.getAsLong())) {
        pulls.remove(module);
        dns.tell(new DnsClient.Forget(module));
      }
    }
    return this;
  }

  private Behavior<Command> onDnsRoute(DnsRoute route) {
    ModuleId module = route.module();
    long now = clock.getAsLong();
    Served s = served.get(module);
    if (s != null && route.hosts().isEmpty() && !s.dnsRoute.isEmpty() && !route.deliberate()) {
      // Issue 16 protection: an empty route for a module that had hosts, not marked deliberate, is
      // a dns that lost its data (nacos#10209), not a decision: keep serving the last route.
      stats.recordEmptyRouteRefused();
      if (emptyRouteLog.tryAcquire()) {
        getContext().getLog().warn("module {}: the dns sent an empty route without the deliberate flag; keeping its {} "
            + "hosts{}", module, s.dnsRoute.size(), emptyRouteLog.suppressedNote());
      }
      s.routeAtMs = now;
      return this;
    }
    if (s != null) {
      s.routeAtMs = now;
      boolean changed = !s.dnsRoute.equals(route.hosts());
      s.dnsRoute = route.hosts();
      entities.apply(module).tell(new LoadBalanceEntity.RoutesUpdated(route.hosts()));
      if (changed && s.entity == null) {
        s.view = ModuleView.fromDns(module, route.hosts(), Set.copyOf(s.view.overloaded()));
        ports.forEach(p -> p.view(s.view));
        stats.modules().update(s.view, false);
      }
      return this;
    }
    if (!pulls.containsKey(module)) {
      // A push for a module this node does not serve (released, or unknown until now): the dns
      // knows it now, so the next request pulls it instead of answering NOEXIST from the cache.
      if (!route.hosts().isEmpty()) {
        negative.remove(module);
      }
      return this;
    }
    if (route.hosts().isEmpty()) {
      negative.put(module, now);
      if (!timers.isTimerActive(new FirstPullWaitOver(module))) {
        pulls.remove(module);
        dns.tell(new DnsClient.Forget(module));
        ports.forEach(p -> p.unknown(module));
      }
      // Else the rest of first-pull-wait passes first: a route written just now (admin, lars
      // route) may still arrive as the dns's push after its reload.
      return this;
    }
    pulls.remove(module);
    timers.cancel(new FirstPullWaitOver(module));
    negative.remove(module);
    List<Host> hosts = List.copyOf(new TreeSet<>(route.hosts()));
    Served fresh = new Served(ModuleView.fromDns(module, hosts, Set.of()), hosts, now);
    served.put(module, fresh);
    // Counting starts before the ports have the view; the meters are registered after.
    stats.modules().open(fresh.view);
    ports.forEach(p -> p.view(fresh.view));
    entities.apply(module).tell(new LoadBalanceEntity.Subscribe(getContext().getSelf(), hosts));
    stats.modules().expose(module);
    updateGauges(now);
    return this;
  }

  private Behavior<Command> onHandOverTo(HandOverTo handOver) {
    handOver.successor().tell(new Adopt(served.values().stream().map(s -> s.view).toList()));
    return this;
  }

  private Behavior<Command> onAdopt(Adopt adopt) {
    long now = clock.getAsLong();
    for (ModuleView view : adopt.views()) {
      ModuleId module = view.module();
      if (served.containsKey(module) || !view.known()) {
        continue;
      }
      // A request that came before the hand-over may have started a first pull: the view answers it.
      pulls.remove(module);
      timers.cancel(new FirstPullWaitOver(module));
      negative.remove(module);
      Served adopted = new Served(view, view.hosts(), now);
      served.put(module, adopted);
      ports.forEach(p -> p.view(view));
      entities.apply(module).tell(new LoadBalanceEntity.Subscribe(getContext().getSelf(), view.hosts()));
      dns.tell(new DnsClient.Pull(module));
    }
    updateGauges(now);
    return this;
  }

  private Behavior<Command> onEntityView(EntityView update) {
    ModuleId module = update.view().module();
    Served s = served.get(module);
    if (s == null) {
      update.entity().tell(new LoadBalanceEntity.Unsubscribe(getContext().getSelf()));
      return this;
    }
    boolean sameEntity = update.entity().equals(s.entity);
    if (!sameEntity) {
      if (s.entity != null) {
        getContext().unwatch(s.entity);
      }
      s.entity = update.entity();
      getContext().watchWith(update.entity(), new EntityStopped(module, update.entity()));
    }
    s.view = update.view();
    ports.forEach(p -> p.view(update.view()));
    stats.modules().update(update.view(), sameEntity);
    return this;
  }

  private Behavior<Command> onEntityStopped(EntityStopped stopped) {
    Served s = served.get(stopped.module());
    if (s != null && stopped.entity().equals(s.entity)) {
      long now = clock.getAsLong();
      s.entity = null;
      s.unconfirmedSinceMs = now;
      subscribe(stopped.module(), s, now);
    }
    return this;
  }

  private void subscribe(ModuleId module, Served s, long now) {
    if (shutdown.getShutdownReason().isPresent()) {
      // The node is leaving: its entities are handed off, and a new subscription would start one
      // again in the region that is stopping (which then waits out its shutdown phase).
      return;
    }
    s.lastSubscribeMs = now;
    List<Host> route = s.dnsRoute.isEmpty() ? s.view.hosts() : s.dnsRoute;
    entities.apply(module).tell(new LoadBalanceEntity.Subscribe(getContext().getSelf(), route));
  }

  private Behavior<Command> onUsed(Used used) {
    long now = clock.getAsLong();
    for (ModuleId module : used.modules()) {
      Served s = served.get(module);
      if (s != null) {
        s.lastUsedMs = now;
      }
    }
    return this;
  }

  private Behavior<Command> onTick() {
    long now = clock.getAsLong();
    long passivateMs = settings.passivateAfter().toMillis();
    long updateMs = settings.loadBalance().updateTimeout().toMillis();
    long resubscribeMs = settings.resubscribeInterval().toMillis();
    for (Iterator<Map.Entry<ModuleId, Served>> it = served.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<ModuleId, Served> e = it.next();
      ModuleId module = e.getKey();
      Served s = e.getValue();
      if (now - s.lastUsedMs >= passivateMs) {
        it.remove();
        release(module, s);
        continue;
      }
      if (s.entity == null && now - s.lastSubscribeMs >= resubscribeMs) {
        subscribe(module, s, now);
      }
      if (now - s.routeAtMs > updateMs) {
        s.routeAtMs = now;
        dns.tell(new DnsClient.Pull(module));
      }
    }
    for (Iterator<Map.Entry<ModuleId, Long>> it = pulls.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<ModuleId, Long> e = it.next();
      if (now - e.getValue() > updateMs) {
        it.remove();
        dns.tell(new DnsClient.Forget(e.getKey()));
      }
    }
    negative.expire(now);
    updateGauges(now);
    return this;
  }

  private Behavior<Command> onPostStop(PostStop stop) {
    served.keySet().forEach(stats.modules()::close);
    return this;
  }

  private void release(ModuleId module, Served s) {
    stats.modules().close(module);
    ports.forEach(p -> p.release(module));
    if (s.entity != null) {
      getContext().unwatch(s.entity);
      s.entity.tell(new LoadBalanceEntity.Unsubscribe(getContext().getSelf()));
    }
    dns.tell(new DnsClient.Forget(module));
  }

  private void updateGauges(long now) {
    long staleMs = settings.staleAfter().toMillis();
    long stale = served.values().stream().filter(s -> s.entity == null && now - s.unconfirmedSinceMs > staleMs).count();
    stats.setViews(served.size(), stale);
  }
}
