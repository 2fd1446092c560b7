package io.lars.lease;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.kernel.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Meters of self-registration on one node, registered once in the node's registry when the
 * extension is made ({@code lars_leases_*_total}, {@code lars_dns_shrink_refused_total}) and
 * counted directly; thread-safe.
 */
public final class LeaseStats implements Extension {

  /** The extension id. */
  public static final ExtensionId<LeaseStats> ID = new ExtensionId<>() {
    @Override
    public LeaseStats createExtension(ActorSystem<?> system) {
      return new LeaseStats(Metrics.get(system).registry());
    }
  };

  private final Counter registered;
  private final Counter heartbeats;
  private final Counter expired;
  private final Counter conflicts;
  private final Counter expirySuspended;
  private final Counter shrinkRefused;

  private LeaseStats(MeterRegistry registry) {
    shrinkRefused = counter(registry, "lars.dns.shrink.refused", "module reloads refused for losing more than "
        + "max-shrink-fraction of the hosts without RouteChange rows");
    registered = counter(registry, "lars.leases.registered", "leases granted by owners on this node");
    heartbeats = counter(registry, "lars.leases.heartbeats", "heartbeats accepted by owners on this node");
    expired = counter(registry, "lars.leases.expired", "leases expired by owners on this node");
    conflicts = counter(registry, "lars.leases.conflicts", "registrations refused: the host is a static row");
    expirySuspended = counter(registry, "lars.leases.expiry.suspended",
        "expiry checks held back by the cluster-wide guard");
  }

  private static Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /**
   * @param system the node's actor system
   * @return the node's counters
   */
  public static LeaseStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return leases granted by owners on this node */
  public long registered() {
    return (long) registered.count();
  }

  /** @return heartbeats accepted by owners on this node */
  public long heartbeats() {
    return (long) heartbeats.count();
  }

  /** @return leases expired by owners on this node */
  public long expired() {
    return (long) expired.count();
  }

  /** @return registrations refused because the host is a static row */
  public long conflicts() {
    return (long) conflicts.count();
  }

  /** @return expiry checks of owners on this node that found due leases and were held back by the guard */
  public long expirySuspended() {
    return (long) expirySuspended.count();
  }

  /**
   * @return module route loads the dns poller refused because they lost more than
   *     {@code max-shrink-fraction} of the module's hosts without a deliberate change
   */
  public long shrinkRefused() {
    return (long) shrinkRefused.count();
  }

  void recordRegistered() {
    registered.increment();
  }

  void recordHeartbeat() {
    heartbeats.increment();
  }

  void recordExpired(int n) {
    expired.increment(n);
  }

  void recordConflict() {
    conflicts.increment();
  }

  void recordExpirySuspended() {
    expirySuspended.increment();
  }

  /** Counts a reload the dns poller refused as a shrink of registered hosts. */
  public void recordShrinkRefused() {
    shrinkRefused.increment();
  }
}
