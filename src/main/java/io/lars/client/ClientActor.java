package io.lars.client;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.lars.protocol.Host;

/**
 * The client's ask-pattern protocol, for use from actors ({@code context.ask}) or with
 * {@code AskPattern.ask}. It delegates to the same socket core as {@link LarsClient}: a request
 * goes straight to the UDP socket, and the socket's receive thread tells the answer to
 * {@code replyTo}; the actor itself holds no per-request state.
 *
 * <p>Matching rules (see {@link LarsClient}): get_host by {@code seq}, stale answers ignored;
 * get_route by module; one retry with the same seq after {@code timeout}, then {@link Failed}
 * with a {@link LarsTimeoutException}.
 */
public final class ClientActor extends AbstractBehavior<ClientActor.Command> {

  /** What the client actor accepts. */
  public interface Command {}

  /** Pick a host of a module; answered with {@link HostReply} or {@link Failed}. */
  public record GetHost(int modid, int cmdid, ActorRef<Reply> replyTo) implements Command {}

  /** All hosts of a module; answered with {@link RouteReply} or {@link Failed}. */
  public record GetRoute(int modid, int cmdid, ActorRef<Reply> replyTo) implements Command {}

  /**
   * The outcome of one call; no answer.
   *
   * @param retcode 0 success, anything else failure
   * @param timecostMs time the call took, 0 = unknown
   */
  public record Report(int modid, int cmdid, Host host, int retcode, int timecostMs) implements Command {}

  /** Stops the actor (and closes its socket when it opened one); waiting askers get {@link Failed}. */
  public enum Stop implements Command { INSTANCE }

  /** Replies of the client actor. */
  public sealed interface Reply permits HostReply, RouteReply, Failed {}

  /** @param result the agent's get_host answer */
  public record HostReply(HostResult result) implements Reply {}

  /** @param result the agent's get_route answer */
  public record RouteReply(RouteResult result) implements Reply {}

  /** @param error why no answer came: {@link LarsTimeoutException}, or the client was closed */
  public record Failed(RuntimeException error) implements Reply {}

  private final AgentSocket socket;
  private final boolean ownsSocket;

  /**
   * A client actor with a socket of its own, closed when the actor stops.
   *
   * @param settings where the agent is
   * @return the behavior
   */
  public static Behavior<Command> create(ClientSettings settings) {
    return Behaviors.setup(context -> new ClientActor(context, new AgentSocket(settings), true));
  }

  /**
   * A client actor sharing the socket of {@code client}; closing the client fails the actor's
   * later requests, stopping the actor leaves the client open.
   *
   * @param client the client whose socket to use
   * @return the behavior
   */
  public static Behavior<Command> create(LarsClient client) {
    return Behaviors.setup(context -> new ClientActor(context, client.socket(), false));
  }

  private ClientActor(ActorContext<Command> context, AgentSocket socket, boolean ownsSocket) {
    super(context);
    this.socket = socket;
    this.ownsSocket = ownsSocket;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetHost.class, this::onGetHost)
        .onMessage(GetRoute.class, this::onGetRoute)
        .onMessage(Report.class, this::onReport)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onGetHost(GetHost m) {
    socket.getHost(m.modid(), m.cmdid()).whenComplete((r, e) -> m.replyTo().tell(e == null ? new HostReply(r) : failed(e)));
    return this;
  }

  private Behavior<Command> onGetRoute(GetRoute m) {
    socket.getRoute(m.modid(), m.cmdid()).whenComplete((r, e) -> m.replyTo().tell(e == null ? new RouteReply(r) : failed(e)));
    return this;
  }

  private Behavior<Command> onReport(Report m) {
    socket.report(m.modid(), m.cmdid(), m.host(), m.retcode(), m.timecostMs());
    return this;
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    if (ownsSocket) {
      socket.close();
    }
    return this;
  }

  private static Failed failed(Throwable e) {
    Throwable cause = LarsClient.unwrap(e);
    return new Failed(cause instanceof RuntimeException r ? r : new IllegalStateException(cause));
  }
}
