package io.lars.agent;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.node.Metrics;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.transport.TransportStats;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters of the {@code agent} role on one node, one instance per actor system
 * (an Akka extension), so the endpoints, clients, entities, health checks, the admin and tests
 * all see the same numbers. Counters only grow. The per-module meters ({@link ModuleMetrics}) are
 * kept here too, so that the ports count per module through the same object.
 */
public final class AgentStats implements Extension {

  private static final ExtensionId<AgentStats> ID = new ExtensionId<>() {
    @Override
    public AgentStats createExtension(ActorSystem<?> system) {
      return new AgentStats(new ModuleMetrics(Metrics.get(system).registry()));
    }
  };

  private final TransportStats udp = new TransportStats();
  private final TransportStats dnsClient = new TransportStats();
  private final TransportStats reporterClient = new TransportStats();
  private final LongAdder getHostRequests = new LongAdder();
  private final LongAdder reportRequests = new LongAdder();
  private final LongAdder getRouteRequests = new LongAdder();
  private final LongAdder droppedDatagrams = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder statisticsSent = new LongAdder();
  private final LongAdder statisticsDropped = new LongAdder();
  private final Map<RetCode, LongAdder> getHostAnswers = answerCounters();
  private final LongAdder toOverload = new LongAdder();
  private final LongAdder toIdle = new LongAdder();
  private final LongAdder waitingRejected = new LongAdder();
  private final LongAdder reportsDropped = new LongAdder();
  private final LongAdder reportBatchesSent = new LongAdder();
  private final LongAdder routesTruncated = new LongAdder();
  private final LongAdder recordRetries = new LongAdder();
  private final LongAdder portRestarts = new LongAdder();
  private final LongAdder negativeHits = new LongAdder();
  private final LongAdder pullsRefused = new LongAdder();
  private final LongAdder emptyRoutesRefused = new LongAdder();
  private final LongAdder leaseRequests = new LongAdder();
  private final LongAdder handlerErrors = new LongAdder();
  private final AtomicLong views = new AtomicLong();
  private final AtomicLong staleViews = new AtomicLong();
  private final AtomicLong portsDown = new AtomicLong();

  private final ModuleMetrics modules;

  private AgentStats(ModuleMetrics modules) {
    this.modules = modules;
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
    return getHostRequests.sum();
  }

  /** @return well-formed ReportRequest datagrams (id 6) received */
  public long reportRequests() {
    return reportRequests.sum();
  }

  /** @return well-formed API GetRouteRequest datagrams (id 7) received */
  public long getRouteRequests() {
    return getRouteRequests.sum();
  }

  /**
   * @return datagrams holding a valid frame that the endpoint dropped: an id other than 4, 6, 7
   *     or a body that is not the message of its id (invalid frames are counted in {@link #udp()})
   */
  public long droppedDatagrams() {
    return droppedDatagrams.sum();
  }

  /** @return requests answered SYSTEM_ERROR because their module had no view within {@code ask-timeout} */
  public long timeouts() {
    return timeouts.sum();
  }

  /** @return ReportStatusRequest frames handed to a connected reporter client */
  public long statisticsSent() {
    return statisticsSent.sum();
  }

  /** @return ReportStatusRequest frames dropped: the reporter was not connected, or a frame could not be built */
  public long statisticsDropped() {
    return statisticsDropped.sum();
  }

  /**
   * @param retCode a return code
   * @return GetHostResponses sent with that return code
   */
  public long getHostAnswers(RetCode retCode) {
    return getHostAnswers.get(retCode).sum();
  }

  /** @return host transitions idle -> overload in this node's LoadBalance entities */
  public long transitionsToOverload() {
    return toOverload.sum();
  }

  /** @return host transitions overload -> idle in this node's LoadBalance entities */
  public long transitionsToIdle() {
    return toIdle.sum();
  }

  /** @return requests answered SYSTEM_ERROR at once because a port already held {@code max-waiting-requests} waiting ones */
  public long waitingRejected() {
    return waitingRejected.sum();
  }

  /** @return reports dropped: no view of their module on this node, or the port's report buffer was full */
  public long reportsDropped() {
    return reportsDropped.sum();
  }

  /** @return report batches sent to LoadBalance entities */
  public long reportBatchesSent() {
    return reportBatchesSent.sum();
  }

  /** @return GetRoute answers cut to the hosts that fit one datagram */
  public long routesTruncated() {
    return routesTruncated.sum();
  }

  /** @return times a LoadBalance recorder recovered again after a failed journal read or write (a retry) */
  public long recordRetries() {
    return recordRetries.sum();
  }

  /** @return times an agent UDP port was bound again after its stream stopped */
  public long portRestarts() {
    return portRestarts.sum();
  }

  /** @return requests answered NOEXIST from the negative cache, without asking the dns */
  public long negativeHits() {
    return negativeHits.sum();
  }

  /**
   * @return requests for a new module answered NOEXIST without asking the dns, because the node
   *     had already asked about {@code max-new-pulls-per-second} new modules in that second
   */
  public long pullsRefused() {
    return pullsRefused.sum();
  }

  /** @return datagrams whose handling failed unexpectedly; dropped, the port kept running */
  public long handlerErrors() {
    return handlerErrors.sum();
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
    reportsDropped.add(n);
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
    return emptyRoutesRefused.sum();
  }

  /** @return lease requests (ids 9, 11, 13) received on the agent's UDP ports */
  public long leaseRequests() {
    return leaseRequests.sum();
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
    getHostAnswers.get(retCode).increment();
    modules.answer(module, retCode);
  }

  void recordTransition(boolean overload) {
    (overload ? toOverload : toIdle).increment();
  }

  private static Map<RetCode, LongAdder> answerCounters() {
    EnumMap<RetCode, LongAdder> counters = new EnumMap<>(RetCode.class);
    for (RetCode code : RetCode.values()) {
      counters.put(code, new LongAdder());
    }
    return Collections.unmodifiableMap(counters);
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
