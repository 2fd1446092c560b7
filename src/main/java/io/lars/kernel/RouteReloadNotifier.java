package io.lars.kernel;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Tells every dns poller of the cluster to reload at once after routes were written, so the
 * change reaches the agents within milliseconds instead of at the next poll (up to
 * {@code lars.dns.poll-interval}). The one way writers reach the pollers: the admin after a REST
 * write, {@code lars node} after loading demo routes. It follows the Receptionist listing of
 * {@link RouteReload#SERVICE_KEY}; a request seen while no poller is known (the listing reaches a
 * new node a moment after start, or no dns runs) is remembered, and the pollers are told as soon
 * as the listing names one. The pollers' own polling covers the rest.
 */
public final class RouteReloadNotifier extends AbstractBehavior<RouteReloadNotifier.Command> {

  /** What the notifier does. */
  public interface Command {}

  /** Routes were written; every known poller gets {@link RouteReload.ReloadNow}. No answer. */
  public record RoutesChanged() implements Command {}

  /**
   * Routes were written; every known poller gets {@link RouteReload.Reload}, and {@code replyTo}
   * gets {@code Done} once all of them answered, so a pull after that sees the write. No answer
   * when a poller does not answer within {@code timeout}; the asker's own timeout covers that.
   *
   * @param timeout how long each poller may take to answer
   * @param replyTo gets {@code Done}
   */
  public record ReloadAndWait(Duration timeout, ActorRef<Done> replyTo) implements Command {}

  private record PollersChanged(Receptionist.Listing listing) implements Command {}

  private record Reloaded(ActorRef<Done> replyTo, Throwable failure) implements Command {}

  private Set<ActorRef<RouteReload.Command>> pollers = Set.of();
  private boolean reloadPending;
  private final List<ReloadAndWait> waiting = new ArrayList<>();

  /** @return the notifier; it subscribes to the poller listing when it starts */
  public static Behavior<Command> create() {
    return Behaviors.setup(RouteReloadNotifier::new);
  }

  private RouteReloadNotifier(ActorContext<Command> context) {
    super(context);
    ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, PollersChanged::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(RouteReload.SERVICE_KEY, adapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoutesChanged.class, this::onRoutesChanged)
        .onMessage(ReloadAndWait.class, this::onReloadAndWait)
        .onMessage(PollersChanged.class, this::onPollersChanged)
        .onMessage(Reloaded.class, this::onReloaded)
        .build();
  }

  private Behavior<Command> onRoutesChanged(RoutesChanged changed) {
    reloadPending = true;
    tellPollers();
    return this;
  }

  private Behavior<Command> onReloadAndWait(ReloadAndWait request) {
    waiting.add(request);
    tellPollers();
    return this;
  }

  private Behavior<Command> onPollersChanged(PollersChanged changed) {
    pollers = Set.copyOf(changed.listing().getServiceInstances(RouteReload.SERVICE_KEY));
    getContext().getLog().debug("dns pollers now {}", pollers);
    tellPollers();
    return this;
  }

  private Behavior<Command> onReloaded(Reloaded reloaded) {
    if (reloaded.failure() == null) {
      reloaded.replyTo().tell(Done.getInstance());
    } else {
      getContext().getLog().debug("a dns poller did not confirm its reload: {}", reloaded.failure().toString());
    }
    return this;
  }

  private void tellPollers() {
    if (pollers.isEmpty()) {
      return;
    }
    if (reloadPending) {
      pollers.forEach(poller -> poller.tell(new RouteReload.ReloadNow()));
      reloadPending = false;
    }
    for (ReloadAndWait request : waiting) {
      CompletableFuture<?>[] reloads = pollers.stream()
          .map(poller -> AskPattern.<RouteReload.Command, Done>ask(poller, RouteReload.Reload::new, request.timeout(),
              getContext().getSystem().scheduler()).toCompletableFuture())
          .toArray(CompletableFuture[]::new);
      getContext().pipeToSelf(CompletableFuture.allOf(reloads),
          (done, failure) -> new Reloaded(request.replyTo(), failure));
    }
    waiting.clear();
  }
}
