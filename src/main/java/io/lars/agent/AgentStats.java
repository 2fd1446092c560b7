package io.lars.agent;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.transport.TransportStats;
import io.lars.protocol.RetCode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters of the {@code agent} role on one node, one instance per actor system
 * (an Akka extension), so the endpoints, clients, entities, health checks, the admin and tests
 * all see the same numbers. Counters only grow.
 */
public final class AgentStats implements Extension {

  private static final ExtensionId<AgentStats> ID = new ExtensionId<>() {
    @Override
    public AgentStats createExtension(ActorSystem<?> system) {
      return new AgentStats();
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

  private AgentStats() {}

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

  /** @return requests answered with SYSTEM_ERROR because no LoadBalance entity answered within the ask timeout */
  public long timeouts() {
    return timeouts.sum();
  }

  /** @return ReportStatusRequest frames handed to a connected reporter client */
  public long statisticsSent() {
    return statisticsSent.sum();
  }

  /** @return ReportStatusRequest frames dropped because the reporter was not connected */
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

  void recordGetHostAnswer(RetCode retCode) {
    getHostAnswers.get(retCode).increment();
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
