package io.lars.lease;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one node knows of every module's leases (DESIGN.md "Self-registration"): subscribed to the
 * lease topic, it keeps
 * the newest {@link LeaseSet} of each module (by version), hands the active hosts of a module to
 * the node's dns registry ({@link RegistryLink}) when they change, answers lease listings for the admin, and runs
 * the cluster-wide {@link ExpiryGuard} for the owners on this node ({@link MayExpire}).
 *
 * <p>A module's set is kept until a newer one replaces it, also when its owner's node is lost: the
 * registered hosts stay in the route while the owner restarts elsewhere. A node that starts learns
 * every set within one {@code publish-interval}.
 */
public final class LeaseBook extends AbstractBehavior<LeaseBook.Command> {

  /** Messages the book accepts; local to the node. */
  public interface Command {}

  /**
   * The dns registry of this node, which gets every module's active lease hosts from now on.
   *
   * @param registry the registry's end of the link
   */
  public record AttachRegistry(ActorRef<RegistryLink.Message> registry) implements Command {}

  /**
   * An owner on this node wants to expire leases of its module.
   *
   * @param current the module's lease set now (its due count included)
   * @param replyTo gets true when expiry is allowed, false while it is suspended
   */
  public record MayExpire(LeaseSet current, ActorRef<Boolean> replyTo) implements Command {}

  /**
   * Lists lease sets.
   *
   * @param module one module, or every module with leases
   * @param replyTo gets the sets, sorted by module
   */
  public record ListLeases(Optional<ModuleId> module, ActorRef<Listing> replyTo) implements Command {}

  /**
   * The answer to {@link ListLeases}.
   *
   * @param sets the lease sets
   * @param expirySuspended whether the guard holds expiry back now
   */
  public record Listing(List<LeaseSet> sets, boolean expirySuspended) {
    /** Copies the list. */
    public Listing {
      sets = List.copyOf(sets);
    }
  }

  /**
   * Asks for the state of the cluster-wide expiry protection as this node sees it (for the
   * management route {@code /ready/details}).
   *
   * @param replyTo gets it
   */
  public record GetExpiryGuard(ActorRef<ExpiryGuardStatus> replyTo) implements Command {}

  /**
   * The answer to {@link GetExpiryGuard}; counts are over every module this node knows.
   *
   * @param suspended whether lease expiry is held back now
   * @param leases leases, draining ones included
   * @param due leases past their TTL and not removed
   * @param expiredRecently leases expired within their last TTL
   * @param maxExpiryFraction {@code lars.dns.leases.max-expiry-fraction}, 0..1
   * @param minLeasesForProtection {@code lars.dns.leases.min-leases-for-protection}
   * @param suspendedSince when this node saw the suspension start (wall clock, UTC); empty while not
   *     suspended
   */
  public record ExpiryGuardStatus(boolean suspended, long leases, long due, long expiredRecently,
      double maxExpiryFraction, int minLeasesForProtection, Optional<Instant> suspendedSince) {}

  private record Published(LeaseSet set) implements Command {}

  private final ExpiryGuard guard;
  private final LeaseSettings settings;
  /** Only for {@link ExpiryGuardStatus#suspendedSince}, which operators read. */
  private final Clock clock = Clock.systemUTC();
  private final Map<ModuleId, LeaseSet> sets = new TreeMap<>();
  private final Map<ModuleId, Long> versions = new HashMap<>();
  private ActorRef<RegistryLink.Message> registry;
  private boolean suspended;
  private Optional<Instant> suspendedSince = Optional.empty();

  private LeaseBook(ActorContext<Command> context, LeaseSettings settings, ActorRef<Topic.Command<LeaseSet>> topic) {
    super(context);
    this.settings = settings;
    this.guard = new ExpiryGuard(settings.maxExpiryFraction(), settings.minLeasesForProtection());
    topic.tell(Topic.subscribe(context.messageAdapter(LeaseSet.class, Published::new)));
  }

  /**
   * @param settings the lease settings (guard fraction and minimum)
   * @param topic the node's lease topic, which the book subscribes to
   * @return the behavior
   */
  public static Behavior<Command> create(LeaseSettings settings, ActorRef<Topic.Command<LeaseSet>> topic) {
    return Behaviors.setup(context -> new LeaseBook(context, settings, topic));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Published.class, p -> {
          accept(p.set());
          return this;
        })
        .onMessage(MayExpire.class, this::onMayExpire)
        .onMessage(AttachRegistry.class, this::onAttachRegistry)
        .onMessage(ListLeases.class, this::onList)
        .onMessage(GetExpiryGuard.class, this::onGetExpiryGuard)
        .build();
  }

  private void accept(LeaseSet set) {
    Long known = versions.get(set.module());
    if (known != null && known >= set.version()) {
      return;
    }
    versions.put(set.module(), set.version());
    LeaseSet old = set.leases().isEmpty() ? sets.remove(set.module()) : sets.put(set.module(), set);
    guard.update(set);
    List<Host> before = old == null ? List.of() : old.activeHosts();
    List<Host> after = set.activeHosts();
    if (registry != null && !before.equals(after)) {
      registry.tell(new RegistryLink.LeasesUpdated(set.module(), after));
    }
    boolean now = guard.suspended();
    if (now != suspended) {
      suspended = now;
      suspendedSince = now ? Optional.of(clock.instant()) : Optional.empty();
      if (now) {
        getContext().getLog().warn("lease expiry suspended cluster-wide: {} of {} leases are past their TTL or expired "
            + "within one TTL (more than lars.dns.leases.max-expiry-fraction); resumes when heartbeats return",
            guard.due() + guard.expiredRecently(), guard.leases() + guard.expiredRecently());
      } else {
        getContext().getLog().info("lease expiry resumed: {} of {} leases due", guard.due(), guard.leases());
      }
    }
  }

  private Behavior<Command> onMayExpire(MayExpire ask) {
    accept(ask.current());
    ask.replyTo().tell(!guard.suspended());
    return this;
  }

  private Behavior<Command> onAttachRegistry(AttachRegistry attach) {
    registry = attach.registry();
    sets.values().forEach(s -> registry.tell(new RegistryLink.LeasesUpdated(s.module(), s.activeHosts())));
    return this;
  }

  private Behavior<Command> onGetExpiryGuard(GetExpiryGuard get) {
    get.replyTo().tell(new ExpiryGuardStatus(guard.suspended(), guard.leases(), guard.due(), guard.expiredRecently(),
        settings.maxExpiryFraction(), settings.minLeasesForProtection(), suspendedSince));
    return this;
  }

  private Behavior<Command> onList(ListLeases list) {
    List<LeaseSet> out = list.module()
        .map(module -> Optional.ofNullable(sets.get(module)).map(List::of).orElse(List.of()))
        .orElseGet(() -> List.copyOf(sets.values()));
    list.replyTo().tell(new Listing(out, guard.suspended()));
    return this;
  }
}
