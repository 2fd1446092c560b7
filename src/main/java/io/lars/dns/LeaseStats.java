package io.lars.dns;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.concurrent.atomic.LongAdder;

/** Counters of self-registration on one node, for metrics; thread-safe. */
public final class LeaseStats implements Extension {

  /** The extension id. */
  public static final ExtensionId<LeaseStats> ID = new ExtensionId<>() {
    @Override
    public LeaseStats createExtension(ActorSystem<?> system) {
      return new LeaseStats();
    }
  };

  private final LongAdder registered = new LongAdder();
  private final LongAdder heartbeats = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder expirySuspended = new LongAdder();
  private final LongAdder shrinkRefused = new LongAdder();

  private LeaseStats() {}

  /**
   * @param system the node's actor system
   * @return the node's counters
   */
  public static LeaseStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return leases granted by owners on this node */
  public long registered() {
    return registered.sum();
  }

  /** @return heartbeats accepted by owners on this node */
  public long heartbeats() {
    return heartbeats.sum();
  }

  /** @return leases expired by owners on this node */
  public long expired() {
    return expired.sum();
  }

  /** @return registrations refused because the host is a static row */
  public long conflicts() {
    return conflicts.sum();
  }

  /** @return expiry checks of owners on this node that found due leases and were held back by the guard */
  public long expirySuspended() {
    return expirySuspended.sum();
  }

  /**
   * @return module route loads the dns poller refused because they lost more than
   *     {@code max-shrink-fraction} of the module's hosts without a deliberate change
   */
  public long shrinkRefused() {
    return shrinkRefused.sum();
  }

  void recordRegistered() {
    registered.increment();
  }

  void recordHeartbeat() {
    heartbeats.increment();
  }

  void recordExpired(int n) {
    expired.add(n);
  }

  void recordConflict() {
    conflicts.increment();
  }

  void recordExpirySuspended() {
    expirySuspended.increment();
  }

  void recordShrinkRefused() {
    shrinkRefused.increment();
  }
}
