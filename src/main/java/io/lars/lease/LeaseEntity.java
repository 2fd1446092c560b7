package io.lars.lease;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.EventAdapter;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.lars.CborSerializable;
import io.lars.db.RouteLimits;
import io.lars.kernel.Role;
import io.lars.persisted.LegacyEventAdapter;
import io.lars.persisted.LegacySnapshotAdapter;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.transport.LogThrottle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The owner of one module's leases (DESIGN.md "Self-registration"): a sharded, event-sourced
 * entity of type
 * {@code "Leases"}, entity id {@code "<modid>-<cmdid>"}, on nodes with role {@code dns}.
 *
 * <p>Why this owner: one entity per module serialises every decision about the module's leases
 * without locks, sharding moves it to another dns node when its node is lost, and
 * remember-entities restarts it there at once, recovering its leases from the journal; a module's
 * leases are few (at most one route), so one entity is never the bottleneck of the cluster.
 *
 * <p>Registrations, deregistrations, drains and expiries are journaled
 * ({@link Event.Registered}, {@link Event.DrainStarted}, {@link Event.Removed}); heartbeats are
 * not: a lease's deadline lives in memory, and after a recovery every lease gets a fresh TTL (a
 * lost owner never expires its leases on the way back). After each change and every
 * {@code publish-interval} the entity publishes its {@link LeaseSet} on the node's topic
 * ({@link LeaseNode}); every dns node merges the active hosts into the routes it serves and pushes.
 *
 * <p>Every {@code check-interval}: draining leases whose drain time is over are removed; leases
 * past their TTL are expired only when the node's {@link LeaseBook} says the cluster-wide
 * {@link ExpiryGuard} allows it. A host that is a static RouteData row of the module cannot be
 * registered ({@link LeaseReply.Status#CONFLICT}); registering a host again renews its lease under
 * the same id (and ends a drain), so a retried registration is harmless.
 *
 * <p>Registrations are batched: the static rows are asked of the node's registry (in memory) once
 * for every registration that arrives until it answers, and those registrations (plus any that
 * queued while the previous batch was written) are decided in arrival order and written with one
 * {@code persist} of their events; each is answered on its own (OK after the write; CONFLICT or
 * INVALID at once), and the set is published once per batch.
 * With no lease left for {@code passivate-after} the entity passivates.
 */
public final class LeaseEntity extends EventSourcedBehavior<LeaseEntity.Command, LeaseEntity.Event, LeaseEntity.State> {

  /** The sharding type key; entity ids are {@link ModuleId#entityId()}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Leases");

  /** An entity with no lease passivates after this long. */
  private static final Duration PASSIVATE_AFTER = Duration.ofMinutes(2);

  /** Messages the entity accepts; the public ones may cross nodes. */
  public interface Command extends CborSerializable {}

  /**
   * Registers a host.
   *
   * @param request the valid request; its module must be this entity's
   * @param replyTo gets OK with the lease, CONFLICT, INVALID or UNAVAILABLE
   */
  public record Register(LeaseRequest request, ActorRef<LeaseReply> replyTo) implements Command {}

  /**
   * Renews a lease for its TTL (not journaled). A draining lease is answered OK with
   * {@code draining} and not renewed.
   *
   * @param leaseId the lease
   * @param replyTo gets OK or UNKNOWN
   */
  public record Heartbeat(String leaseId, ActorRef<LeaseReply> replyTo) implements Command {}

  /**
   * Ends a lease: with {@code drainS} 0 it is removed at once; otherwise it drains (its host leaves
   * the route at once) and is removed after {@code drainS} seconds.
   *
   * @param leaseId the lease
   * @param drainS 0..3600
   * @param replyTo gets OK or UNKNOWN
   */
  public record Deregister(String leaseId, int drainS, ActorRef<LeaseReply> replyTo) implements Command {}

  /**
   * Asks for the current lease set.
   *
   * @param replyTo gets it
   */
  public record GetLeases(ActorRef<LeaseSet> replyTo) implements Command {}

  /** The registry's answer for the registrations waiting since the ask (failure null when it answered). */
  private record StaticChecked(List<Host> staticHosts, String failure) implements Command {}

  private enum StaticCheckTimeout implements Command { INSTANCE }

  private record ExpiryVerdict(boolean allowed, List<String> asked) implements Command {}

  private enum Check implements Command { INSTANCE }

  private enum Stop implements Command { INSTANCE }

  /**
   * What is journaled. Written by {@link LeaseSerializer} under fixed manifests
   * (DESIGN.md "Persisted data"), so these classes may be renamed; a change of their fields needs a
   * matching change of the serializer.
   */
  public sealed interface Event {

    /**
     * A lease was granted, or granted again to the same host (same id: it replaces the old one).
     *
     * @param lease the lease
     */
    record Registered(Lease lease) implements Event {}

    /**
     * A lease started draining.
     *
     * @param leaseId the lease
     * @param untilMs unix millis at which it ends
     */
    record DrainStarted(String leaseId, long untilMs) implements Event {}

    /**
     * A lease ended.
     *
     * @param leaseId the lease
     * @param reason {@code deregistered}, {@code drained} or {@code expired}
     */
    record Removed(String leaseId, String reason) implements Event {}
  }

  /**
   * The journaled state: every lease by id; the snapshot, written by {@link LeaseSerializer}
   * (manifest {@value LeaseSerializer#STATE}).
   *
   * @param leases lease id to lease, sorted, immutable
   */
  public record State(Map<String, Lease> leases) {

    /** The state without leases. */
    public static final State EMPTY = new State(Map.of());

    /** Copies the map. */
    public State {
      leases = Collections.unmodifiableSortedMap(new TreeMap<>(leases));
    }

    State with(Lease lease) {
      Map<String, Lease> next = new TreeMap<>(leases);
      next.put(lease.id(), lease);
      return new State(next);
    }

    State without(String leaseId) {
      Map<String, Lease> next = new TreeMap<>(leases);
      next.remove(leaseId);
      return new State(next);
    }
  }

  /**
   * What the entities of a dns node work with.
   *
   * @param settings the lease settings
   * @param registry the node's dns registry (static rows, for the conflict check)
   * @param node the node's topic and lease book
   */
  public record Dependencies(LeaseSettings settings, ActorRef<RegistryLink.Message> registry, LeaseNode node) {
    /** Checks that nothing is missing. */
    public Dependencies {
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(node, "node");
    }
  }

  /**
   * Starts sharding of the lease owners on a dns node.
   *
   * @param system the node's actor system
   * @param deps the node's collaborators
   * @return the shard region
   */
  public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system, Dependencies deps) {
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ModuleId.parseEntityId(ctx.getEntityId()), ctx.getShard(), deps))
        .withRole(Role.DNS.roleName())
        .withStopMessage(Stop.INSTANCE));
  }

  /**
   * Starts the sharding proxy on a node without the dns role (agent, admin), so that it can reach
   * the owners; does nothing on a dns node, whose role starts the region itself.
   *
   * @param system the node's actor system
   * @param hasDnsRole whether this node runs the dns role
   */
  public static void initProxy(ActorSystem<?> system, boolean hasDnsRole) {
    if (!hasDnsRole) {
      ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> Behaviors.<Command>empty())
          .withRole(Role.DNS.roleName()));
    }
  }

  /**
   * @param module a module
   * @return its persistence id, {@code "Leases|<modid>-<cmdid>"}
   */
  public static PersistenceId persistenceId(ModuleId module) {
    return PersistenceId.of(ENTITY_KEY.name(), module.entityId());
  }

  /**
   * The entity's behavior, usable without sharding in tests (the system needs a journal).
   *
   * @param module the module
   * @param shard where passivation is asked
   * @param deps collaborators
   * @return the behavior
   */
  public static Behavior<Command> create(ModuleId module, ActorRef<ClusterSharding.ShardCommand> shard,
      Dependencies deps) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new LeaseEntity(context, timers, module, shard, deps)));
  }

  private record Expiry(long atMs, long ttlMs) {}

  /** A lease of a batch being written and whom to answer once it is. */
  private record Granted(Lease lease, ActorRef<LeaseReply> replyTo) {}

  private final ActorContext<Command> context;
  private final ModuleId module;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Dependencies deps;
  private final LeaseStats stats;
  /** Lease id to the unix millis its TTL ends: heartbeats only, never journaled. */
  private final Map<String, Long> deadlines = new HashMap<>();
  /** When leases of this module expired, for the guard's "within one TTL" window. */
  private final ArrayDeque<Expiry> expiries = new ArrayDeque<>();
  private final LogThrottle suspendedLog = new LogThrottle(Duration.ofSeconds(10));
  /** Registrations waiting for the registry's static hosts, in arrival order; at most one route's hosts. */
  private final List<Register> waiting = new ArrayList<>();
  private final ActorRef<RegistryLink.StaticHosts> staticHostsAdapter;
  private final TimerScheduler<Command> timers;
  private long version;
  private long lastPublishMs;
  private long emptySinceMs;
  private boolean verdictPending;

  private LeaseEntity(ActorContext<Command> context, TimerScheduler<Command> timers, ModuleId module,
      ActorRef<ClusterSharding.ShardCommand> shard, Dependencies deps) {
    super(persistenceId(module), SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.module = module;
    this.shard = shard;
    this.deps = deps;
    this.stats = LeaseStats.get(context.getSystem());
    this.emptySinceMs = System.currentTimeMillis();
    this.timers = timers;
    this.staticHostsAdapter = context.messageAdapter(RegistryLink.StaticHosts.class, a -> new StaticChecked(a.hosts(), null));
    timers.startTimerWithFixedDelay(Check.INSTANCE, deps.settings().checkInterval());
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(StaticChecked.class, this::onStaticChecked)
        .onCommand(StaticCheckTimeout.class, (state, timeout) -> onStaticCheckTimeout(state))
        .onCommand(Heartbeat.class, this::onHeartbeat)
        .onCommand(Deregister.class, this::onDeregister)
        .onCommand(GetLeases.class, (state, get) -> Effect().reply(get.replyTo(), leaseSet(state)))
        .onCommand(Check.class, (state, check) -> onCheck(state))
        .onCommand(ExpiryVerdict.class, this::onExpiryVerdict)
        .onCommand(Stop.class, (state, stop) -> Effect().stop())
        .build();
  }

  private Effect<Event, State> onRegister(State state, Register register) {
    if (!register.request().module().equals(module)) {
      return Effect().reply(register.replyTo(), LeaseReply.failed(LeaseReply.Status.INVALID,
          "module " + register.request().module() + " is not owned by the lease entity of " + module));
    }
    // One registry ask (in memory, no database) for every registration that arrives until it is
    // answered, so a burst is checked and written as one batch. A message adapter and a timer
    // rather than context.ask, whose Java variant completes through the JDK's default async
    // executor: a new thread per ask on a machine with fewer than 3 cores.
    if (waiting.size() >= RouteLimits.MAX_HOSTS_PER_MODULE) {
      return Effect().reply(register.replyTo(), LeaseReply.failed(LeaseReply.Status.UNAVAILABLE, "module " + module
          + " already has " + waiting.size() + " registrations waiting (more than one route can carry); retry"));
    }
    waiting.add(register);
    if (!timers.isTimerActive(StaticCheckTimeout.INSTANCE)) {
      timers.startSingleTimer(StaticCheckTimeout.INSTANCE, deps.settings().askTimeout());
      deps.registry().tell(new RegistryLink.StaticHostsOf(module, staticHostsAdapter));
    }
    return Effect().none();
  }

  /**
   * Decides the waiting registrations in arrival order against the state and the ones granted
   * before them in the batch, answers the refused ones at once and writes the granted ones with
   * one {@code persist} of all their events (one journal write); their answers follow the write.
   */
  private Effect<Event, State> onStaticChecked(State state, StaticChecked checked) {
    timers.cancel(StaticCheckTimeout.INSTANCE);
    List<Register> batch = List.copyOf(waiting);
    waiting.clear();
    if (checked.failure() != null) {
      batch.forEach(r -> r.replyTo().tell(LeaseReply.failed(LeaseReply.Status.UNAVAILABLE, checked.failure())));
      return Effect().none();
    }
    Set<Host> staticHosts = new HashSet<>(checked.staticHosts());
    Map<Host, Lease> byHost = new HashMap<>();
    state.leases().values().forEach(l -> byHost.put(l.host(), l));
    long now = System.currentTimeMillis();
    List<Event> events = new ArrayList<>();
    List<Granted> granted = new ArrayList<>();
    for (Register register : batch) {
      LeaseRequest request = register.request();
      if (staticHosts.contains(request.host())) {
        stats.recordConflict();
        register.replyTo().tell(LeaseReply.failed(LeaseReply.Status.CONFLICT, "host " + request.host()
            + " is a static RouteData row of module " + module + "; remove the row or register another host"));
        continue;
      }
      Lease previous = byHost.get(request.host());
      if (previous == null && byHost.size() >= RouteLimits.MAX_HOSTS_PER_MODULE) {
        register.replyTo().tell(LeaseReply.failed(LeaseReply.Status.INVALID, "module " + module + " already has "
            + byHost.size() + " leases, the most one route can carry"));
        continue;
      }
      // Registering a host again (a retried request, a restarted instance) keeps its lease id, so a
      // retry whose first answer was lost cannot leave the caller with a lease that no longer exists.
      String id = previous != null ? previous.id()
          : module.entityId() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong());
      Lease lease = new Lease(id, request.host(), request.ttlS(), request.weight(), request.metadata(),
          previous != null ? previous.registeredAtMs() : now, 0);
      byHost.put(lease.host(), lease);
      events.add(new Event.Registered(lease));
      granted.add(new Granted(lease, register.replyTo()));
    }
    if (events.isEmpty()) {
      return Effect().none();
    }
    return Effect().persist(events).thenRun(s -> {
      for (Granted g : granted) {
        deadlines.put(g.lease().id(), now + g.lease().ttlS() * 1000L);
        stats.recordRegistered();
        g.replyTo().tell(LeaseReply.ok(g.lease()));
      }
      publish(s);
    });
  }

  private Effect<Event, State> onStaticCheckTimeout(State state) {
    // A late answer finds nothing waiting, or the registrations of a later ask, which it serves as well.
    return onStaticChecked(state, new StaticChecked(List.of(), "the dns registry did not answer within "
        + deps.settings().askTimeout().toMillis() + " ms"));
  }

  private Effect<Event, State> onHeartbeat(State state, Heartbeat heartbeat) {
    Lease lease = state.leases().get(heartbeat.leaseId());
    if (lease == null) {
      return Effect().reply(heartbeat.replyTo(), LeaseReply.failed(LeaseReply.Status.UNKNOWN,
          "lease " + heartbeat.leaseId() + " is unknown (expired or deregistered); register again"));
    }
    if (!lease.draining()) {
      deadlines.put(lease.id(), System.currentTimeMillis() + lease.ttlS() * 1000L);
    }
    stats.recordHeartbeat();
    return Effect().reply(heartbeat.replyTo(), LeaseReply.ok(lease));
  }

  private Effect<Event, State> onDeregister(State state, Deregister deregister) {
    Lease lease = state.leases().get(deregister.leaseId());
    if (lease == null) {
      return Effect().reply(deregister.replyTo(), LeaseReply.failed(LeaseReply.Status.UNKNOWN,
          "lease " + deregister.leaseId() + " is unknown (expired or deregistered)"));
    }
    if (deregister.drainS() <= 0) {
      return Effect().persist(new Event.Removed(lease.id(), "deregistered"))
          .thenRun(this::afterRemoval)
          .thenReply(deregister.replyTo(), s -> new LeaseReply(LeaseReply.Status.OK, lease.id(), lease.ttlS(), false, ""));
    }
    long until = System.currentTimeMillis() + Math.min(deregister.drainS(), LeaseRequest.MAX_DRAIN_S) * 1000L;
    return Effect().persist(new Event.DrainStarted(lease.id(), until))
        .thenRun(this::publish)
        .thenReply(deregister.replyTo(), s -> LeaseReply.ok(s.leases().get(lease.id())));
  }

  private Effect<Event, State> onCheck(State state) {
    long now = System.currentTimeMillis();
    while (!expiries.isEmpty() && expiries.peekFirst().atMs() + expiries.peekFirst().ttlMs() < now) {
      expiries.pollFirst();
    }
    List<Event> drained = new ArrayList<>();
    for (Lease lease : state.leases().values()) {
      if (lease.draining() && lease.drainUntilMs() <= now) {
        drained.add(new Event.Removed(lease.id(), "drained"));
      }
    }
    if (!drained.isEmpty()) {
      return Effect().persist(drained).thenRun(this::afterRemoval);
    }
    List<Lease> due = due(state, now);
    if (!due.isEmpty() && !verdictPending) {
      verdictPending = true;
      LeaseSet set = leaseSet(state);
      List<String> asked = due.stream().map(Lease::id).toList();
      context.ask(Boolean.class, deps.node().book(), deps.settings().askTimeout(),
          replyTo -> new LeaseBook.MayExpire(set, replyTo),
          (allowed, failure) -> new ExpiryVerdict(failure == null && allowed, asked));
    } else if (now - lastPublishMs >= deps.settings().publishInterval().toMillis()) {
      publish(state);
    }
    if (state.leases().isEmpty() && now - emptySinceMs >= PASSIVATE_AFTER.toMillis()) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  private Effect<Event, State> onExpiryVerdict(State state, ExpiryVerdict verdict) {
    verdictPending = false;
    long now = System.currentTimeMillis();
    // Only the leases the guard was asked about: more may have fallen due meanwhile, and expiring
    // them too would overshoot the fraction the guard allowed.
    List<Lease> due = due(state, now).stream().filter(l -> verdict.asked().contains(l.id())).toList();
    if (due.isEmpty()) {
      return Effect().none();
    }
    if (!verdict.allowed()) {
      stats.recordExpirySuspended();
      if (suspendedLog.tryAcquire()) {
        context.getLog().warn("module {}: {} leases are past their TTL but expiry is suspended: too many leases of the "
            + "cluster would expire within one TTL (lars.dns.leases.max-expiry-fraction){}", module, due.size(),
            suspendedLog.suppressedNote());
      }
      publish(state);
      return Effect().none();
    }
    List<Event> events = due.stream().<Event>map(l -> new Event.Removed(l.id(), "expired")).toList();
    for (Lease lease : due) {
      expiries.addLast(new Expiry(now, lease.ttlS() * 1000L));
    }
    stats.recordExpired(due.size());
    context.getLog().info("module {}: {} leases expired (no heartbeat within their TTL): {}", module, due.size(),
        due.stream().map(Lease::host).toList());
    return Effect().persist(events).thenRun(this::afterRemoval);
  }

  private List<Lease> due(State state, long now) {
    List<Lease> due = new ArrayList<>();
    for (Lease lease : state.leases().values()) {
      Long deadline = deadlines.get(lease.id());
      if (!lease.draining() && deadline != null && deadline <= now) {
        due.add(lease);
      }
    }
    return due;
  }

  private void afterRemoval(State state) {
    deadlines.keySet().retainAll(state.leases().keySet());
    if (state.leases().isEmpty()) {
      emptySinceMs = System.currentTimeMillis();
    }
    publish(state);
  }

  private void publish(State state) {
    LeaseSet set = leaseSet(state);
    lastPublishMs = System.currentTimeMillis();
    deps.node().publish(set);
  }

  private LeaseSet leaseSet(State state) {
    long now = System.currentTimeMillis();
    version = Math.max(now, version + 1);
    return new LeaseSet(module, version, List.copyOf(state.leases().values()), due(state, now).size(), expiries.size());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Event.Registered.class, (state, e) -> state.with(e.lease()))
        .onEvent(Event.DrainStarted.class, (state, e) -> {
          Lease lease = state.leases().get(e.leaseId());
          return lease == null ? state : state.with(lease.drainingUntil(e.untilMs()));
        })
        .onEvent(Event.Removed.class, (state, e) -> state.without(e.leaseId()))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          // Heartbeats are not journaled: every recovered lease starts a fresh TTL.
          long now = System.currentTimeMillis();
          state.leases().values().forEach(l -> deadlines.put(l.id(), now + l.ttlS() * 1000L));
          if (!state.leases().isEmpty()) {
            context.getLog().info("module {}: recovered {} leases, each with a fresh TTL", module, state.leases().size());
          }
          publish(state);
        })
        .build();
  }

  /** @return today's events as they are; rows of the old Jackson format as today's events */
  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return new LegacyEventAdapter<>(Event.class, LeaseLegacyJournal::event);
  }

  /** @return today's state as it is; a snapshot of the old Jackson format as today's state */
  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new LegacySnapshotAdapter<>(State.class, LeaseLegacyJournal::state);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
  }
}
