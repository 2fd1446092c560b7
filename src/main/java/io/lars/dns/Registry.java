package io.lars.dns;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.lars.db.RouteLimits;
import io.lars.lease.RegistryLink;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.transport.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The dns's current {@link RouteTable} and who subscribed to which module (reference: the dns
 * {@code SubscribeList}: module to connections, and connection to modules).
 *
 * <p>Connections are announced by the TCP handlers ({@link Connected}, {@link Request},
 * {@link Closed}); each gets one {@link Subscriber} child that writes its frames. A request is
 * answered from the table in memory and subscribes the connection to the module, also when the
 * module is unknown, so its first host is pushed. {@link RoutesUpdated} from the {@link Poller}
 * swaps the table and pushes each changed module to its subscribers (DESIGN.md "Data path 2"). A
 * subscriber that stops (closed or too slow) loses all its subscriptions.
 *
 * <p>The route served for a module is its static rows plus the hosts of its live leases
 * ({@link RegistryLink.LeasesUpdated}, from the node's {@link io.lars.lease.LeaseBook}; DESIGN.md "Self-registration with
 * leases"); a lease change is pushed like a route change, so reference agents connected to this
 * dns see registered hosts too.
 */
public final class Registry extends AbstractBehavior<Registry.Command> {

  /** What the registry does. */
  public interface Command {}

  /**
   * A TCP connection was accepted.
   *
   * @param connection the connection
   */
  public record Connected(Connection connection) implements Command {}

  /**
   * A {@code GetRouteRequest} arrived on a connection.
   *
   * @param connection the connection
   * @param module the module asked for
   */
  public record Request(Connection connection, ModuleId module) implements Command {}

  /**
   * A TCP connection is gone.
   *
   * @param connection the connection
   */
  public record Closed(Connection connection) implements Command {}

  /**
   * A new route table from the {@link Poller}.
   *
   * @param routes the table that now answers requests
   * @param changed the modules to push to their subscribers
   * @param deliberate the changed modules whose change was written on purpose ({@code RouteChange}
   *     rows): their pushes carry {@code deliberate}
   */
  public record RoutesUpdated(RouteTable routes, Set<ModuleId> changed, Set<ModuleId> deliberate) implements Command {
    /**
     * @param routes the table that now answers requests
     * @param changed the modules to push (copied)
     * @param deliberate the deliberately changed modules (copied)
     */
    public RoutesUpdated {
      changed = Set.copyOf(changed);
      deliberate = Set.copyOf(deliberate);
    }

    /**
     * An update with no deliberate change.
     *
     * @param routes the table that now answers requests
     * @param changed the modules to push
     */
    public RoutesUpdated(RouteTable routes, Set<ModuleId> changed) {
      this(routes, changed, Set.of());
    }
  }

  /** A message of the lease service ({@link RegistryLink}), through {@link #leaseLink}. */
  private record FromLeases(RegistryLink.Message message) implements Command {}

  /**
   * Asks how many connections and subscriptions there are, for tests and status pages.
   *
   * @param replyTo gets the counts
   */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * The registry's counts.
   *
   * @param connections connections with a subscriber
   * @param subscriptions (connection, module) pairs
   * @param modules the modules of the current table
   */
  public record Status(int connections, int subscriptions, int modules) {}

  private record SubscriberStopped(long connectionId, ActorRef<Subscriber.Command> subscriber) implements Command {}

  private RouteTable routes = RouteTable.empty();
  /** Hosts of live leases per module (DESIGN.md "Self-registration"), merged into the served routes. */
  private final Map<ModuleId, List<Host>> leased = new HashMap<>();
  private final Map<Long, ActorRef<Subscriber.Command>> byConnection = new HashMap<>();
  private final Map<ActorRef<Subscriber.Command>, Set<ModuleId>> modulesOf = new HashMap<>();
  private final Map<ModuleId, Set<ActorRef<Subscriber.Command>>> subscribersOf = new HashMap<>();
  private long spawned;

  private Registry(ActorContext<Command> context) {
    super(context);
  }

  /**
   * The registry's end of the lease service's link: forwards each {@link RegistryLink.Message} to
   * the registry, so the lease package needs no dns class. Spawn one next to the registry.
   *
   * @param registry the registry
   * @return the forwarding behavior
   */
  public static Behavior<RegistryLink.Message> leaseLink(ActorRef<Command> registry) {
    return Behaviors.receiveMessage(message -> {
      registry.tell(new FromLeases(message));
      return Behaviors.same();
    });
  }

  /** @return the behavior, with an empty table until the first {@link RoutesUpdated} */
  public static Behavior<Command> create() {
    return Behaviors.setup(Registry::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Connected.class, this::onConnected)
        .onMessage(Request.class, this::onRequest)
        .onMessage(Closed.class, this::onClosed)
        .onMessage(RoutesUpdated.class, this::onRoutesUpdated)
        .onMessage(FromLeases.class, this::onFromLeases)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(SubscriberStopped.class, this::onSubscriberStopped)
        .build();
  }

  private Behavior<Command> onConnected(Connected connected) {
    subscriberOf(connected.connection());
    return this;
  }

  private Behavior<Command> onRequest(Request request) {
    ActorRef<Subscriber.Command> subscriber = subscriberOf(request.connection());
    modulesOf.get(subscriber).add(request.module());
    subscribersOf.computeIfAbsent(request.module(), m -> new HashSet<>()).add(subscriber);
    subscriber.tell(new Subscriber.Answer(route(request.module(), false)));
    return this;
  }

  private Behavior<Command> onClosed(Closed closed) {
    ActorRef<Subscriber.Command> subscriber = byConnection.remove(closed.connection().id());
    if (subscriber != null) {
      forget(subscriber);
      getContext().stop(subscriber);
    }
    return this;
  }

  private Behavior<Command> onRoutesUpdated(RoutesUpdated update) {
    routes = update.routes();
    Map<ActorRef<Subscriber.Command>, List<Route>> pushes = new HashMap<>();
    for (ModuleId module : update.changed()) {
      Set<ActorRef<Subscriber.Command>> subscribers = subscribersOf.getOrDefault(module, Set.of());
      if (!subscribers.isEmpty()) {
        Route route = route(module, update.deliberate().contains(module));
        subscribers.forEach(s -> pushes.computeIfAbsent(s, k -> new ArrayList<>()).add(route));
      }
    }
    pushes.forEach((subscriber, changedRoutes) -> subscriber.tell(new Subscriber.Push(List.copyOf(changedRoutes))));
    getContext().getLog().debug("routes now {}; {} modules changed, pushed to {} connections",
        routes, update.changed().size(), pushes.size());
    return this;
  }

  private Behavior<Command> onLeasesUpdated(RegistryLink.LeasesUpdated update) {
    ModuleId module = update.module();
    List<Host> before = leased.getOrDefault(module, List.of());
    if (before.equals(update.hosts())) {
      return this;
    }
    if (update.hosts().isEmpty()) {
      leased.remove(module);
    } else {
      leased.put(module, update.hosts());
    }
    Set<ActorRef<Subscriber.Command>> subscribers = subscribersOf.getOrDefault(module, Set.of());
    if (!subscribers.isEmpty()) {
      List<Route> pushed = List.of(route(module, true));
      subscribers.forEach(s -> s.tell(new Subscriber.Push(pushed)));
    }
    getContext().getLog().debug("module {} registered hosts now {}; pushed to {} connections", module,
        update.hosts().size(), subscribers.size());
    return this;
  }

  private Behavior<Command> onFromLeases(FromLeases from) {
    if (from.message() instanceof RegistryLink.LeasesUpdated update) {
      return onLeasesUpdated(update);
    }
    RegistryLink.StaticHostsOf ask = (RegistryLink.StaticHostsOf) from.message();
    ask.replyTo().tell(new RegistryLink.StaticHosts(routes.hosts(ask.module())));
    return this;
  }

  /**
   * The route served for a module: its static hosts and the hosts of its live leases, sorted, at
   * most {@link RouteLimits#MAX_HOSTS_PER_MODULE} (static hosts first), so it always fits a frame.
   */
  private Route route(ModuleId module, boolean deliberate) {
    List<Host> registered = leased.get(module);
    if (registered == null) {
      return new Route(module, routes.hosts(module), deliberate);
    }
    TreeSet<Host> merged = new TreeSet<>(routes.hosts(module));
    for (Host host : registered) {
      if (merged.size() >= RouteLimits.MAX_HOSTS_PER_MODULE) {
        break;
      }
      merged.add(host);
    }
    return new Route(module, List.copyOf(merged), deliberate);
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    int subscriptions = modulesOf.values().stream().mapToInt(Set::size).sum();
    get.replyTo().tell(new Status(byConnection.size(), subscriptions, routes.moduleCount()));
    return this;
  }

  private Behavior<Command> onSubscriberStopped(SubscriberStopped stopped) {
    byConnection.remove(stopped.connectionId(), stopped.subscriber());
    forget(stopped.subscriber());
    return this;
  }

  private ActorRef<Subscriber.Command> subscriberOf(Connection connection) {
    ActorRef<Subscriber.Command> subscriber = byConnection.get(connection.id());
    if (subscriber == null) {
      // The counter keeps names unique while a stopped subscriber of the same connection id terminates.
      subscriber = getContext().spawn(Subscriber.create(connection), "subscriber-" + connection.id() + "-" + (++spawned));
      getContext().watchWith(subscriber, new SubscriberStopped(connection.id(), subscriber));
      byConnection.put(connection.id(), subscriber);
      modulesOf.put(subscriber, new HashSet<>());
    }
    return subscriber;
  }

  private void forget(ActorRef<Subscriber.Command> subscriber) {
    Set<ModuleId> modules = modulesOf.remove(subscriber);
    if (modules == null) {
      return;
    }
    for (ModuleId module : modules) {
      Set<ActorRef<Subscriber.Command>> subscribers = subscribersOf.get(module);
      subscribers.remove(subscriber);
      if (subscribers.isEmpty()) {
        subscribersOf.remove(module);
      }
    }
  }
}
