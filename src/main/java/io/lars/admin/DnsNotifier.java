package io.lars.admin;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import io.lars.kernel.RouteReload;
import java.util.Set;

/**
 * Tells every dns poller of the cluster to reload at once after an admin route write, so the
 * change reaches the agents within milliseconds instead of at the next poll (up to
 * {@code lars.dns.poll-interval}). It follows the Receptionist listing of
 * {@link RouteReload#SERVICE_KEY}. A write seen while no poller is known (the listing reaches a new
 * node a moment after start; or no dns runs) is remembered, and the pollers are told as soon as
 * the listing names one; the pollers' own polling covers the rest.
 */
public final class DnsNotifier extends AbstractBehavior<DnsNotifier.Command> {

  /** What the notifier does. */
  public interface Command {}

  /** Routes were written; every known poller gets {@link RouteReload.ReloadNow}. */
  public record RoutesChanged() implements Command {}

  private record PollersChanged(Receptionist.Listing listing) implements Command {}

  private Set<ActorRef<RouteReload.Command>> pollers = Set.of();
  private boolean reloadPending;

  /** @return the notifier; it subscribes to the poller listing when it starts */
  public static Behavior<Command> create() {
    return Behaviors.setup(DnsNotifier::new);
  }

  private DnsNotifier(ActorContext<Command> context) {
    super(context);
    ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, PollersChanged::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(RouteReload.SERVICE_KEY, adapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoutesChanged.class, this::onRoutesChanged)
        .onMessage(PollersChanged.class, this::onPollersChanged)
        .build();
  }

  private Behavior<Command> onRoutesChanged(RoutesChanged changed) {
    reloadPending = true;
    tellPollers();
    return this;
  }

  private Behavior<Command> onPollersChanged(PollersChanged changed) {
    pollers = Set.copyOf(changed.listing().getServiceInstances(RouteReload.SERVICE_KEY));
    getContext().getLog().debug("dns pollers now {}", pollers);
    tellPollers();
    return this;
  }

  private void tellPollers() {
    if (reloadPending && !pollers.isEmpty()) {
      pollers.forEach(poller -> poller.tell(new RouteReload.ReloadNow()));
      reloadPending = false;
    }
  }
}
