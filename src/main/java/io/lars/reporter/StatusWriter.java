package io.lars.reporter;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.lars.Backoff;
import io.lars.Futures;
import io.lars.db.CallStatusRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Stores the rows of the modules routed to it in {@code ServerCallStatus}: collects them in a
 * {@link StatusBuffer} (one row per key, last write wins) and writes a batch when
 * {@code batch-size} rows are pending or the oldest has waited {@code flush-interval}, with one
 * batch in flight at a time, on the JDBC executor.
 *
 * <p>A failed batch goes back into the buffer (behind no newer row of the same key) and is
 * retried with exponential backoff from {@code retry-min-backoff} to {@code retry-max-backoff};
 * meanwhile new rows keep arriving and collapsing per key, and rows with a new key beyond
 * {@code max-buffered-rows} are dropped and counted. The outage is logged when it starts and when
 * it ends, with the number of rows dropped. The mailbox never waits for the database.
 *
 * <p>Reference: lars_reporter store threads, which write one statement per row and lose the row
 * when the statement fails.
 */
public final class StatusWriter extends AbstractBehavior<StatusWriter.Command> {

  /** Messages a writer accepts. */
  public interface Command {}

  /**
   * Rows to store, in arrival order; later rows of the same key win.
   *
   * @param rows immutable rows, all of modules this writer owns
   */
  public record Write(List<CallStatusRow> rows) implements Command {}

  /**
   * Writes everything pending now, without waiting for the flush interval, then answers; sent
   * when the node stops. Answers at once while the database is failing, so a stop never waits
   * for an outage to end.
   *
   * @param replyTo gets {@code Done} when nothing is pending or in flight, or the database fails
   */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  private enum FlushTick implements Command { INSTANCE }

  private enum RetryTick implements Command { INSTANCE }

  private record BatchWritten(int rows) implements Command {}

  private record BatchFailed(Throwable cause) implements Command {}

  private static final String FLUSH_TIMER = "flush";
  private static final String RETRY_TIMER = "retry";

  private final ReporterSettings settings;
  /** Akka's formula without jitter: {@code retry-min-backoff} doubling up to {@code retry-max-backoff}. */
  private final Backoff backoff;
  private final StatusStore store;
  private final Executor jdbc;
  private final ReporterStats stats;
  private final TimerScheduler<Command> timers;
  private final StatusBuffer buffer;

  private boolean writing;
  private boolean backingOff;
  /** The flush interval passed while a batch was in flight or the writer was backing off. */
  private boolean flushDue;
  private int failures;
  private long outageStartNanos;
  private long droppedSinceLogged;
  private final List<ActorRef<Done>> drainers = new ArrayList<>();

  private StatusWriter(ActorContext<Command> context, TimerScheduler<Command> timers, ReporterSettings settings,
      StatusStore store, Executor jdbc, ReporterStats stats) {
    super(context);
    context.setLoggerName(StatusWriter.class);
    this.timers = timers;
    this.settings = settings;
    this.backoff = new Backoff(settings.retryMinBackoff(), settings.retryMaxBackoff(), 0);
    this.store = store;
    this.jdbc = jdbc;
    this.stats = stats;
    this.buffer = new StatusBuffer(settings.maxBufferedRows());
  }

  /**
   * @param settings batch size, flush interval, buffer bound and retry backoff
   * @param store where batches go; called only on {@code jdbc}
   * @param jdbc the blocking JDBC executor ({@code lars-jdbc-dispatcher})
   * @param stats counters shared by the role: rows written and dropped, database errors
   * @return the writer's behavior
   */
  public static Behavior<Command> create(ReporterSettings settings, StatusStore store, Executor jdbc,
      ReporterStats stats) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new StatusWriter(context, timers, settings, store, jdbc, stats)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Write.class, this::onWrite)
        .onMessage(FlushTick.class, this::onFlushTick)
        .onMessage(BatchWritten.class, this::onBatchWritten)
        .onMessage(BatchFailed.class, this::onBatchFailed)
        .onMessage(RetryTick.class, this::onRetryTick)
        .onMessage(Drain.class, this::onDrain)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onWrite(Write write) {
    int dropped = 0;
    for (CallStatusRow row : write.rows()) {
      if (!buffer.add(row)) {
        dropped++;
      }
    }
    if (dropped > 0) {
      rowsDropped(dropped);
    }
    if (buffer.pending() >= settings.batchSize()) {
      writeBatch();
    } else if (!timers.isTimerActive(FLUSH_TIMER)) {
      timers.startSingleTimer(FLUSH_TIMER, FlushTick.INSTANCE, settings.flushInterval());
    }
    return this;
  }

  private Behavior<Command> onFlushTick(FlushTick tick) {
    flushDue = true;
    writeBatch();
    return this;
  }

  private Behavior<Command> onBatchWritten(BatchWritten written) {
    writing = false;
    buffer.batchWritten();
    stats.rowsWritten(written.rows());
    if (failures > 0) {
      getContext().getLog().info("ServerCallStatus writes recovered after {} failed attempts in {} ms; {} rows were "
          + "dropped meanwhile", failures, (System.nanoTime() - outageStartNanos) / 1_000_000, droppedSinceLogged);
      failures = 0;
      droppedSinceLogged = 0;
    } else if (droppedSinceLogged > 0 && buffer.pending() < buffer.capacity() / 2) {
      getContext().getLog().info("writer buffer has room again; {} rows were dropped", droppedSinceLogged);
      droppedSinceLogged = 0;
    }
    nextBatch();
    answerDrainers();
    return this;
  }

  private Behavior<Command> onBatchFailed(BatchFailed failed) {
    writing = false;
    buffer.batchFailed();
    stats.dbError();
    failures++;
    if (failures == 1) {
      outageStartNanos = System.nanoTime();
      getContext().getLog().warn("cannot write ServerCallStatus, keeping up to {} rows and retrying: {}",
          buffer.capacity(), failed.cause().toString());
    } else {
      getContext().getLog().debug("ServerCallStatus write attempt {} failed: {}", failures, failed.cause().toString());
    }
    backingOff = true;
    timers.startSingleTimer(RETRY_TIMER, RetryTick.INSTANCE, backoff.delay(failures - 1));
    answerDrainers();
    return this;
  }

  private Behavior<Command> onRetryTick(RetryTick tick) {
    backingOff = false;
    writeBatch();
    return this;
  }

  private Behavior<Command> onDrain(Drain drain) {
    drainers.add(drain.replyTo());
    flushDue = true;
    writeBatch();
    answerDrainers();
    return this;
  }

  private void answerDrainers() {
    if (buffer.pending() + buffer.inFlight() == 0 || failures > 0) {
      drainers.forEach(d -> d.tell(Done.getInstance()));
      drainers.clear();
    }
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    int unwritten = buffer.pending() + buffer.inFlight();
    if (unwritten > 0) {
      getContext().getLog().info("writer stopped with {} rows not written", unwritten);
    }
    return this;
  }

  /** After a batch: go on at once when a batch is full or due, else wait for the flush timer. */
  private void nextBatch() {
    if (buffer.pending() == 0) {
      flushDue = false;
    } else if (flushDue || buffer.pending() >= settings.batchSize()) {
      writeBatch();
    } else if (!timers.isTimerActive(FLUSH_TIMER)) {
      timers.startSingleTimer(FLUSH_TIMER, FlushTick.INSTANCE, settings.flushInterval());
    }
  }

  private void writeBatch() {
    if (writing || backingOff || buffer.pending() == 0) {
      return;
    }
    List<CallStatusRow> batch = buffer.takeBatch(settings.batchSize());
    if (buffer.pending() == 0) {
      flushDue = false;
      timers.cancel(FLUSH_TIMER);
    }
    writing = true;
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> store.upsert(batch), jdbc),
        (count, failure) -> failure == null ? new BatchWritten(batch.size()) : new BatchFailed(Futures.unwrap(failure)));
  }

  private void rowsDropped(int dropped) {
    stats.rowsDropped(dropped);
    if (droppedSinceLogged == 0) {
      getContext().getLog().warn("writer buffer is full ({} rows); dropping rows of new keys until the database "
          + "catches up", buffer.capacity());
    }
    droppedSinceLogged += dropped;
  }
}
