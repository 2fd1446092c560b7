package io.lars.reporter;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.kernel.Listener;
import io.lars.kernel.Metrics;
import io.lars.kernel.NodeContext;
import io.lars.kernel.Role;
import io.lars.kernel.RoleStarter;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.transport.MessageRouter;
import io.lars.transport.TcpServer;
import io.lars.transport.TransportStats;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Starts the {@code reporter} role: {@code lars.reporter.writers} {@link StatusWriter}s storing
 * into {@code ServerCallStatus} through {@link CallStatusRepository#upsert}, and a TCP listener
 * on {@code lars.reporter.bind}:{@code port} that accepts {@code ReportStatusRequest} (msgid 3)
 * frames and answers nothing. Any other msgid or a bad frame closes only its connection.
 *
 * <p>The listener applies the limits of {@link TcpServer.Settings#fromConfig} read from
 * {@code lars.reporter} (allow-list, connection limits); its idle timeout closes a connection
 * that sends no complete frame for {@code idle-timeout} ({@link TcpServer.IdleRule#BETWEEN_FRAMES}).
 *
 * <p>When the node stops, after the listener and its connections are closed, the writers are drained: what they hold
 * is written at once instead of being lost (bounded by the phase timeout; skipped while the
 * database is failing).
 */
public final class ReporterRole implements RoleStarter {

  /** Creates the starter; the work happens in {@link #start}. */
  public ReporterRole() {}

  /**
   * Spawns the writers and binds the listener.
   *
   * @param context the node guardian's context
   * @param node needs a database and {@code lars.reporter} settings
   * @return the TCP listener, or fails if the settings are invalid or the port cannot be bound
   */
  @Override
  public CompletionStage<List<Listener>> start(ActorContext<?> context, NodeContext node) {
    ReporterSettings settings;
    try {
      settings = ReporterSettings.fromConfig(node.config());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    CallStatusRepository repository = new CallStatusRepository(node.requireDatabase().dataSource());
    StatusStore store = new HistoryKeepingStore(repository,
        new CallHistoryRepository(node.requireDatabase().dataSource()), settings.historyRetention(), Clock.systemUTC());
    ReporterStats stats = ReporterStats.get(node.system());
    List<ActorRef<StatusWriter.Command>> writers = new ArrayList<>();
    for (int i = 0; i < settings.writers(); i++) {
      writers.add(context.spawn(Behaviors.supervise(StatusWriter.create(settings, store,
          node.jdbcExecutor(), stats)).onFailure(SupervisorStrategy.restart()), "reporter-writer-" + i));
    }
    CoordinatedShutdown.get(node.system()).addTask(CoordinatedShutdown.PhaseServiceStop(),
        "reporter-drain-writers", () -> drain(node.system(), writers));
    ReportIntake intake = new ReportIntake(writers, settings.maxResultsPerRequest(), stats);
    MessageRouter router = MessageRouter.builder()
        .on(MessageId.REPORT_STATUS_REQUEST, ReportStatusReq.class, intake::onReport)
        .build();
    TransportStats transport = new TransportStats(Metrics.get(node.system()).registry(), "reporter", true);
    return TcpServer.bind(node.system(), "reporter", settings.listener(), router, transport)
        .thenApply(server -> List.of(Listener.of(Role.REPORTER, "tcp", server.localAddress())));
  }

  private static CompletionStage<Done> drain(ActorSystem<?> system, List<ActorRef<StatusWriter.Command>> writers) {
    Duration timeout = Duration.ofMillis(
        CoordinatedShutdown.get(system).timeout(CoordinatedShutdown.PhaseServiceStop()).toMillis());
    CompletableFuture<?>[] drained = writers.stream()
        .map(w -> AskPattern.<StatusWriter.Command, Done>ask(w, StatusWriter.Drain::new, timeout, system.scheduler())
            .toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(drained).handle((ok, timedOut) -> Done.getInstance());
  }
}
