package io.lars.agent;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.kernel.Metrics;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.transport.TransportStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of the {@code agent} role on one node, one instance per actor system (an Akka
 * extension), so the endpoints, clients, entities, health checks, the admin and tests all see the
 * same numbers: Micrometer counters and gauges registered once in the node's registry when the
 * extension is made (only on a node with the agent role, see {@link AgentPortsCheck}) and counted
 * directly, without a registry lookup per request. Counters only grow. The per-module meters ({@link ModuleMetrics}) are
 * kept here too, so that the ports count per module through the same object.
 */
public final class AgentStats implements Extension {

  private static final ExtensionId<AgentStats> ID = new ExtensionId<>() {
    @Override
    public AgentStats createExtension(ActorSystem<?> system) {
      MeterRegistry registry = Metrics.get(system).registry();
      return new AgentStats(registry, new ModuleMetrics(registry));
    }
  };

  private final TransportStats udp;
  private final TransportStats dnsClient;
  private final TransportStats reporterClient;
  private final Counter getHostRequests;
  private final Counter reportRequests;
  private final Counter getRouteRequests;
  private final Counter droppedDatagrams;
  private final Counter timeouts;
  private final Counter statisticsSent;
  private final Counter statisticsDropped;
  /** Indexed by {@link RetCode#ordinal()}: no map lookup per answer. */
  private final Counter[] getHostAnswers = new Counter[RetCode.values().length];
  private final Counter toOverload;
  private final Counter toIdle;
  private final Counter waitingRejected;
  private final Counter reportsDropped;
  private final Counter reportBatchesSent;
  private final Counter routesTruncated;
  private final Counter recordRetries;
  private final Counter portRestarts;
  private final Counter negativeHits;
  private final Counter pullsRefused;
  private final Counter emptyRoutesRefused;
  private final Counter leaseRequests;
  private final Counter handlerErrors;
  private final AtomicLong views = new AtomicLong();
  private final AtomicLong staleViews = new AtomicLong();
  private final AtomicLong portsDown = new AtomicLong();

  private final ModuleMetrics modules;

  private AgentStats(MeterRegistry registry, ModuleMetrics modules) {
    this.modules = modules;
    MeterRegistry own = new SimpleMeterRegistry();
    udp = new TransportStats(registry, "agent-udp", false);
    dnsClient = new TransportStats(registry, "agent-dns-client", false);
    reporterClient = new TransportStats(registry, "agent-reporter-client", false);
    for (RetCode code : RetCode.values()) {
      getHostAnswers[code.ordinal()] = Counter.builder("lars.agent.get.host")
          .description("GetHostResponses sent, by return code").tags("retcode", code.name()).register(registry);
    }
    reportRequests = counter(registry, "lars.agent.reports", "ReportRequests received");
    getRouteRequests = counter(registry, "lars.agent.get.route", "API GetRouteRequests received");
    timeouts = counter(registry, "lars.agent.timeouts",
        "requests answered SYSTEM_ERROR after waiting ask-timeout for a view");
    toOverload = Counter.builder("lars.agent.host.transitions").description("host transitions")
        .tags("to", "overload").register(registry);
    toIdle = Counter.builder("lars.agent.host.transitions").description("host transitions")
        .tags("to", "idle").register(registry);
    statisticsSent = counter(registry, "lars.agent.statistics.sent", "ReportStatusRequests sent to the reporter");
    statisticsDropped = counter(registry, "lars.agent.statistics.dropped",
        "ReportStatusRequests dropped (reporter down or unbuildable)");
    waitingRejected = counter(registry, "lars.agent.waiting.rejected",
        "requests answered SYSTEM_ERROR at once because max-waiting-requests wait already");
    reportsDropped = counter(registry, "lars.agent.reports.dropped",
        "reports dropped (no view on this node, or buffer full)");
    reportBatchesSent = counter(registry, "lars.agent.report.batches", "report batches sent to LoadBalance entities");
    routesTruncated = counter(registry, "lars.agent.routes.truncated", "GetRoute answers cut to fit one datagram");
    recordRetries = counter(registry, "lars.agent.record.retries",
        "journal recoveries again after a failed read or write");
    portRestarts = counter(registry, "lars.agent.port.restarts",
        "agent UDP ports bound again after their stream stopped");
    negativeHits = counter(registry, "lars.agent.negative.hits", "requests answered NOEXIST from the negative cache");
    pullsRefused = counter(registry, "lars.agent.pulls.refused",
        "requests for new modules answered NOEXIST beyond max-new-pulls-per-second");
    handlerErrors = counter(registry, "lars.agent.handler.errors",
        "datagrams whose handling failed unexpectedly (dropped)");
    emptyRoutesRefused = counter(registry, "lars.agent.empty.routes.refused",
        "empty dns routes without the deliberate flag not applied");
    leaseRequests = counter(registry, "lars.agent.lease.requests", "lease requests (ids 9, 11, 13) received");
    Gauge.builder("lars.agent.views", views, AtomicLong::get).description("module views this node serves")
        .register(registry);
    Gauge.builder("lars.agent.views.stale", staleViews, AtomicLong::get)
        .description("module views not confirmed by their entity for stale-after").register(registry);
    Gauge.builder("lars.agent.ports.down", portsDown, AtomicLong::get).description("agent UDP ports not bound")
        .register(registry);
    // counted for the tests and the admin, not exposed
    getHostRequests = counter(own, "lars.agent.get.host.requests", "");
    droppedDatagrams = counter(own, "lars.agent.dropped.datagrams", "");
  }

  private static Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /**
   * @param system the node's actor system
   * @return that system's agent counters
   */
  public static AgentStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return the counters shared by the UDP servers of every agent port (bad frames are dropped there) */
  public TransportStats udp() {
    return udp;
  }

  /** @return the counters of the TCP connection to the dns */
  public TransportStats dnsClient() {
    return dnsClient;
  }

  /** @return the counters of the TCP connection to the reporter */
  public TransportStats reporterClient() {
    return reporterClient;
  }

  /** @return well-formed GetHostRequest datagrams (id 4) received */
  public long getHostRequests() {
    return (long) getHostRequests.count();
  }

  /** @return well-formed ReportRequest datagrams (id 6) received */
  public long reportRequests() {
    return (long) reportRequests.count();
  }

  /** @return well-formed API GetRouteRequest datagrams (id 7) received */
  public long getRouteRequests() {
    return (long) getRouteRequests.count();
  }

  /**
   * @return datagrams holding a valid frame that the endpoint dropped: an id other than 4, 6, 7
   *     or a body that is not the message of its id (invalid frames are counted in {@link #udp()})
   */
  public long droppedDatagrams() {
    return (long) droppedDatagrams.count();
  }

  /** @return requests answered SYSTEM_ERROR because their module had no view within {@code ask-timeout} */
  public long timeouts() {
    return (long) timeouts.count();
  }

  /** @return ReportStatusRequest frames handed to a connected reporter client */
  public long statisticsSent() {
    return (long) statisticsSent.count();
  }

  /** @return ReportStatusRequest frames dropped: the reporter was not connected, or a frame could not be built */
  public long statisticsDropped() {
    return (long) statisticsDropped.count();
  }

  /**
   * @param retCode a return code
   * @return GetHostResponses sent with that return code
   */
  public long getHostAnswers(RetCode retCode) {
    return (long) getHostAnswers[retCode.ordinal()].count();
  }

  /** @return host transitions idle -> overload in this node's LoadBalance entities */
  public long transitionsToOverload() {
    return (long) toOverload.count();
  }

  /** @return host transitions overload -> idle in this node's LoadBalance entities */
  public long transitionsToIdle() {
    return (long) toIdle.count();
  }

  /** @return requests answered SYSTEM_ERROR at once because a port already held {@code max-waiting-requests} waiting ones */
  public long waitingRejected() {
    return (long) waitingRejected.count();
  }

  /** @return reports dropped: no view of their module on this node, or the port's report buffer was full */
  public long reportsDropped() {
    return (long) reportsDropped.count();
  }

  /** @return report batches sent to LoadBalance entities */
  public long reportBatchesSent() {
    return (long) reportBatchesSent.count();
  }

  /** @return GetRoute answers cut to the hosts that fit one datagram */
  public long routesTruncated() {
    return (long) routesTruncated.count();
  }

  /** @return times a LoadBalance recorder recovered again after a failed journal read or write (a retry) */
  public long recordRetries() {
    return (long) recordRetries.count();
  }

  /** @return times an agent UDP port was bound again after its stream stopped */
  public long portRestarts() {
    return (long) portRestarts.count();
  }

  /** @return requests answered NOEXIST from the negative cache, without asking the dns */
  public long negativeHits() {
    return (long) negativeHits.count();
  }

  /**
   * @return requests for a new module answered NOEXIST without asking the dns, because the node
   *     had already asked about {@code max-new-pulls-per-second} new modules in that second
   */
  public long pullsRefused() {
    return (long) pullsRefused.count();
  }

  /** @return datagrams whose handling failed unexpectedly; dropped, the port kept running */
  public long handlerErrors() {
    return (long) handlerErrors.count();
  }

  /** @return module views this node serves now */
  public long views() {
    return views.get();
  }

  /** @return module views whose entity has not confirmed them for longer than {@code stale-after} */
  public long staleViews() {
    return staleViews.get();
  }

  /** @return agent UDP ports that are not bound now (0 when all serve) */
  public long portsDown() {
    return portsDown.get();
  }

  void recordWaitingRejected() {
    waitingRejected.increment();
  }

  void recordReportsDropped(long n) {
    reportsDropped.increment(n);
  }

  void recordReportBatchSent() {
    reportBatchesSent.increment();
  }

  void recordRouteTruncated() {
    routesTruncated.increment();
  }

  void recordRecordRetry() {
    recordRetries.increment();
  }

  void recordPortRestart() {
    portRestarts.increment();
  }

  /**
   * @return empty dns routes for a module with hosts that came without the deliberate flag and
   *     were not applied (DESIGN.md "Self-registration")
   */
  public long emptyRoutesRefused() {
    return (long) emptyRoutesRefused.count();
  }

  /** @return lease requests (ids 9, 11, 13) received on the agent's UDP ports */
  public long leaseRequests() {
    return (long) leaseRequests.count();
  }

  void recordEmptyRouteRefused() {
    emptyRoutesRefused.increment();
  }

  void recordLeaseRequest() {
    leaseRequests.increment();
  }

  void recordPullRefused() {
    pullsRefused.increment();
  }

  void recordNegativeHit() {
    negativeHits.increment();
  }

  void recordHandlerError() {
    handlerErrors.increment();
  }

  void setViews(long n, long stale) {
    views.set(n);
    staleViews.set(stale);
  }

  void portDown() {
    portsDown.incrementAndGet();
  }

  void portUp() {
    portsDown.decrementAndGet();
  }

  /** @return the per-module meters of this node */
  ModuleMetrics modules() {
    return modules;
  }

  /**
   * Counts one GetHostResponse, in total and for its module; allocates nothing.
   *
   * @param module the module answered
   * @param retCode the answer's return code
   */
  void recordGetHostAnswer(ModuleId module, RetCode retCode) {
    getHostAnswers[retCode.ordinal()].increment();
    modules.answer(module, retCode);
  }

  void recordTransition(boolean overload) {
    (overload ? toOverload : toIdle).increment();
  }

  void recordGetHost() {
    getHostRequests.increment();
  }

  void recordReport() {
    reportRequests.increment();
  }

  void recordGetRoute() {
    getRouteRequests.increment();
  }

  void recordDropped() {
    droppedDatagrams.increment();
  }

  void recordTimeout() {
    timeouts.increment();
  }

  void recordStatisticsSent() {
    statisticsSent.increment();
  }

  void recordStatisticsDropped() {
    statisticsDropped.increment();
  }

  @Override
  public String toString() {
    return "AgentStats(getHost=" + getHostRequests() + ", report=" + reportRequests() + ", getRoute="
        + getRouteRequests() + ", dropped=" + droppedDatagrams() + ", timeouts=" + timeouts()
        + ", statisticsSent=" + statisticsSent() + ", statisticsDropped=" + statisticsDropped() + ", udp=" + udp + ")";
  }
}
