package io.lars.dns;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.lars.protocol.ModuleId;
import io.lars.transport.Connection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One agent connection of the dns: the modules it asked for, and the only writer of its
 * {@link Connection} (reference: the dns {@code SubscribeList}, one entry per client fd).
 *
 * <p>Every frame goes through the connection's bounded outgoing queue without blocking. When the
 * queue is full the connection is closed and this actor stops, so one slow agent never holds up
 * the others; the agent reconnects and asks again. Stopping also closes the connection.
 */
public final class Subscriber extends AbstractBehavior<Subscriber.Command> {

  /** What a subscriber does. */
  public interface Command {}

  /**
   * Answers a {@code GetRouteRequest} and subscribes the connection to the module.
   *
   * @param route the module's current route (empty hosts when unknown)
   */
  public record Answer(Route route) implements Command {}

  /**
   * Pushes changed routes; modules this connection did not ask for are skipped.
   *
   * @param routes the new routes of changed modules
   */
  public record Push(List<Route> routes) implements Command {}

  private final Connection connection;
  private final Set<ModuleId> modules = new HashSet<>();

  private Subscriber(ActorContext<Command> context, Connection connection) {
    super(context);
    this.connection = connection;
  }

  /**
   * @param connection the agent's connection; this actor is the only one that writes to it
   * @return the behavior
   */
  public static Behavior<Command> create(Connection connection) {
    return Behaviors.setup(context -> new Subscriber(context, connection));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Answer.class, this::onAnswer)
        .onMessage(Push.class, this::onPush)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onAnswer(Answer answer) {
    modules.add(answer.route().module());
    return connection.send(answer.route().toFrame()) ? this : closedAsSlow();
  }

  private Behavior<Command> onPush(Push push) {
    DnsStats stats = DnsStats.get(getContext().getSystem());
    for (Route route : push.routes()) {
      if (modules.contains(route.module())) {
        if (!connection.send(route.toFrame())) {
          return closedAsSlow();
        }
        stats.pushSent();
      }
    }
    return this;
  }

  private Behavior<Command> closedAsSlow() {
    // The TCP server logs slow connections (throttled); a closed one is routine.
    getContext().getLog().debug("dns connection {} from {} dropped: outgoing queue full or closed ({} modules)",
        connection.id(), connection.peer(), modules.size());
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    connection.close();
    return this;
  }
}
