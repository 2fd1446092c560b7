package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.RecipientRef;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import com.google.protobuf.CodedOutputStream;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.FrameException;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HostInfo;
import io.lars.protocol.pb.ReportRequest;
import io.lars.transport.LogThrottle;
import io.lars.transport.UdpStreamServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lars logic of one agent UDP port as a stream stage (DESIGN.md "Data path 1"): datagrams in,
 * answers out, no actor ask per request.
 *
 * <ul>
 *   <li>id 4 {@code GetHostRequest}: answered at once from the module's view with the selection
 *       rules of DESIGN.md "Load-balancing rules" ({@link ViewSelector}, rotation and probes per
 *       port). Without a view the request waits (bounded: {@code max-waiting-requests} per port;
 *       beyond that SYSTEM_ERROR at once, counted, one log line per 10 s — DESIGN.md "Robustness
 *       rules", H1) while {@link NodeViews} builds one; NOEXIST when the module turns out unknown,
 *       SYSTEM_ERROR after {@code ask-timeout}.
 *   <li>id 6 {@code ReportRequest}: added to the module's batch ({@link ReportBatcher}); a batch is
 *       sent to the module's entity when it holds {@code report-batch-size} reports or
 *       {@code report-batch-interval} after its first report, fire-and-forget. A report for a
 *       module without a view on this node is dropped and counted (no entity is started for it).
 *   <li>id 7 API {@code GetRouteRequest}: every host of the view, id 8; a route that does not fit
 *       one datagram is cut to the hosts that fit (sorted order), counted, logged at most once per
 *       minute (DESIGN.md "Robustness rules", H4).
 *   <li>ids 9, 11, 13 (lease requests, DESIGN.md "Self-registration"): handed to
 *       {@link LeaseEndpoint}, which answers later through an async callback of this stage.
 *   <li>Anything else, or a body that does not parse: dropped and counted. An unexpected failure
 *       while handling one datagram is counted and logged (throttled); the stage goes on.
 * </ul>
 *
 * <p>The stage owns the selection state of every module it has a view of; views reach it from
 * {@link NodeViews} through async callbacks ({@link NodeViews.Port}), so that state is confined to
 * the stage. Every {@code used-interval} it tells {@link NodeViews} which modules it used.
 */
public final class AgentPortStage extends GraphStage<FlowShape<UdpStreamServer.Datagram, UdpStreamServer.Outgoing>> {

  /** Largest GetRouteResponse body that fits one datagram with its frame header, in bytes. */
  static final int MAX_ROUTE_BODY = UdpStreamServer.MAX_DATAGRAM_PAYLOAD - FrameCodec.HEADER_LENGTH;

  private static final Logger LOG = LoggerFactory.getLogger(AgentPortStage.class);

  private final Inlet<UdpStreamServer.Datagram> in = Inlet.create("AgentPortStage.in");
  private final Outlet<UdpStreamServer.Outgoing> out = Outlet.create("AgentPortStage.out");
  private final FlowShape<UdpStreamServer.Datagram, UdpStreamServer.Outgoing> shape = FlowShape.of(in, out);
  private final AgentSettings settings;
  private final ActorRef<NodeViews.Command> views;
  private final Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities;
  private final AgentStats stats;
  private final UdpStreamServer.Port udpPort;

  /**
   * @param settings the agent settings (bounds, batch sizes, timeouts, probe-num)
   * @param views the node's views, where {@code Need} and {@code Used} go and which this stage registers with
   * @param entities the LoadBalance entity of a module, where report batches go
   * @param stats the node's agent counters
   * @param udpPort the UDP port running this stage: woken after each view update or lease answer
   *     handed to the stage (so that it applies at once even while the port waits for a datagram),
   *     and its idle hook flushes report batches at least {@value #IDLE_FLUSH_AFTER_MS} ms old
   */
  public AgentPortStage(AgentSettings settings, ActorRef<NodeViews.Command> views,
      Function<ModuleId, RecipientRef<LoadBalanceEntity.Command>> entities, AgentStats stats, UdpStreamServer.Port udpPort) {
    this.settings = settings;
    this.views = views;
    this.entities = entities;
    this.stats = stats;
    this.udpPort = udpPort;
  }

  @Override
  public FlowShape<UdpStreamServer.Datagram, UdpStreamServer.Outgoing> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new Logic();
  }

  /** A request waiting for its module's view. */
  private record Waiting(InetSocketAddress sender, int seq, boolean route, long deadlineNanos) {}

  /**
   * A port with nothing to read sends its report batches once they are this old, in ms, rather
   * than waiting for {@code report-batch-interval}: transitions then reach the entity as soon as
   * the traffic pauses, and a busy port still sends at most one batch per module per interval.
   */
  static final long IDLE_FLUSH_AFTER_MS = 1;

  private static final String FLUSH = "flush";
  private static final String SWEEP = "sweep";
  private static final String USED = "used";

  private final class Logic extends TimerGraphStageLogic {

    private final Map<ModuleId, ViewSelector> modules = new HashMap<>();
    private final Map<ModuleId, List<Waiting>> waiting = new HashMap<>();
    private final ArrayDeque<UdpStreamServer.Outgoing> pending = new ArrayDeque<>();
    private final ReportBatcher batcher = new ReportBatcher(settings.reportBatchSize(), settings.maxBufferedReports());
    private final LogThrottle rejectedLog = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle truncatedLog = new LogThrottle(Duration.ofMinutes(1));
    private final LogThrottle errorLog = new LogThrottle(Duration.ofSeconds(10));
    private final SplittableRandom random = new SplittableRandom();
    private final long askTimeoutNanos = settings.askTimeout().toNanos();
    private int waitingCount;
    /** When the batcher last went from empty to holding reports, System.nanoTime(). */
    private long batchStartedNanos;
    private NodeViews.Port port;
    private AsyncCallback<UdpStreamServer.Outgoing> leaseAnswers;

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          handle(grab(in));
          if (isAvailable(out) && !hasBeenPulled(in)) {
            pull(in);
          }
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          UdpStreamServer.Outgoing next = pending.poll();
          if (next != null) {
            push(out, next);
          } else if (!hasBeenPulled(in)) {
            pull(in);
          }
        }
      });
    }

    @Override
    public void preStart() {
      udpPort.onIdle(this::onIdle);
      AsyncCallback<ModuleView> onView = createAsyncCallback(this::onView);
      AsyncCallback<ModuleId> onUnknown = createAsyncCallback(this::onUnknown);
      AsyncCallback<ModuleId> onRelease = createAsyncCallback(this::onRelease);
      leaseAnswers = createAsyncCallback(this::emit);
      port = new NodeViews.Port() {
        @Override
        public void view(ModuleView view) {
          onView.invoke(view);
          udpPort.wakeup();
        }

        @Override
        public void unknown(ModuleId module) {
          onUnknown.invoke(module);
          udpPort.wakeup();
        }

        @Override
        public void release(ModuleId module) {
          onRelease.invoke(module);
          udpPort.wakeup();
        }
      };
      views.tell(new NodeViews.AddPort(port));
      scheduleAtFixedRate(USED, settings.usedInterval(), settings.usedInterval());
    }

    @Override
    public void postStop() {
      views.tell(new NodeViews.RemovePort(port));
      flush();
    }

    @Override
    public void onTimer(Object key) {
      if (FLUSH.equals(key)) {
        flush();
      } else if (SWEEP.equals(key)) {
        sweep();
      } else if (USED.equals(key)) {
        reportUse();
      }
    }

    private void handle(UdpStreamServer.Datagram datagram) {
      Frame frame = datagram.frame();
      try {
        // dispatch on the MessageId table (an array lookup and an enum switch: no allocation)
        MessageId id = frame.messageId();
        if (id == null) {
          stats.recordDropped();
          return;
        }
        switch (id) {
          case GET_HOST_REQUEST -> {
            GetHostRequest request = frame.decode(GetHostRequest.class);
            stats.recordGetHost();
            getHost(new ModuleId(request.getModid(), request.getCmdid()), datagram.sender(), request.getSeq());
          }
          case REPORT_REQUEST -> {
            ReportRequest request = frame.decode(ReportRequest.class);
            stats.recordReport();
            report(new ModuleId(request.getModid(), request.getCmdid()), new LoadBalanceEntity.ReportItem(
                Host.of(request.getHost()), request.getRetcode(), request.getTimecostMs()));
          }
          case API_GET_ROUTE_REQUEST -> {
            GetRouteRequest request = frame.decode(GetRouteRequest.class);
            stats.recordGetRoute();
            getRoute(new ModuleId(request.getModid(), request.getCmdid()), datagram.sender());
          }
          case REGISTER_HOST_REQUEST, HEARTBEAT_REQUEST, DEREGISTER_REQUEST ->
              LeaseEndpoint.get(materializer().system()).handle(frame, datagram.sender(), answer -> {
                leaseAnswers.invoke(answer);
                udpPort.wakeup();
              });
          default -> stats.recordDropped();
        }
      } catch (FrameException e) {
        stats.recordDropped();
      } catch (RuntimeException e) {
        // Input must never end the port (DESIGN.md "Robustness rules", H4): count, log, go on.
        stats.recordHandlerError();
        if (errorLog.tryAcquire()) {
          LOG.error("agent port: failed to handle a datagram from {} (msgid {}){}", datagram.sender(), frame.msgId(),
              errorLog.suppressedNote(), e);
        }
      }
    }

    private void getHost(ModuleId module, InetSocketAddress sender, int seq) {
      ViewSelector selector = modules.get(module);
      if (selector != null) {
        LoadBalance.Pick pick = selector.pick();
        sendHost(module, sender, seq, pick.retCode(), pick.host());
      } else {
        await(module, new Waiting(sender, seq, false, System.nanoTime() + askTimeoutNanos));
      }
    }

    private void getRoute(ModuleId module, InetSocketAddress sender) {
      ViewSelector selector = modules.get(module);
      if (selector != null) {
        selector.used = true;
        sendRoute(module, sender, selector.view().hosts());
      } else {
        await(module, new Waiting(sender, 0, true, System.nanoTime() + askTimeoutNanos));
      }
    }

    private void report(ModuleId module, LoadBalanceEntity.ReportItem item) {
      ViewSelector selector = modules.get(module);
      if (selector == null) {
        stats.recordReportsDropped(1);
        return;
      }
      selector.used = true;
      selector.onReport(item.host(), item.retcode(), item.timecostMs());
      long droppedBefore = batcher.dropped();
      if (batcher.isEmpty()) {
        batchStartedNanos = System.nanoTime();
      }
      List<LoadBalanceEntity.ReportItem> full = batcher.add(module, item);
      if (batcher.dropped() != droppedBefore) {
        stats.recordReportsDropped(1);
      }
      if (full != null) {
        sendBatch(module, full);
      } else if (!batcher.isEmpty() && !isTimerActive(FLUSH)) {
        scheduleOnce(FLUSH, settings.reportBatchInterval());
      }
    }

    /** The port's idle hook: sends batches old enough; else says when they will be. */
    private long onIdle() {
      if (batcher.isEmpty()) {
        return Long.MAX_VALUE;
      }
      long ageMs = (System.nanoTime() - batchStartedNanos) / 1_000_000;
      if (ageMs >= IDLE_FLUSH_AFTER_MS) {
        flush();
        return Long.MAX_VALUE;
      }
      return IDLE_FLUSH_AFTER_MS - ageMs;
    }

    private void flush() {
      batcher.drain().forEach(this::sendBatch);
    }

    private void sendBatch(ModuleId module, List<LoadBalanceEntity.ReportItem> items) {
      entities.apply(module).tell(new LoadBalanceEntity.ReportBatch(views, items));
      stats.recordReportBatchSent();
    }

    private void await(ModuleId module, Waiting request) {
      if (waitingCount >= settings.maxWaitingRequests()) {
        stats.recordWaitingRejected();
        if (rejectedLog.tryAcquire()) {
          LOG.warn("agent port: {} requests already wait for their module's route; answered SYSTEM_ERROR{}",
              waitingCount, rejectedLog.suppressedNote());
        }
        answerWaiting(module, request, RetCode.SYSTEM_ERROR, null);
        return;
      }
      List<Waiting> list = waiting.get(module);
      if (list == null) {
        list = new ArrayList<>();
        waiting.put(module, list);
        views.tell(new NodeViews.Need(module));
      }
      list.add(request);
      waitingCount++;
      if (!isTimerActive(SWEEP)) {
        Duration period = settings.askTimeout().dividedBy(4);
        scheduleAtFixedRate(SWEEP, period, period);
      }
    }

    private void onView(ModuleView view) {
      ModuleId module = view.module();
      ViewSelector selector = modules.get(module);
      if (selector == null) {
        selector = new ViewSelector(settings.loadBalance(), view, System::currentTimeMillis, random);
        modules.put(module, selector);
      } else {
        selector.update(view);
      }
      List<Waiting> list = takeWaiting(module);
      for (Waiting w : list) {
        if (w.route()) {
          sendRoute(module, w.sender(), view.hosts());
        } else {
          LoadBalance.Pick pick = selector.pick();
          sendHost(module, w.sender(), w.seq(), pick.retCode(), pick.host());
        }
      }
    }

    private void onUnknown(ModuleId module) {
      for (Waiting w : takeWaiting(module)) {
        answerWaiting(module, w, RetCode.NOEXIST, null);
      }
    }

    private void onRelease(ModuleId module) {
      modules.remove(module);
    }

    private List<Waiting> takeWaiting(ModuleId module) {
      List<Waiting> list = waiting.remove(module);
      if (list == null) {
        return List.of();
      }
      waitingCount -= list.size();
      if (waitingCount == 0) {
        cancelTimer(SWEEP);
      }
      return list;
    }

    private void sweep() {
      long now = System.nanoTime();
      for (Iterator<Map.Entry<ModuleId, List<Waiting>>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<ModuleId, List<Waiting>> e = it.next();
        for (Iterator<Waiting> w = e.getValue().iterator(); w.hasNext(); ) {
          Waiting request = w.next();
          if (request.deadlineNanos() - now > 0) {
            break;
          }
          w.remove();
          waitingCount--;
          stats.recordTimeout();
          answerWaiting(e.getKey(), request, RetCode.SYSTEM_ERROR, null);
        }
        if (e.getValue().isEmpty()) {
          it.remove();
        }
      }
      if (waitingCount == 0) {
        cancelTimer(SWEEP);
      }
    }

    private void reportUse() {
      Set<ModuleId> used = new HashSet<>();
      modules.forEach((module, selector) -> {
        if (selector.used) {
          selector.used = false;
          used.add(module);
        }
      });
      if (!used.isEmpty()) {
        views.tell(new NodeViews.Used(used));
      }
    }

    private void answerWaiting(ModuleId module, Waiting w, RetCode retCode, Host host) {
      if (w.route()) {
        sendRoute(module, w.sender(), List.of());
      } else {
        sendHost(module, w.sender(), w.seq(), retCode, host);
      }
    }

    private void sendHost(ModuleId module, InetSocketAddress to, int seq, RetCode retCode, Host host) {
      stats.recordGetHostAnswer(module, retCode);
      GetHostResponse.Builder response = GetHostResponse.newBuilder()
          .setSeq(seq)
          .setModid(module.modid())
          .setCmdid(module.cmdid())
          .setRetcode(retCode.code());
      if (host != null) {
        response.setHost(host.toHostInfo());
      }
      emit(new UdpStreamServer.Outgoing(to, Frame.of(MessageId.GET_HOST_RESPONSE, response.build())));
    }

    private void sendRoute(ModuleId module, InetSocketAddress to, List<Host> hosts) {
      GetRouteResponse.Builder response = GetRouteResponse.newBuilder()
          .setModid(module.modid())
          .setCmdid(module.cmdid());
      int size = response.build().getSerializedSize();
      int included = 0;
      for (Host host : hosts) {
        HostInfo info = host.toHostInfo();
        int itemSize = CodedOutputStream.computeMessageSize(GetRouteResponse.HOST_FIELD_NUMBER, info);
        if (size + itemSize > MAX_ROUTE_BODY) {
          break;
        }
        response.addHost(info);
        size += itemSize;
        included++;
      }
      if (included < hosts.size()) {
        stats.recordRouteTruncated();
        if (truncatedLog.tryAcquire()) {
          LOG.warn("route of module {} has {} hosts, {} fit one datagram; the GetRoute answer holds those{}", module,
              hosts.size(), included, truncatedLog.suppressedNote());
        }
      }
      emit(new UdpStreamServer.Outgoing(to, Frame.of(MessageId.API_GET_ROUTE_RESPONSE, response.build())));
    }

    private void emit(UdpStreamServer.Outgoing answer) {
      if (pending.isEmpty() && isAvailable(out)) {
        push(out, answer);
      } else {
        pending.add(answer);
      }
    }
  }
}
