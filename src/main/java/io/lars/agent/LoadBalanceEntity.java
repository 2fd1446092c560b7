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

/**
 * The LoadBalance actor of one module (SPEC 7.2): an Akka Cluster Sharding entity of type
 * {@code "LoadBalance"}, entity id {@code "<modid>-<cmdid>"}, on nodes with role {@code agent}.
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
 * <p>Not event-sourced yet: the state is rebuilt from the dns after a restart.
 */
public final class LoadBalanceEntity extends AbstractBehavior<LoadBalanceEntity.Command> {

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

  private enum FirstPullWaitOver implements Command { INSTANCE }

  private enum ReportTick implements Command { INSTANCE }

  private enum IdleCheck implements Command { INSTANCE }

  private enum Stop implements Command { INSTANCE }

  private final ModuleId module;
  private final Dependencies deps;
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
   *
   * @param system the node's actor system
   * @param deps the node's collaborators and settings
   * @return the shard region
   */
  public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system, Dependencies deps) {
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ModuleId.parseEntityId(ctx.getEntityId()), ctx.getShard(), deps))
        .withRole(Role.AGENT.roleName())
        .withStopMessage(Stop.INSTANCE)
        .withEntityProps(DispatcherSelector.fromConfig(AgentRole.DISPATCHER))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * The entity's behavior, also usable without sharding in tests.
   *
   * @param module the module this entity balances
   * @param shard the shard to ask for passivation
   * @param deps collaborators and settings
   * @return the behavior
   */
  public static Behavior<Command> create(ModuleId module, ActorRef<ClusterSharding.ShardCommand> shard,
      Dependencies deps) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new LoadBalanceEntity(context, timers, module, shard, deps)));
  }

  private LoadBalanceEntity(ActorContext<Command> context, TimerScheduler<Command> timers, ModuleId module,
      ActorRef<ClusterSharding.ShardCommand> shard, Dependencies deps) {
    super(context);
    this.timers = timers;
    this.module = module;
    this.shard = shard;
    this.deps = deps;
    this.loadBalance = new LoadBalance(module, deps.loadBalance(), System::currentTimeMillis);
    this.passivateAfterMs = deps.passivateAfter().toMillis();
    this.lastActivityMs = System.currentTimeMillis();
    // Not context.setReceiveTimeout: it reschedules a timer on every message, a real cost on the hot path.
    timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, deps.passivateAfter().dividedBy(4));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetHost.class, this::onGetHost)
        .onMessage(Report.class, this::onReport)
        .onMessage(GetRoute.class, this::onGetRoute)
        .onMessage(RoutesUpdated.class, this::onRoutesUpdated)
        .onMessage(DnsReconnected.class, this::onDnsReconnected)
        .onMessage(GetState.class, this::onGetState)
        .onMessageEquals(FirstPullWaitOver.INSTANCE, this::answerWaiting)
        .onMessageEquals(ReportTick.INSTANCE, this::onReportTick)
        .onMessageEquals(IdleCheck.INSTANCE, this::onIdleCheck)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .build();
  }

  private Behavior<Command> onGetHost(GetHost request) {
    lastActivityMs = System.currentTimeMillis();
    if (!loadBalance.routeKnown()) {
      return hold(request);
    }
    answer(request);
    pullIfNeeded();
    return this;
  }

  private Behavior<Command> onGetRoute(GetRoute request) {
    lastActivityMs = System.currentTimeMillis();
    if (!loadBalance.routeKnown()) {
      return hold(request);
    }
    answer(request);
    pullIfNeeded();
    return this;
  }

  private Behavior<Command> onReport(Report report) {
    lastActivityMs = System.currentTimeMillis();
    loadBalance.report(report.host(), report.retcode(), report.timecostMs()).ifPresent(this::logTransition);
    if (loadBalance.statsChanged() && !timers.isTimerActive(ReportTick.INSTANCE)) {
      timers.startSingleTimer(ReportTick.INSTANCE, deps.loadBalance().reportInterval());
    }
    return this;
  }

  private Behavior<Command> onRoutesUpdated(RoutesUpdated update) {
    boolean wasKnown = loadBalance.routeKnown();
    LoadBalance.RouteDiff diff = loadBalance.updateRoutes(update.hosts());
    if (diff.changed() || !wasKnown) {
      getContext().getLog().info("module {} route updated: {} hosts, added {}, removed {}",
          module, update.hosts().size(), diff.added(), diff.removed());
    }
    return answerWaiting();
  }

  private Behavior<Command> onDnsReconnected(DnsReconnected reconnected) {
    if (loadBalance.pullStatus() == LoadBalance.PullStatus.PULLING) {
      loadBalance.markNew();
    }
    if (!waiting.isEmpty()) {
      pullIfNeeded();
    }
    return this;
  }

  private Behavior<Command> onGetState(GetState request) {
    request.replyTo().tell(loadBalance.snapshot());
    return this;
  }

  private Behavior<Command> onReportTick() {
    if (!loadBalance.statsChanged()) {
      return this;
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
    return this;
  }

  private Behavior<Command> onIdleCheck() {
    if (System.currentTimeMillis() - lastActivityMs >= passivateAfterMs) {
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onStop() {
    answerWaiting();
    return Behaviors.stopped();
  }

  private Behavior<Command> hold(Command request) {
    waiting.add(request);
    pullIfNeeded();
    Duration wait = deps.loadBalance().firstPullWait();
    if (wait.isZero()) {
      return answerWaiting();
    }
    if (!timers.isTimerActive(FirstPullWaitOver.INSTANCE)) {
      timers.startSingleTimer(FirstPullWaitOver.INSTANCE, wait);
    }
    return this;
  }

  /** Answers every held request with what is known now: the route, or NOEXIST / no hosts. */
  private Behavior<Command> answerWaiting() {
    timers.cancel(FirstPullWaitOver.INSTANCE);
    for (Command request : waiting) {
      if (request instanceof GetHost getHost) {
        answer(getHost);
      } else if (request instanceof GetRoute getRoute) {
        answer(getRoute);
      }
    }
    waiting.clear();
    return this;
  }

  private void answer(GetHost request) {
    LoadBalance.Pick pick = loadBalance.getHost();
    request.replyTo().tell(new HostAnswer(request.requestId(), module, pick.retCode(), pick.host(), getContext().getSelf()));
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
    AgentStats.get(getContext().getSystem()).recordTransition(t.toOverload());
    getContext().getLog().info("module {} host {} {} ({}): vsucc={} verr={} rsucc={} rerr={}",
        module, t.host(), t.toOverload() ? "idle -> overload" : "overload -> idle", t.reason(),
        t.vsucc(), t.verr(), t.rsucc(), t.rerr());
  }
}
