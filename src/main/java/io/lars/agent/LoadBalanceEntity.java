package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.CborSerializable;
import io.lars.kernel.Role;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.transport.LogThrottle;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The authority of one module (DESIGN.md "Agent views", "Load-balancing rules", "Persistence"): an
 * Akka Cluster Sharding entity of type {@code "LoadBalance"}, entity id {@code "<modid>-<cmdid>"},
 * on nodes with role {@code agent}.
 *
 * <p>It owns the module's {@link LoadBalance}, the only place where host transitions are decided,
 * fed by the {@link ReportBatch}es of every agent node in the order each node sent them. It does
 * not answer get_host: every agent node answers from its own {@link ModuleView}, which this entity
 * keeps current. Nodes register with {@link Subscribe} (and implicitly with every report batch);
 * whenever the route or a host's overload state changes, the entity sends the new view to every
 * subscribed node ({@link NodeViews.EntityView}). It watches its subscribers and forgets those that
 * stop; they watch it and subscribe again when it stops or moves, so a moved or restarted entity
 * learns its subscribers back within one re-subscribe (see {@link NodeViews}).
 *
 * <p>Routes come from the nodes: each node forwards the routes its own dns client receives
 * ({@link RoutesUpdated}) and sends the route it knows with {@link Subscribe}, so a new entity has a
 * route without a dns pull of its own.
 *
 * <p>A new entity publishes no view until its recorder recovered (at most 2 s), so that the nodes
 * keep serving their last views rather than an all-idle one while a moved entity reads its journal.
 *
 * <p>Persistence never blocks a decision or an answer: the state to record (route and overloaded
 * hosts, never per-call counters) goes to the child {@link LoadBalanceRecorder}, one write at a time,
 * the latest state winning; a failed write is retried by the recorder's restart with backoff while
 * reports keep being decided. On start the entity serves from memory at once and, when the recorder
 * has recovered, adopts the recorded overload states (unless it decided a transition since it
 * started, which is newer). Passivates when no node is subscribed and nothing arrived for
 * {@code passivate-after} (checked four times per period).
 *
 * <p>Statistics: changed counts are sent to the node's {@link ReporterClient} at most once per
 * {@code report-interval}, split into frames that each fit the 65,535-byte frame limit
 * ({@link StatisticsFrames}).
 */
public final class LoadBalanceEntity extends AbstractBehavior<LoadBalanceEntity.Command> {

  /** The sharding type key; entity ids are {@link ModuleId#entityId()}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "LoadBalance");

  /** Messages the entity accepts; the public ones may cross nodes. */
  public interface Command extends CborSerializable {}

  /**
   * A node serves the module and wants its views.
   *
   * @param node the node's {@link NodeViews}, where views go
   * @param route the route the node has from its dns, sorted; empty if none; adopted when the
   *     entity has no route yet
   */
  public record Subscribe(ActorRef<NodeViews.Command> node, List<Host> route) implements Command {
    /** Copies the route. */
    public Subscribe {
      Objects.requireNonNull(node, "node");
      route = List.copyOf(route);
    }
  }

  /**
   * A node no longer serves the module.
   *
   * @param node the node's {@link NodeViews}
   */
  public record Unsubscribe(ActorRef<NodeViews.Command> node) implements Command {}

  /**
   * The outcome of one call to a host (DESIGN.md "Load-balancing rules", R1-R5).
   *
   * @param host the host that was called; unknown hosts are ignored
   * @param retcode 0 for success, anything else a failure
   * @param timecostMs how long the call took, the wire's uint32; 0 = unknown
   */
  public record ReportItem(Host host, int retcode, int timecostMs) implements CborSerializable {}

  /**
   * Reports of one node for this module, in the order the node received them; no answer. The
   * sender is subscribed if it was not.
   *
   * @param node the node's {@link NodeViews}
   * @param items the reports, applied in order
   */
  public record ReportBatch(ActorRef<NodeViews.Command> node, List<ReportItem> items) implements Command {
    /** Copies the items. */
    public ReportBatch {
      Objects.requireNonNull(node, "node");
      items = List.copyOf(items);
    }
  }

  /**
   * The module's complete route from a node's dns client, an answer to a pull or a push.
   *
   * @param hosts the hosts; empty means the dns knows no host for the module
   */
  public record RoutesUpdated(List<Host> hosts) implements Command {

    /** Copies the list. */
    public RoutesUpdated {
      hosts = List.copyOf(hosts);
    }
  }

  /**
   * Asks for the whole load-balancing state, for the admin.
   *
   * @param replyTo where the answer goes
   */
  public record GetState(ActorRef<CurrentState> replyTo) implements Command {}

  /**
   * The answer to {@link GetState}; crosses nodes as CBOR like every other message of the entity.
   *
   * @param snapshot the module's route, host states and counters at the time of the question
   */
  public record CurrentState(LoadBalance.Snapshot snapshot) implements CborSerializable {
    /** @throws NullPointerException if {@code snapshot} is null */
    public CurrentState {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /**
   * Asks where the entity runs (tests, tools).
   *
   * @param replyTo where the answer goes
   */
  public record Locate(ActorRef<Located> replyTo) implements Command {}

  /**
   * The answer to {@link Locate}.
   *
   * @param entity the entity
   */
  public record Located(ActorRef<Command> entity) implements CborSerializable {}

  /**
   * What every entity of a node works with.
   *
   * @param loadBalance the load-balancing tuning
   * @param callerIp this agent's IPv4 (Lars int32 form), sent as {@code ReportStatusReq.caller}
   * @param passivateAfter an entity without subscribers and messages for this long passivates
   * @param reporterClient where statistics go
   */
  public record Dependencies(LoadBalanceSettings loadBalance, int callerIp, Duration passivateAfter,
      ActorRef<ReporterClient.Command> reporterClient) {

    /** Checks that nothing is missing. */
    public Dependencies {
      Objects.requireNonNull(loadBalance, "loadBalance");
      Objects.requireNonNull(passivateAfter, "passivateAfter");
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
   * What is persisted: route updates and host transitions, never per-call counters
   * (DESIGN.md "Persistence"). Nested here because the commands already have a
   * {@code RoutesUpdated}: refer to them as {@code Event.RoutesUpdated},
   * {@code Event.HostOverloaded}, {@code Event.HostIdled}. Written by
   * {@link LoadBalanceSerializer} under fixed manifests (DESIGN.md "Persisted data"), so these
   * classes may be renamed; a change of their fields needs a matching change of the serializer.
   */
  public sealed interface Event {

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
   * The persisted state: what a recovered entity needs to answer at once; the snapshot, written
   * by {@link LoadBalanceSerializer} (manifest {@value LoadBalanceSerializer#STATE}).
   *
   * @param routeKnown false until the first route arrived
   * @param hosts the route, sorted, immutable
   * @param overloaded the hosts of the route that are overloaded, sorted, immutable
   */
  public record State(boolean routeKnown, List<Host> hosts, List<Host> overloaded) {

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

  /** The recorder finished recovery (again, after a failure): the last recorded state. */
  record Recovered(State state) implements Command {}

  /** The recorder wrote (or found nothing to write): the state now recorded. */
  record Recorded(State state) implements Command {}

  private record SubscriberGone(ActorRef<NodeViews.Command> node) implements Command {}

  private enum ReportTick implements Command { INSTANCE }

  private enum IdleCheck implements Command { INSTANCE }

  private enum Stop implements Command { INSTANCE }

  private enum ForceStop implements Command { INSTANCE }

  private enum RecoveryGraceOver implements Command { INSTANCE }

  /**
   * How long a new entity keeps its views to itself while its recorder recovers: the nodes keep
   * serving their own (possibly overloaded) views instead of an all-idle one, unless the journal
   * cannot be read that fast (database down), when deciding goes on without it.
   */
  private static final Duration RECOVERY_GRACE = Duration.ofSeconds(2);

  /** How long a stopping entity waits for its last write. */
  private static final Duration LAST_WRITE_WAIT = Duration.ofSeconds(5);

  private final ModuleId module;
  private final Dependencies deps;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final TimerScheduler<Command> timers;
  private final AgentStats stats;
  private final LoadBalance loadBalance;
  private final ActorRef<LoadBalanceRecorder.Record> recorder;
  private final Set<ActorRef<NodeViews.Command>> subscribers = new HashSet<>();
  /** Hosts whose overload state this incarnation decided; the recovered state does not override them. */
  private final Set<Host> decided = new HashSet<>();
  private final LogThrottle transitionLog = new LogThrottle(Duration.ofSeconds(1));
  private final LogThrottle routeLog = new LogThrottle(Duration.ofSeconds(10));
  private final long passivateAfterMs;
  private long version;
  private long lastActivityMs;
  private int recoveries;
  /** The state the journal holds; null until the recorder recovered. */
  private State recorded;
  private boolean writing;
  private boolean stopping;
  /** Whether views go out: after the recorder recovered or the recovery grace is over. */
  private boolean publishing;

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
   * The entity's behavior, also usable without sharding in tests (the actor system needs a journal).
   *
   * @param module the module this entity decides for
   * @param shard the shard to ask for passivation
   * @param deps collaborators and settings
   * @param persistence snapshot settings of the recorder
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
    super(context);
    this.timers = timers;
    this.module = module;
    this.shard = shard;
    this.deps = deps;
    this.stats = AgentStats.get(context.getSystem());
    this.loadBalance = new LoadBalance(module, deps.loadBalance(), System::currentTimeMillis);
    this.passivateAfterMs = deps.passivateAfter().toMillis();
    this.lastActivityMs = System.currentTimeMillis();
    this.recorder = context.spawn(LoadBalanceRecorder.create(module, context.getSelf(), persistence), "recorder",
        DispatcherSelector.sameAsParent());
    // Not context.setReceiveTimeout: it reschedules a timer on every message.
    timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, deps.passivateAfter().dividedBy(4));
    timers.startSingleTimer(RecoveryGraceOver.INSTANCE, RECOVERY_GRACE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReportBatch.class, this::onReportBatch)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(RoutesUpdated.class, this::onRoutesUpdated)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(Locate.class, this::onLocate)
        .onMessage(Recovered.class, this::onRecovered)
        .onMessage(Recorded.class, this::onRecorded)
        .onMessage(SubscriberGone.class, this::onSubscriberGone)
        .onMessageEquals(ReportTick.INSTANCE, this::onReportTick)
        .onMessageEquals(IdleCheck.INSTANCE, this::onIdleCheck)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessageEquals(ForceStop.INSTANCE, Behaviors::stopped)
        .onMessageEquals(RecoveryGraceOver.INSTANCE, this::startPublishing)
        .build();
  }

  private Behavior<Command> onReportBatch(ReportBatch batch) {
    lastActivityMs = System.currentTimeMillis();
    subscribe(batch.node());
    boolean changed = false;
    for (ReportItem item : batch.items()) {
      Optional<LoadBalance.Transition> transition = loadBalance.report(item.host(), item.retcode(), item.timecostMs());
      if (transition.isPresent()) {
        LoadBalance.Transition t = transition.orElseThrow();
        decided.add(t.host());
        logTransition(t);
        changed = true;
      }
    }
    if (loadBalance.statsChanged() && !timers.isTimerActive(ReportTick.INSTANCE)) {
      timers.startSingleTimer(ReportTick.INSTANCE, deps.loadBalance().reportInterval());
    }
    if (changed) {
      viewChanged();
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    lastActivityMs = System.currentTimeMillis();
    if (!loadBalance.routeKnown() && !s.route().isEmpty()) {
      applyRoute(s.route());
    }
    subscribers.remove(s.node());
    subscribe(s.node());
    return this;
  }

  private void subscribe(ActorRef<NodeViews.Command> node) {
    if (subscribers.add(node)) {
      getContext().watchWith(node, new SubscriberGone(node));
      if (publishing && loadBalance.routeKnown()) {
        node.tell(new NodeViews.EntityView(view(), getContext().getSelf()));
      }
    }
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe u) {
    if (subscribers.remove(u.node())) {
      getContext().unwatch(u.node());
    }
    return this;
  }

  private Behavior<Command> onSubscriberGone(SubscriberGone gone) {
    subscribers.remove(gone.node());
    return this;
  }

  private Behavior<Command> onRoutesUpdated(RoutesUpdated update) {
    lastActivityMs = System.currentTimeMillis();
    applyRoute(update.hosts());
    return this;
  }

  private void applyRoute(List<Host> hosts) {
    boolean wasKnown = loadBalance.routeKnown();
    LoadBalance.RouteDiff diff = loadBalance.updateRoutes(hosts);
    if (diff.changed() || !wasKnown) {
      // Short on purpose (DESIGN.md "Robustness rules", H11): a module may have thousands of hosts.
      if (routeLog.tryAcquire()) {
        getContext().getLog().info("module {} route: {} hosts, {} added, {} removed", module,
            loadBalance.hosts().size(), diff.added().size(), diff.removed().size());
      }
      viewChanged();
    }
  }

  private Behavior<Command> onGetState(GetState request) {
    request.replyTo().tell(new CurrentState(loadBalance.snapshot()));
    return this;
  }

  private Behavior<Command> onLocate(Locate request) {
    request.replyTo().tell(new Located(getContext().getSelf()));
    return this;
  }

  private Behavior<Command> onRecovered(Recovered r) {
    if (recoveries++ > 0) {
      stats.recordRecordRetry();
    }
    recorded = r.state();
    writing = false;
    State state = r.state();
    if (state.routeKnown()) {
      if (!loadBalance.routeKnown()) {
        loadBalance.restore(state.hosts(), Set.copyOf(state.overloaded()));
        getContext().getLog().info("module {} recovered: {} hosts, {} overloaded", module, state.hosts().size(),
            state.overloaded().size());
        viewChanged();
      } else if (adoptRecoveredOverloads(state)) {
        viewChanged();
      }
    }
    recordIfNeeded();
    return startPublishing();
  }

  private Behavior<Command> startPublishing() {
    timers.cancel(RecoveryGraceOver.INSTANCE);
    if (!publishing) {
      publishing = true;
      if (loadBalance.routeKnown()) {
        publish();
      }
    }
    return this;
  }

  /** Adopts the recorded overload state of the hosts this incarnation has not decided about. */
  private boolean adoptRecoveredOverloads(State state) {
    Set<Host> current = loadBalance.overloaded();
    SortedSet<Host> wanted = new TreeSet<>();
    for (Host h : loadBalance.hosts()) {
      boolean over = decided.contains(h) ? current.contains(h) : state.overloaded().contains(h);
      if (over) {
        wanted.add(h);
      }
    }
    if (wanted.equals(current)) {
      return false;
    }
    loadBalance.restore(loadBalance.hosts(), wanted);
    return true;
  }

  private Behavior<Command> onRecorded(Recorded r) {
    recorded = r.state();
    writing = false;
    recordIfNeeded();
    if (stopping && !writing) {
      return Behaviors.stopped();
    }
    return this;
  }

  private Behavior<Command> onReportTick() {
    if (!loadBalance.statsChanged()) {
      return this;
    }
    ReportStatusReq header = ReportStatusReq.newBuilder()
        .setModid(module.modid())
        .setCmdid(module.cmdid())
        .setCaller(deps.callerIp())
        .setTs((int) (System.currentTimeMillis() / 1000))
        .build();
    for (ReportStatusReq request : StatisticsFrames.split(header, loadBalance.takeStatistics())) {
      deps.reporterClient().tell(new ReporterClient.Statistics(request));
    }
    return this;
  }

  private Behavior<Command> onIdleCheck() {
    if (subscribers.isEmpty() && System.currentTimeMillis() - lastActivityMs >= passivateAfterMs) {
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onStop() {
    recordIfNeeded();
    if (!writing) {
      return Behaviors.stopped();
    }
    stopping = true;
    timers.startSingleTimer(ForceStop.INSTANCE, LAST_WRITE_WAIT);
    return this;
  }

  private void viewChanged() {
    version++;
    if (publishing) {
      publish();
    }
    recordIfNeeded();
  }

  private void publish() {
    NodeViews.EntityView message = new NodeViews.EntityView(view(), getContext().getSelf());
    for (ActorRef<NodeViews.Command> node : subscribers) {
      node.tell(message);
    }
  }

  private void recordIfNeeded() {
    if (recorded == null || writing) {
      return;
    }
    State desired = loadBalance.routeKnown()
        ? new State(true, List.copyOf(loadBalance.hosts()), List.copyOf(loadBalance.overloaded()))
        : State.EMPTY;
    if (!desired.equals(recorded)) {
      writing = true;
      recorder.tell(new LoadBalanceRecorder.Record(desired));
    }
  }

  private ModuleView view() {
    return new ModuleView(module, version, true, List.copyOf(loadBalance.hosts()), List.copyOf(loadBalance.overloaded()),
        subscribers.size());
  }

  private void logTransition(LoadBalance.Transition t) {
    stats.recordTransition(t.toOverload());
    if (transitionLog.tryAcquire()) {
      getContext().getLog().info("module {} host {} {} ({}): vsucc={} verr={} rsucc={} rerr={}{}",
          module, t.host(), t.toOverload() ? "idle -> overload" : "overload -> idle", t.reason(),
          t.vsucc(), t.verr(), t.rsucc(), t.rerr(), transitionLog.suppressedNote());
    }
  }
}
