package io.lars.dns;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import io.lars.Futures;
import io.lars.db.RouteLimits;
import io.lars.db.RouteRepository;
import io.lars.kernel.RouteReload;
import io.lars.lease.LeaseStats;
import io.lars.protocol.ModuleId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Keeps the dns's route table in step with the database (reference: the dns backend thread).
 *
 * <p>At start it clears old {@code RouteChange} rows and loads every route. Every poll interval
 * it reads {@code RouteVersion}; when the version changed it reloads the routes, reads the
 * {@code RouteChange} modules up to that version, publishes the new table with those modules
 * (plus any module whose hosts differ from the last table) and deletes those rows. Every full
 * reload interval it reloads anyway and publishes the modules whose hosts differ, so edits made
 * without {@code RouteChange} rows still reach the agents. {@link ReloadNow} does a reload at once.
 *
 * <p>All JDBC runs on the given executor ({@code lars-jdbc-dispatcher}), one cycle at a time;
 * ticks that come while a cycle runs are merged into the next one. A database failure is logged
 * once per outage (and once on recovery), the last good table keeps serving, and the cycle is
 * retried on the next tick.
 *
 * <p>Protection (DESIGN.md "Self-registration"): a reload that drops more than {@code
 * max-shrink-fraction} of a module's
 * hosts without {@code RouteChange} rows for it keeps the module's last good route
 * ({@link RouteTable#limitShrink}); the changes with rows are pushed as deliberate. The modules held
 * back this way (or for being too large, H5) are answered to {@link GetHeldRoutes}, which the
 * node's {@code /ready/details} shows.
 */
public final class Poller extends AbstractBehavior<Poller.Command> {

  /** What the poller does. */
  public interface Command {}

  /**
   * Reads the version and reloads the routes now instead of at the next tick, publishing the
   * changed modules as usual. A {@link RouteReload.ReloadNow} from the cluster arrives as this.
   */
  public record ReloadNow() implements Command {}

  /**
   * Like {@link ReloadNow}, and answers once a reload that started after this request has
   * finished: its table handed to the registry, or its failure logged (the polls then retry). So
   * whoever wrote routes may tell its users they are served: a pull that reaches the registry
   * after the answer sees them.
   *
   * @param replyTo gets {@code Done}
   */
  public record Reload(ActorRef<Done> replyTo) implements Command {}

  /**
   * Asks which modules are served their last good route because their loaded one was refused.
   * Local to the node (the management route {@code /ready/details} asks it).
   *
   * @param replyTo gets the modules held back now
   */
  public record GetHeldRoutes(ActorRef<HeldRoutes> replyTo) implements Command {}

  /** Why a module's loaded route was refused. */
  public enum HoldReason {
    /** It lost more than {@code max-shrink-fraction} of the hosts without {@code RouteChange} rows. */
    SHRINK,
    /** It has more hosts than one frame carries ({@link RouteLimits#MAX_HOSTS_PER_MODULE}, H5). */
    OVERSIZE
  }

  /**
   * A module whose loaded route is refused; the route served is its last good one.
   *
   * @param module the module
   * @param reason why the load was refused
   * @param hostsKept hosts of the route served now (the last good one; 0 when an oversize module
   *     never had one)
   * @param hostsLoaded hosts of the latest refused load (0 for an emptied module)
   * @param since when the first reload of this unbroken run of refusals finished (wall clock, UTC)
   */
  public record HeldRoute(ModuleId module, HoldReason reason, int hostsKept, int hostsLoaded, Instant since) {}

  /**
   * The answer to {@link GetHeldRoutes}.
   *
   * @param routes the modules held back, sorted by module; empty when every load is served
   * @param maxShrinkFraction {@code lars.dns.max-shrink-fraction}, 0..1 (1 = the check is off)
   */
  public record HeldRoutes(List<HeldRoute> routes, double maxShrinkFraction) {
    /** Copies the list. */
    public HeldRoutes {
      routes = List.copyOf(routes);
    }
  }

  /**
   * The key each poller registers itself under, for its own node to find it ({@code /ready/details}
   * asks {@link GetHeldRoutes}); the cluster's reload requests use {@link RouteReload#SERVICE_KEY}.
   */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "lars-dns-poller");

  private enum Tick implements Command { POLL, FULL_RELOAD }

  private record CycleDone(Cycle cycle) implements Command {}

  private record CycleFailed(boolean reload, Throwable cause) implements Command {}

  /** The outcome of one cycle of queries: the version read and, if reloaded, the table and changes. */
  private record Cycle(long version, Optional<RouteTable> routes, List<ModuleId> changes) {}

  private final RouteRepository repository;
  private final Executor jdbc;
  private final ActorRef<Registry.RoutesUpdated> publishTo;
  private final Duration pollInterval;
  private final double maxShrinkFraction;
  /** Only for {@link HeldRoute#since}, which operators read. */
  private final Clock clock = Clock.systemUTC();
  /** Modules whose reload was refused as shrinking too much, logged and counted once until it passes. */
  private Map<ModuleId, HeldRoute> shrunk = Map.of();

  private RouteTable routes = RouteTable.empty();
  /** Modules whose loaded route is too large, each logged and counted once until it fits again. */
  private Map<ModuleId, HeldRoute> oversize = Map.of();
  private long version;
  private boolean started;
  private boolean busy;
  private boolean pollDue;
  private boolean reloadDue;
  private boolean databaseDown;
  /** {@link Reload} requests waiting for the next reload cycle to start. */
  private final List<ActorRef<Done>> reloadWaiters = new ArrayList<>();
  /** {@link Reload} requests answered when the running cycle ends. */
  private List<ActorRef<Done>> cycleWaiters = List.of();

  private Poller(ActorContext<Command> context, RouteRepository repository, Executor jdbc, Duration pollInterval,
      double maxShrinkFraction, ActorRef<Registry.RoutesUpdated> publishTo) {
    super(context);
    this.repository = repository;
    this.jdbc = jdbc;
    this.pollInterval = pollInterval;
    this.maxShrinkFraction = maxShrinkFraction;
    this.publishTo = publishTo;
  }

  /**
   * @param repository the routes; called only from the {@code jdbc} executor
   * @param jdbc the executor for blocking JDBC ({@code Database.jdbcExecutor(system)})
   * @param pollInterval how often {@code RouteVersion} is read (reference: 1 s)
   * @param fullReloadInterval how often the routes are reloaded regardless (reference: 10 s)
   * @param publishTo gets every new table with the modules to push; the first one after start
   *     carries every module
   * @return the behavior without the shrink protection ({@code max-shrink-fraction} 1); the first
   *     load starts at once
   */
  public static Behavior<Command> create(RouteRepository repository, Executor jdbc, Duration pollInterval,
      Duration fullReloadInterval, ActorRef<Registry.RoutesUpdated> publishTo) {
    return create(repository, jdbc, pollInterval, fullReloadInterval, 1.0, publishTo);
  }

  /**
   * @param repository the routes; called only from the {@code jdbc} executor
   * @param jdbc the executor for blocking JDBC ({@code Database.jdbcExecutor(system)})
   * @param pollInterval how often {@code RouteVersion} is read (reference: 1 s)
   * @param fullReloadInterval how often the routes are reloaded regardless (reference: 10 s)
   * @param maxShrinkFraction the largest fraction of a module's hosts one reload may drop without
   *     {@code RouteChange} rows for the module, 0..1 ({@code lars.dns.max-shrink-fraction}; 1 = off)
   * @param publishTo gets every new table with the modules to push; the first one after start
   *     carries every module
   * @return the behavior; the first load starts at once
   */
  public static Behavior<Command> create(RouteRepository repository, Executor jdbc, Duration pollInterval,
      Duration fullReloadInterval, double maxShrinkFraction, ActorRef<Registry.RoutesUpdated> publishTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.POLL, pollInterval);
      timers.startTimerWithFixedDelay(Tick.FULL_RELOAD, fullReloadInterval);
      Poller poller = new Poller(context, repository, jdbc, pollInterval, maxShrinkFraction, publishTo);
      context.getSystem().receptionist().tell(Receptionist.register(RouteReload.SERVICE_KEY,
          context.messageAdapter(RouteReload.Command.class, Poller::fromCluster)));
      context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
      poller.onTick(Tick.POLL);
      return poller;
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, this::onTick)
        .onMessage(ReloadNow.class, this::onReloadNow)
        .onMessage(Reload.class, this::onReload)
        .onMessage(GetHeldRoutes.class, this::onGetHeldRoutes)
        .onMessage(CycleDone.class, this::onCycleDone)
        .onMessage(CycleFailed.class, this::onCycleFailed)
        .build();
  }

  private Behavior<Command> onTick(Tick tick) {
    if (tick == Tick.FULL_RELOAD) {
      reloadDue = true;
    } else {
      pollDue = true;
    }
    runCycleIfIdle();
    return this;
  }

  private static Command fromCluster(RouteReload.Command request) {
    return request instanceof RouteReload.Reload reload ? new Reload(reload.replyTo()) : new ReloadNow();
  }

  private Behavior<Command> onReloadNow(ReloadNow reload) {
    reloadDue = true;
    runCycleIfIdle();
    return this;
  }

  private Behavior<Command> onReload(Reload reload) {
    reloadWaiters.add(reload.replyTo());
    reloadDue = true;
    runCycleIfIdle();
    return this;
  }

  private Behavior<Command> onGetHeldRoutes(GetHeldRoutes get) {
    Map<ModuleId, HeldRoute> held = new TreeMap<>(oversize);
    held.putAll(shrunk);
    get.replyTo().tell(new HeldRoutes(List.copyOf(held.values()), maxShrinkFraction));
    return this;
  }

  private void answerCycleWaiters() {
    cycleWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
    cycleWaiters = List.of();
  }

  private Behavior<Command> onCycleDone(CycleDone done) {
    busy = false;
    if (databaseDown) {
      databaseDown = false;
      getContext().getLog().info("route database is back; route version {}", done.cycle().version());
    }
    done.cycle().routes().ifPresent(newer -> swap(done.cycle(), newer));
    answerCycleWaiters();
    runCycleIfIdle();
    return this;
  }

  private Behavior<Command> onCycleFailed(CycleFailed failed) {
    busy = false;
    reloadDue |= failed.reload();
    pollDue = false;
    if (!databaseDown) {
      databaseDown = true;
      getContext().getLog().warn("cannot read routes, serving the last table ({}, version {}) and retrying every {}: {}",
          routes, version, pollInterval, failed.cause().getMessage());
    }
    answerCycleWaiters();
    // No retry until the next tick, so an outage does not spin.
    return this;
  }

  private void swap(Cycle cycle, RouteTable loaded) {
    Set<ModuleId> deliberate = Set.copyOf(cycle.changes());
    RouteTable newer = refuseShrink(refuseOversize(loaded), deliberate);
    Set<ModuleId> changed = new HashSet<>(cycle.changes());
    changed.addAll(routes.changedModules(newer));
    boolean first = !started;
    long oldVersion = version;
    routes = newer;
    version = cycle.version();
    DnsStats.get(getContext().getSystem()).routeVersion(version);
    started = true;
    if (first || !changed.isEmpty()) {
      getContext().getLog().info("route version {} -> {}: {}; {} modules to push",
          oldVersion, version, newer, changed.size());
      publishTo.tell(new Registry.RoutesUpdated(newer, changed, deliberate));
    }
  }

  /** Keeps routes above {@link RouteLimits#MAX_HOSTS_PER_MODULE} out of the served table. */
  private RouteTable refuseOversize(RouteTable loaded) {
    RouteTable.Limited limited = loaded.limitHosts(routes, RouteLimits.MAX_HOSTS_PER_MODULE);
    DnsStats stats = DnsStats.get(getContext().getSystem());
    for (ModuleId module : limited.refused()) {
      if (!oversize.containsKey(module)) {
        stats.routeRefused();
        getContext().getLog().error("module {} has {} hosts in RouteData, more than the {} one GetRouteResponse can "
            + "carry: not serving it ({}); remove hosts or split the module", module, loaded.hosts(module).size(),
            RouteLimits.MAX_HOSTS_PER_MODULE, limited.table().hosts(module).isEmpty()
                ? "no earlier route to keep" : "keeping its last good route of "
                    + limited.table().hosts(module).size() + " hosts");
      }
    }
    oversize = held(oversize, limited, loaded, HoldReason.OVERSIZE);
    return limited.table();
  }

  /**
   * Keeps the last good route of every module that lost more than {@code max-shrink-fraction} of
   * its hosts without {@code RouteChange} rows (DESIGN.md "Self-registration"); once per module
   * until it passes again,
   * logged and counted.
   */
  private RouteTable refuseShrink(RouteTable loaded, Set<ModuleId> deliberate) {
    if (!started || maxShrinkFraction >= 1.0) {
      shrunk = Map.of();
      return loaded;
    }
    RouteTable.Limited limited = loaded.limitShrink(routes, deliberate, maxShrinkFraction);
    LeaseStats stats = LeaseStats.get(getContext().getSystem());
    for (ModuleId module : limited.refused()) {
      if (!shrunk.containsKey(module)) {
        stats.recordShrinkRefused();
        getContext().getLog().error("module {}: the reload has {} of its {} hosts, a loss above "
            + "lars.dns.max-shrink-fraction {} without RouteChange rows (a failed or partial load?); keeping its last "
            + "good route. Write the change through the admin or `lars route` (or add RouteChange rows) to make it "
            + "deliberate", module, loaded.hosts(module).size(), routes.hosts(module).size(), maxShrinkFraction);
      }
    }
    shrunk = held(shrunk, limited, loaded, HoldReason.SHRINK);
    return limited.table();
  }

  /** The refused modules of one reload, each keeping the {@code since} of its earlier refusal. */
  private Map<ModuleId, HeldRoute> held(Map<ModuleId, HeldRoute> before, RouteTable.Limited limited, RouteTable loaded,
      HoldReason reason) {
    if (limited.refused().isEmpty()) {
      return Map.of();
    }
    Instant now = clock.instant();
    Map<ModuleId, HeldRoute> held = new TreeMap<>();
    for (ModuleId module : limited.refused()) {
      HeldRoute earlier = before.get(module);
      held.put(module, new HeldRoute(module, reason, limited.table().hosts(module).size(), loaded.hosts(module).size(),
          earlier == null ? now : earlier.since()));
    }
    return held;
  }

  private void runCycleIfIdle() {
    if (busy || !(pollDue || reloadDue)) {
      return;
    }
    busy = true;
    boolean start = !started;
    boolean reload = reloadDue || start;
    long known = version;
    pollDue = false;
    reloadDue = false;
    cycleWaiters = List.copyOf(reloadWaiters);
    reloadWaiters.clear();
    RouteRepository repo = repository;
    getContext().pipeToSelf(
        CompletableFuture.supplyAsync(() -> runCycle(repo, start, reload, known), jdbc),
        (cycle, failure) -> failure == null ? new CycleDone(cycle) : new CycleFailed(reload, Futures.unwrap(failure)));
  }

  /**
   * One cycle of blocking queries, run on the JDBC executor. Changes are read before the routes,
   * so every change row consumed here is already in the routes loaded after it.
   */
  private static Cycle runCycle(RouteRepository repository, boolean start, boolean reload, long knownVersion) {
    if (start) {
      repository.clearChanges();
    }
    long version = repository.readVersion();
    boolean versionChanged = start || version != knownVersion;
    if (!versionChanged && !reload) {
      return new Cycle(version, Optional.empty(), List.of());
    }
    List<ModuleId> changes = versionChanged && !start ? repository.readChanges(version) : List.of();
    RouteTable routes = RouteTable.of(repository.loadRoutes());
    if (!changes.isEmpty()) {
      repository.deleteChanges(version);
    }
    return new Cycle(version, Optional.of(routes), changes);
  }
}
