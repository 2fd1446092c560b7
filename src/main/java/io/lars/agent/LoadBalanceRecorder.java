package io.lars.agent;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.EventAdapter;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.lars.agent.LoadBalanceEntity.Event;
import io.lars.agent.LoadBalanceEntity.State;
import io.lars.persisted.LegacyEventAdapter;
import io.lars.persisted.LegacySnapshotAdapter;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Records what a {@link LoadBalanceEntity} decided (DESIGN.md "Persistence", "Agent views"): a
 * child of the entity, event-sourced with the persistence id {@code "LoadBalance|<modid>-<cmdid>"}
 * and the {@link Event}s and {@link State} the entity persisted before, so journals written by
 * earlier versions recover unchanged: today's rows through {@link LoadBalanceSerializer}, rows of
 * the older Jackson format through {@link LoadBalanceLegacyJournal} (DESIGN.md "Persisted data").
 *
 * <p>The entity decides in memory and never waits for this actor: it sends the state it wants
 * recorded ({@link Record}), at most one at a time, and this actor persists the difference to the
 * last recorded state as route and transition events, then answers
 * {@link LoadBalanceEntity.Recorded}. After recovery it tells the entity
 * {@link LoadBalanceEntity.Recovered}. A failed recovery or write (database down) restarts it with
 * backoff (0.2 to 5 s), which recovers again and sends {@code Recovered} again; the entity then sends
 * its latest state again, so a write is retried until the database is back. Since the entity keeps
 * at most one {@code Record} outstanding, this actor's stash holds at most one message: no burst can
 * overflow it (DESIGN.md "Robustness rules", H1).
 */
public final class LoadBalanceRecorder extends EventSourcedBehavior<LoadBalanceRecorder.Record, Event, State> {

  /**
   * The state the entity wants recorded.
   *
   * @param desired the route and overloaded hosts as the entity decided them
   */
  public record Record(State desired) {
    /** @throws NullPointerException if {@code desired} is null */
    public Record {
      Objects.requireNonNull(desired, "desired");
    }
  }

  private final ActorRef<LoadBalanceEntity.Command> entity;
  private final LoadBalanceEntity.PersistenceSettings persistence;

  /**
   * The recorder's behavior, restarted with backoff on any failure.
   *
   * @param module the module
   * @param entity where {@code Recovered} and {@code Recorded} go
   * @param persistence snapshot settings
   * @return the behavior
   */
  public static Behavior<Record> create(ModuleId module, ActorRef<LoadBalanceEntity.Command> entity,
      LoadBalanceEntity.PersistenceSettings persistence) {
    // Rejected events (not only failed writes) must not stop the recorder for good either.
    return Behaviors.supervise(Behaviors.<Record>setup(context -> new LoadBalanceRecorder(module, entity, persistence)))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  private LoadBalanceRecorder(ModuleId module, ActorRef<LoadBalanceEntity.Command> entity,
      LoadBalanceEntity.PersistenceSettings persistence) {
    super(LoadBalanceEntity.persistenceId(module),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.entity = entity;
    this.persistence = persistence;
  }

  /**
   * The events that turn one state into another: a route event when the route differs, then one
   * transition event per host whose overload state differs.
   *
   * @param from the recorded state
   * @param to the desired state
   * @return the events, empty when the states are equal
   */
  public static List<Event> changes(State from, State to) {
    List<Event> events = new ArrayList<>();
    State current = from;
    if (to.routeKnown() && (!from.routeKnown() || !from.hosts().equals(to.hosts()))) {
      events.add(new Event.RoutesUpdated(to.hosts()));
      current = current.withRoutes(to.hosts());
    }
    TreeSet<Host> overloadNow = new TreeSet<>(current.overloaded());
    for (Host h : to.overloaded()) {
      if (!overloadNow.contains(h)) {
        events.add(new Event.HostOverloaded(h));
      }
    }
    TreeSet<Host> wanted = new TreeSet<>(to.overloaded());
    for (Host h : overloadNow) {
      if (!wanted.contains(h)) {
        events.add(new Event.HostIdled(h));
      }
    }
    return events;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Record, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Record.class, this::onRecord)
        .build();
  }

  private Effect<Event, State> onRecord(State state, Record record) {
    List<Event> events = changes(state, record.desired());
    if (events.isEmpty()) {
      entity.tell(new LoadBalanceEntity.Recorded(state));
      return Effect().none();
    }
    return Effect().persist(events).thenRun(recorded -> entity.tell(new LoadBalanceEntity.Recorded(recorded)));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Event.RoutesUpdated.class, (state, e) -> state.withRoutes(e.hosts()))
        .onEvent(Event.HostOverloaded.class, (state, e) -> state.withOverload(e.host(), true))
        .onEvent(Event.HostIdled.class, (state, e) -> state.withOverload(e.host(), false))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> entity.tell(new LoadBalanceEntity.Recovered(state)))
        .build();
  }

  /** @return today's events as they are; rows of the old Jackson format as today's events */
  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return new LegacyEventAdapter<>(Event.class, LoadBalanceLegacyJournal::event);
  }

  /** @return today's state as it is; a snapshot of the old Jackson format as today's state */
  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new LegacySnapshotAdapter<>(State.class, LoadBalanceLegacyJournal::state);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(persistence.snapshotEvery(), persistence.keepSnapshots())
        .withDeleteEventsOnSnapshot();
  }
}
