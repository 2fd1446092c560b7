package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.transport.LogThrottle;
import io.lars.transport.ReconnectingTcpClient;
import io.lars.transport.TransportStats;
import java.net.InetSocketAddress;

/**
 * The node's connection to the reporter role (DESIGN.md "Agent views", clients): one per agent
 * node, wrapping a {@link ReconnectingTcpClient}. Statistics are sent while connected and dropped
 * (counted in {@link AgentStats#statisticsDropped()}) while not, so nothing queues without bound;
 * the next report interval carries fresh counts anyway. A frame that cannot be built is dropped and
 * counted too; the role restarts this actor should it fail anyway (DESIGN.md "Robustness rules",
 * H6).
 */
public final class ReporterClient extends AbstractBehavior<ReporterClient.Command> {

  /** Messages the client accepts; local to the node. */
  public interface Command {}

  /**
   * One module's statistics for the reporter (msgid 3).
   *
   * @param request the message, complete with caller and timestamp
   */
  public record Statistics(ReportStatusReq request) implements Command {}

  private record Up(InetSocketAddress remote) implements Command {}

  private record Down(String reason) implements Command {}

  private record Ignored() implements Command {}

  private final AgentStats stats;
  private final ActorRef<ReconnectingTcpClient.Command> connection;
  private final LogThrottle oversizeLog = new LogThrottle(java.time.Duration.ofSeconds(10));
  private boolean connected;

  /**
   * @param settings where the reporter is and the reconnect backoff
   * @param stats the node's agent counters; the connection counts into {@link AgentStats#reporterClient()}
   * @return the behavior
   */
  public static Behavior<Command> create(AgentSettings settings, AgentStats stats) {
    ReconnectingTcpClient.Settings tcp = new ReconnectingTcpClient.Settings(settings.reporterHost(),
        settings.reporterPort(), settings.reconnectMinBackoff(), settings.reconnectMaxBackoff(), 0.2,
        settings.maxPendingFrames(), settings.inJvmLinks());
    return Behaviors.setup(context -> new ReporterClient(context, tcp, stats));
  }

  private ReporterClient(ActorContext<Command> context, ReconnectingTcpClient.Settings tcp, AgentStats stats) {
    super(context);
    this.stats = stats;
    ActorRef<ReconnectingTcpClient.Event> events =
        context.messageAdapter(ReconnectingTcpClient.Event.class, ReporterClient::adapt);
    this.connection = context.spawn(ReconnectingTcpClient.create(tcp, events, stats.reporterClient()), "connection");
  }

  private static Command adapt(ReconnectingTcpClient.Event event) {
    if (event instanceof ReconnectingTcpClient.Connected up) {
      return new Up(up.remote());
    } else if (event instanceof ReconnectingTcpClient.Disconnected down) {
      return new Down(down.reason());
    }
    // The reporter never answers; whatever it might send is of no use to us.
    return new Ignored();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Statistics.class, this::onStatistics)
        .onMessage(Up.class, this::onUp)
        .onMessage(Down.class, this::onDown)
        .onMessage(Ignored.class, ignored -> this)
        .build();
  }

  private Behavior<Command> onStatistics(Statistics statistics) {
    if (!connected) {
      stats.recordStatisticsDropped();
      return this;
    }
    Frame frame;
    try {
      frame = Frame.of(MessageId.REPORT_STATUS_REQUEST, statistics.request());
    } catch (FrameException e) {
      // The entity splits statistics into frames that fit (StatisticsFrames); this is the last guard.
      stats.recordStatisticsDropped();
      if (oversizeLog.tryAcquire()) {
        getContext().getLog().warn("statistics of module {}-{} dropped: {}{}", statistics.request().getModid(),
            statistics.request().getCmdid(), e.getMessage(), oversizeLog.suppressedNote());
      }
      return this;
    }
    connection.tell(new ReconnectingTcpClient.Send(frame));
    stats.recordStatisticsSent();
    return this;
  }

  private Behavior<Command> onUp(Up up) {
    connected = true;
    getContext().getLog().info("connected to reporter {}", up.remote());
    return this;
  }

  private Behavior<Command> onDown(Down down) {
    if (connected) {
      getContext().getLog().warn("lost the reporter connection, statistics are dropped until it is back: {}",
          down.reason());
    }
    connected = false;
    return this;
  }
}
