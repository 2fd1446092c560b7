package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.node.CborSerializable;
import io.lars.node.Role;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The LoadBalance actor of one module (SPEC 7.2, 10): an event-sourced Akka Cluster Sharding
 * entity of type {@code "LoadBalance"}, entity id {@code "<modid>-<cmdid>"}, on nodes with role
 * {@code agent}, persistence id {@code "LoadBalance|<modid>-<cmdid>"}.
 *
 * <p>It owns a {@link LoadBalance}, which makes every decision, and does the messaging around
 * it: answering {@link GetHost} and {@link GetRoute} through their {@code replyTo}, pulling the
 * route through the node's {@link DnsClient} when it is unknown or stale, holding the first
 * requests of an unknown module for up to {@code first-pull-wait} (SPEC 12: the reference
 * answered NOEXIST at once), logging each host transition once, sending changed statistics to the
 * node's {@link ReporterClient} at most once per {@code report-interval} (SPEC 12: the reference
 * sent them on every report), and passivating after {@code passivate-after} without client
 * requests (checked four times per period, so it happens within 1.25 periods).
 *
 * <p>Persistence (SPEC 10): a changed route and every host transition are persisted as
 * {@link Event}s; per-call counters are not. The persisted {@link State} is the route and which of
 * its hosts are overloaded, with a snapshot every {@code lars.agent.persistence.snapshot-every}
 * events. On recovery (after passivation, a rebalance or the loss of a node; sharding's
 * remember-entities starts entities that were running) the entity rebuilds its LoadBalance with
 * {@link LoadBalance#restore}, so it answers get_host at once with the recovered route and
 * overload states, even while the dns is unreachable; the route is pulled again on the first
 * request. Requests that arrive during recovery or a write wait for it (Akka stashes them).
 */
public final class LoadBalanceEntity extends EventSourcedBehavior<LoadBalanceEntity.Command,
    LoadBalanceEntity.Event, LoadBalanceEntity.State> {

  /** The sharding type key; entity ids are {@link ModuleId#entityId()}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "LoadBalance");

  /** Messages the entity accepts; the public ones may cross nodes. */
  public interface Command extends CborSerializable {}

  /**
   * Asks for one host (SPEC 7.2 get_host). Always answered, within {@code first-pull-wait} at worst.
   *
   * @param requestId the caller's correlation id, echoed in the answer
   * @param replyTo where the {@link HostAnswer} goes
   */
  public record GetHost(long requestId, ActorRef<HostAnswer> replyTo) implements Command {}

  /**
   * The answer to {@link GetHost}.
   *
   * @param requestId the id of the request
   * @param module the module
   * @param retCode SUCC, OVERLOAD or NOEXIST
   * @param host the chosen host when SUCC, else {@code null}
   * @param entity the entity that answered, so that a caller with much traffic may send to it
   *     directly instead of through its shard region (it must watch it: the ref dies with passivation)
   */
  public record HostAnswer(long requestId, ModuleId module, RetCode retCode, Host host, ActorRef<Command> entity)
      implements CborSerializable {}

  /**
   * Asks for all hosts of the module (SPEC 7.2 get_route, API id 7); waits like {@link GetHost}
   * when the route is unknown.
   *
   * @param requestId the caller's correlation id, echoed in the answer
   * @param replyTo where the {@link RouteAnswer} goes
   */
  public record GetRoute(long requestId, ActorRef<RouteAnswer> replyTo) implements Command {}

  /**
   * The answer to {@link GetRoute}.
   *
   * @param requestId the id of the request
   * @param module the module
   * @param hosts every host of the route, sorted; empty when the route is unknown or empty
   */
  public record RouteAnswer(long requestId, ModuleId module, List<Host> hosts) implements CborSerializable {

    /** Copies the list. */
    public RouteAnswer {
      hosts = List.copyOf(hosts);
    }
  }

  /**
   * The outcome of one call to a host (SPEC 7.2 report); no answer. Unknown hosts are ignored.
   *
   * @param host the host that was called
   * @param retcode 0 for success, anything else a failure
   * @param timecostMs how long the call took, the wire's uint32; 0 = unknown
   */
  public record Report(Host host, int retcode, int timecostMs) implements Command {}

  /**
   * The module's complete route from the dns, an answer to a pull or a push.
   *
   * @param hosts the hosts; empty means the dns knows no host for the module
   */
  public record RoutesUpdated(List<Host> hosts) implements Command {

    /** Copies the list. */
    public RoutesUpdated {
      hosts = List.copyOf(hosts);
    }
  }

  /** The dns connection was (re)established: an outstanding pull is void, pull again when needed. */
  public record DnsReconnected() implements Command {}

  /**
   * Asks for the whole load-balancing state, for the admin.
   *
   * @param replyTo where the snapshot goes
   */
  public record GetState(ActorRef<LoadBalance.Snapshot> replyTo) implements Command {}

  /**
   * What every entity of a node works with.
   *
   * @param loadBalance the load-balancing tuning
   * @param callerIp this agent's IPv4 (Lars int32 form), sent as {@code ReportStatusReq.caller}
   * @param passivateAfter an entity without client requests for this long passivates
   * @param dnsClient where pulls go
   * @param reporterClient where statistics go
   */
  public record Dependencies(LoadBalanceSettings loadBalance, int callerIp, Duration passivateAfter,
      ActorRef<DnsClient.Command> dnsClient, ActorRef<ReporterClient.Command> reporterClient) {

    /** Checks that nothing is missing. */
    public Dependencies {
      Objects.requireNonNull(loadBalance, "loadBalance");
      Objects.requireNonNull(passivateAfter, "passivateAfter");
      Objects.requireNonNull(dnsClient, "dnsClient");
      Objects.requireNonNull(reporterClient, "reporterClient");
    }
  }

  /**
   * How often the entity snapshots its state (from {@code lars.agent.persistence}).
   *
   * @param snapshotEvery a snapshot after this many events, 1..100000
   * @param keepSnapshots snapshots kept; older ones and the events before them are deleted, 1..100
   */
  public record PersistenceSettings(int snapshotEvery, int keepSnapshots) {

    /**
     * Checks the ranges.
     *
     * @throws IllegalArgumentException naming the key that is out of range
     */
    public PersistenceSettings {
      if (snapshotEvery < 1 || snapshotEvery > 100_000) {
        throw new IllegalArgumentException("lars.agent.persistence.snapshot-every must be 1..100000, got " + snapshotEvery);
      }
      if (keepSnapshots < 1 || keepSnapshots > 100) {
        throw new IllegalArgumentException("lars.agent.persistence.keep-snapshots must be 1..100, got " + keepSnapshots);
      }
    }

    /**
     * Reads {@code lars.agent.persistence}.
     *
     * @param config the resolved configuration
     * @return the settings
     * @throws IllegalArgumentException naming the key that is missing or wrong
     */
    public static PersistenceSettings fromConfig(Config config) {
      try {
        Config c = config.getConfig("lars.agent.persistence");
        return new PersistenceSettings(c.getInt("snapshot-every"), c.getInt("keep-snapshots"));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("lars.agent.persistence: " + e.getMessage(), e);
      }
    }
  }

  /**
   * What is persisted: route updates and host transitions, never per-call counters (SPEC 10).
   * Nested here because the commands already have a {@code RoutesUpdated}: refer to them as
   * {@code Event.RoutesUpdated}, {@code Event.HostOverloaded}, {@code Event.HostIdled}.
   */
  public sealed interface Event extends CborSerializable {

    /**
     * The module's route changed (or became known).
     *
     * @param hosts the complete route, sorted; empty when the dns knows no host
     */
    record RoutesUpdated(List<Host> hosts) implements Event {

      /** Copies the list. */
      public RoutesUpdated {
        hosts = List.copyOf(hosts);
      }
    }

    /**
     * A host went from idle to overload.
     *
     * @param host the host
     */
    record HostOverloaded(Host host) implements Event {}

    /**
     * A host went from overload back to idle.
     *
     * @param host the host
     */
    record HostIdled(Host host) implements Event {}
  }

  /**
   * The persisted state: what a recovered entity needs to answer at once.
   *
   * @param routeKnown false until the first route arrived
   * @param hosts the route, sorted, immutable
   * @param overloaded the hosts of the route that are overloaded, sorted, immutable
   */
  public record State(boolean routeKnown, List<Host> hosts, List<Host> overloaded) implements CborSerializable {

    /** The state of a module never seen. */
    public static final State EMPTY = new State(false, List.of(), List.of());

    /** Copies the lists, sorted and without duplicates. */
    public State {
      hosts = List.copyOf(new TreeSet<>(hosts));
      overloaded = List.copyOf(new TreeSet<>(overloaded));
    }

    /**
     * @param route the new route
     * @return the state with that route; hosts that left it are no longer overloaded
     */
    public State withRoutes(List<Host> route) {
      SortedSet<Host> stillOverloaded = new TreeSet<>(overloaded);
      stillOverloaded.retainAll(route);
      return new State(true, route, List.copyOf(stillOverloaded));
    }

    /**
     * @param host a host of the route
     * @param isOverloaded whether it is overloaded now
     * @return the state with the host in or out of the overloaded set
     */
    public State withOverload(Host host, boolean isOverloaded) {
      SortedSet<Host> next = new TreeSet<>(overloaded);
      if (isOverloaded) {
        next.add(host);
      } else {
        next.remove(host);
      }
      return new State(routeKnown, hosts, List.copyOf(next));
    }
  }

  private enum FirstPullWaitOver implements Command { INSTANCE }

  private enum ReportTick implements Command { INSTANCE }

  private enum IdleCheck implements Command { INSTANCE }

  private enum Stop implements Command { INSTANCE }

  private final ActorContext<Command> context;
  private final ModuleId module;
  private final Dependencies deps;
  private final PersistenceSettings persistence;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final TimerScheduler<Command> timers;
  private final LoadBalance loadBalance;
  /** Requests held while the route is unknown, answered together (SPEC 7.2 get_host rule 1). */
  private final List<Command> waiting = new ArrayList<>();
  private final long passivateAfterMs;
  private long lastActivityMs;

  /**
   * Starts sharding of this entity type on the node; call once per node that runs the
   * {@code agent} role. Sharding's own idle passivation is off: the entity passivates itself.
   * Snapshot settings come from {@code lars.agent.persistence} of the system's config.
   *
   * @param system the node's actor system
   * @param deps the node's collaborators and settings
   * @return the shard region
   * @throws IllegalArgumentException if {@code lars.agent.persistence} is invalid
   */
  public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system, Dependencies deps) {
    PersistenceSettings persistence = PersistenceSettings.fromConfig(system.settings().config());
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ModuleId.parseEntityId(ctx.getEntityId()), ctx.getShard(), deps, persistence))
        .withRole(Role.AGENT.roleName())
        .withStopMessage(Stop.INSTANCE)
        .withEntityProps(DispatcherSelector.fromConfig(AgentRole.DISPATCHER))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * The entity's behavior with the default snapshot settings (a snapshot every 100 events, 2
   * kept), also usable without sharding in tests (the actor system needs a journal).
   *
   * @param module the module this entity balances
   * @param shard the shard to ask for passivation
   * @param deps collaborators and settings
   * @return the behavior
   */
  public static Behavior<Command> create(ModuleId module, ActorRef<ClusterSharding.ShardCommand> shard,
      Dependencies deps) {
    return create(module, shard, deps, new PersistenceSettings(100, 2));
  }

  /**
   * The entity's behavior, also usable without sharding in tests (the actor system needs a journal).
   *
   * @param module the module this entity balances
   * @param shard the shard to ask for passivation
   * @param deps collaborators and settings
   * @param persistence snapshot settings
   * @return the behavior
   */
  public static Behavior<Command> create(ModuleId module, ActorRef<ClusterSharding.ShardCommand> shard,
      Dependencies deps, PersistenceSettings persistence) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new LoadBalanceEntity(context, timers, module, shard, deps, persistence)));
  }

  /**
   * @param module a module
   * @return its persistence id, {@code "LoadBalance|<modid>-<cmdid>"}
   */
  public static PersistenceId persistenceId(ModuleId module) {
    return PersistenceId.of(ENTITY_KEY.name(), module.entityId());
  }

  private LoadBalanceEntity(ActorContext<Command> context, TimerScheduler<Command> timers, ModuleId module,
      ActorRef<ClusterSharding.ShardCommand> shard, Dependencies deps, PersistenceSettings persistence) {
    // A failed journal write or recovery (database down) restarts the entity with backoff.
    super(persistenceId(module), SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.timers = timers;
    this.module = module;
    this.shard = shard;
    this.deps = deps;
    this.persistence = persistence;
    this.loadBalance = new LoadBalance(module, deps.loadBalance(), System::currentTimeMillis);
    this.passivateAfterMs = deps.passivateAfter().toMillis();
    this.lastActivityMs = System.currentTimeMillis();
    // Not context.setReceiveTimeout: it reschedules a timer on every message, a real cost on the hot path.
    timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, deps.passivateAfter().dividedBy(4));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(GetHost.class, this::onGetHost)
        .onCommand(Report.class, this::onReport)
        .onCommand(GetRoute.class, this::onGetRoute)
        .onCommand(RoutesUpdated.class, this::onRoutesUpdated)
        .onCommand(DnsReconnected.class, this::onDnsReconnected)
        .onCommand(GetState.class, this::onGetState)
        .onCommand(FirstPullWaitOver.class, this::onFirstPullWaitOver)
        .onCommand(ReportTick.class, this::onReportTick)
        .onCommand(IdleCheck.class, this::onIdleCheck)
        .onCommand(Stop.class, this::onStop)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Event.RoutesUpdated.class, (state, e) -> state.withRoutes(e.hosts()))
        .onEvent(Event.HostOverloaded.class, (state, e) -> state.withOverload(e.host(), true))
        .onEvent(Event.HostIdled.class, (state, e) -> state.withOverload(e.host(), false))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(persistence.snapshotEvery(), persistence.keepSnapshots())
        .withDeleteEventsOnSnapshot();
  }

  private void onRecoveryCompleted(State state) {
    if (state.routeKnown()) {
      loadBalance.restore(state.hosts(), Set.copyOf(state.overloaded()));
      context.getLog().info("module {} recovered: {} hosts, overloaded {}", module, state.hosts().size(),
          state.overloaded());
    }
  }

  private Effect<Event, State> onGetHost(GetHost request) {
    lastActivityMs = System.currentTimeMillis();
    if (!loadBalance.routeKnown()) {
      return hold(request);
    }
    answer(request);
    pullIfNeeded();
    return Effect().none();
  }

  private Effect<Event, State> onGetRoute(GetRoute request) {
    lastActivityMs = System.currentTimeMillis();
    if (!loadBalance.routeKnown()) {
      return hold(request);
    }
    answer(request);
    pullIfNeeded();
    return Effect().none();
  }

  private Effect<Event, State> onReport(Report report) {
    lastActivityMs = System.currentTimeMillis();
    Optional<LoadBalance.Transition> transition = loadBalance.report(report.host(), report.retcode(), report.timecostMs());
    if (loadBalance.statsChanged() && !timers.isTimerActive(ReportTick.INSTANCE)) {
      timers.startSingleTimer(ReportTick.INSTANCE, deps.loadBalance().reportInterval());
    }
    if (transition.isEmpty()) {
      return Effect().none();
    }
    LoadBalance.Transition t = transition.orElseThrow();
    logTransition(t);
    return Effect().persist(t.toOverload() ? new Event.HostOverloaded(t.host()) : new Event.HostIdled(t.host()));
  }

  private Effect<Event, State> onRoutesUpdated(State state, RoutesUpdated update) {
    boolean wasKnown = loadBalance.routeKnown();
    LoadBalance.RouteDiff diff = loadBalance.updateRoutes(update.hosts());
    if (diff.changed() || !wasKnown) {
      context.getLog().info("module {} route updated: {} hosts, added {}, removed {}",
          module, update.hosts().size(), diff.added(), diff.removed());
    }
    answerWaiting();
    List<Host> route = List.copyOf(loadBalance.hosts());
    if (state.routeKnown() && state.hosts().equals(route)) {
      return Effect().none();
    }
    return Effect().persist(new Event.RoutesUpdated(route));
  }

  private Effect<Event, State> onDnsReconnected(DnsReconnected reconnected) {
    if (loadBalance.pullStatus() == LoadBalance.PullStatus.PULLING) {
      loadBalance.markNew();
    }
    if (!waiting.isEmpty()) {
      pullIfNeeded();
    }
    return Effect().none();
  }

  private Effect<Event, State> onGetState(GetState request) {
    request.replyTo().tell(loadBalance.snapshot());
    return Effect().none();
  }

  private Effect<Event, State> onFirstPullWaitOver(FirstPullWaitOver over) {
    answerWaiting();
    return Effect().none();
  }

  private Effect<Event, State> onReportTick(ReportTick tick) {
    if (!loadBalance.statsChanged()) {
      return Effect().none();
    }
    ReportStatusReq.Builder request = ReportStatusReq.newBuilder()
        .setModid(module.modid())
        .setCmdid(module.cmdid())
        .setCaller(deps.callerIp())
        .setTs((int) (System.currentTimeMillis() / 1000));
    for (LoadBalance.HostCallStats stats : loadBalance.takeStatistics()) {
      request.addResults(HostCallResult.newBuilder()
          .setIp(stats.host().ip())
          .setPort(stats.host().port())
          .setSucc((int) stats.rsucc())
          .setErr((int) stats.rerr())
          .setOverload(stats.overload()));
    }
    deps.reporterClient().tell(new ReporterClient.Statistics(request.build()));
    return Effect().none();
  }

  private Effect<Event, State> onIdleCheck(IdleCheck check) {
    if (System.currentTimeMillis() - lastActivityMs >= passivateAfterMs) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  private Effect<Event, State> onStop(Stop stop) {
    answerWaiting();
    return Effect().stop();
  }

  private Effect<Event, State> hold(Command request) {
    waiting.add(request);
    pullIfNeeded();
    Duration wait = deps.loadBalance().firstPullWait();
    if (wait.isZero()) {
      answerWaiting();
    } else if (!timers.isTimerActive(FirstPullWaitOver.INSTANCE)) {
      timers.startSingleTimer(FirstPullWaitOver.INSTANCE, wait);
    }
    return Effect().none();
  }

  /** Answers every held request with what is known now: the route, or NOEXIST / no hosts. */
  private void answerWaiting() {
    timers.cancel(FirstPullWaitOver.INSTANCE);
    for (Command request : waiting) {
      if (request instanceof GetHost getHost) {
        answer(getHost);
      } else if (request instanceof GetRoute getRoute) {
        answer(getRoute);
      }
    }
    waiting.clear();
  }

  private void answer(GetHost request) {
    LoadBalance.Pick pick = loadBalance.getHost();
    request.replyTo().tell(new HostAnswer(request.requestId(), module, pick.retCode(), pick.host(), context.getSelf()));
  }

  private void answer(GetRoute request) {
    request.replyTo().tell(new RouteAnswer(request.requestId(), module, List.copyOf(loadBalance.hosts())));
  }

  private void pullIfNeeded() {
    if (loadBalance.needsPull()) {
      deps.dnsClient().tell(new DnsClient.Pull(module));
      loadBalance.markPulling();
    }
  }

  private void logTransition(LoadBalance.Transition t) {
    AgentStats.get(context.getSystem()).recordTransition(t.toOverload());
    context.getLog().info("module {} host {} {} ({}): vsucc={} verr={} rsucc={} rerr={}",
        module, t.host(), t.toOverload() ? "idle -> overload" : "overload -> idle", t.reason(),
        t.vsucc(), t.verr(), t.rsucc(), t.rerr());
  }
}
