package io.lars.node;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.lars.Futures;
import io.lars.db.IncarnationRepository;
import io.lars.kernel.Metrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Keeps this cluster's {@code ClusterIncarnation} row (see {@link IncarnationRepository}) on the
 * node that formed the cluster: renews the heartbeat every {@code heartbeat-interval}, and claims
 * the row first when the database was unreachable at start. JDBC runs on the executor handed in
 * ({@code lars-jdbc-dispatcher}), one call in flight, ticks merged.
 *
 * <p>If the row is found in another incarnation's hands (this cluster's heartbeat went stale, for
 * example through a database outage longer than {@code stale-after}, and another cluster took
 * over) the node stops through coordinated shutdown with {@link #LOST}: two clusters must not
 * write one journal. A database failure is logged once per outage; the heartbeat is retried.
 */
public final class ClusterIncarnation extends AbstractBehavior<ClusterIncarnation.Command> {

  /** The coordinated-shutdown reason when another cluster holds the database. */
  public static final CoordinatedShutdown.Reason LOST = new CoordinatedShutdown.Reason() {
    @Override
    public String toString() {
      return "ClusterIncarnationLost";
    }
  };

  /** Messages of the actor; all internal. */
  public interface Command {}

  private enum Tick implements Command { INSTANCE }

  /** The outcome of a claim or heartbeat: ours, another cluster's, or a database failure. */
  private record Done(boolean ours, IncarnationRepository.Claim claim, Throwable failure) implements Command {}

  private final IncarnationRepository repository;
  private final Executor jdbc;
  private final String incarnation;
  private final String owner;
  private final Duration staleAfter;
  private boolean claimed;
  private boolean inFlight;
  private boolean failing;

  private ClusterIncarnation(ActorContext<Command> context, IncarnationRepository repository, Executor jdbc,
      String incarnation, String owner, Duration staleAfter, boolean claimed) {
    super(context);
    this.repository = repository;
    this.jdbc = jdbc;
    this.incarnation = incarnation;
    this.owner = owner;
    this.staleAfter = staleAfter;
    this.claimed = claimed;
  }

  /**
   * @param repository the incarnation row
   * @param jdbc the executor of JDBC calls
   * @param incarnation this cluster's id
   * @param owner this node, for the other side's message
   * @param heartbeatInterval how often to renew, positive
   * @param staleAfter what another cluster may take over; used when claiming late
   * @param claimed whether the row was claimed at start; if not, the first tick claims it
   * @return the behavior
   */
  public static Behavior<Command> create(IncarnationRepository repository, Executor jdbc, String incarnation,
      String owner, Duration heartbeatInterval, Duration staleAfter, boolean claimed) {
    return Behaviors.setup(context -> Behaviors.withTimers((TimerScheduler<Command> timers) -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, heartbeatInterval);
      if (!claimed) {
        context.getSelf().tell(Tick.INSTANCE);
      }
      return new ClusterIncarnation(context, repository, jdbc, incarnation, owner, staleAfter, claimed);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Done.class, this::onDone)
        .build();
  }

  private Behavior<Command> onTick() {
    if (inFlight) {
      return this;
    }
    inFlight = true;
    CompletableFuture<Done> work = claimed
        ? CompletableFuture.supplyAsync(() -> new Done(repository.heartbeat(incarnation), null, null), jdbc)
        : CompletableFuture.supplyAsync(() -> {
          IncarnationRepository.Claim claim = repository.claim(incarnation, owner, staleAfter);
          return new Done(claim instanceof IncarnationRepository.Claimed, claim, null);
        }, jdbc);
    getContext().pipeToSelf(work, (done, failure) -> failure == null ? done : new Done(false, null, Futures.unwrap(failure)));
    return this;
  }

  private Behavior<Command> onDone(Done done) {
    inFlight = false;
    if (done.failure() != null) {
      if (!failing) {
        getContext().getLog().warn("cannot {} the cluster incarnation {} (retrying every tick): {}",
            claimed ? "heartbeat" : "claim", incarnation, done.failure().getMessage());
        failing = true;
      }
      Metrics.get(getContext().getSystem()).databaseError("incarnation");
      return this;
    }
    if (failing) {
      getContext().getLog().info("the cluster incarnation {} reaches the database again", incarnation);
      failing = false;
    }
    if (done.ours()) {
      if (!claimed) {
        getContext().getLog().info("claimed the database for cluster incarnation {}", incarnation);
        claimed = true;
      }
      return this;
    }
    String holder = done.claim() instanceof IncarnationRepository.Refused refused
        ? "incarnation " + refused.holder().incarnation() + " formed by " + refused.holder().owner()
        : "the row no longer names incarnation " + incarnation;
    getContext().getLog().error("another Lars cluster holds this database ({}); stopping this node: "
        + "two clusters must not write one journal", holder);
    CoordinatedShutdown.get(getContext().getSystem()).runAll(LOST);
    return Behaviors.stopped();
  }
}
