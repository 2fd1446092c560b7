package io.lars.dns;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The dns role's counters on one node, for metrics: thread-safe, written by the poller and subscribers. */
public final class DnsStats implements Extension {

  /** The extension id. */
  public static final ExtensionId<DnsStats> ID = new ExtensionId<>() {
    @Override
    public DnsStats createExtension(ActorSystem<?> system) {
      return new DnsStats();
    }
  };

  private final AtomicLong routeVersion = new AtomicLong();
  private final LongAdder pushesSent = new LongAdder();
  private final LongAdder routesRefused = new LongAdder();

  private DnsStats() {}

  /**
   * @param system the node's actor system
   * @return the node's dns counters
   */
  public static DnsStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return the {@code RouteVersion} of the table being served (unix seconds by convention), 0 before the first load */
  public long routeVersion() {
    return routeVersion.get();
  }

  /** @return route pushes (unrequested {@code GetRouteResponse} frames) handed to subscriber connections */
  public long pushesSent() {
    return pushesSent.sum();
  }

  /**
   * @return times a module's route, as loaded from the database, had more than
   *     {@code RouteLimits.MAX_HOSTS_PER_MODULE} hosts and was not served (counted once per
   *     module each time it turns oversize)
   */
  public long routesRefused() {
    return routesRefused.sum();
  }

  void routeRefused() {
    routesRefused.increment();
  }

  void routeVersion(long version) {
    routeVersion.set(version);
  }

  void pushSent() {
    pushesSent.increment();
  }
}
