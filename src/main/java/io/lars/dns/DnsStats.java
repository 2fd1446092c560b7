package io.lars.dns;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.kernel.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dns role's meters on one node, written by the poller and subscribers: registered once in
 * the node's registry when the extension is made ({@code lars_dns_route_version},
 * {@code lars_dns_pushes_total}, {@code lars_dns_routes_refused_total}) and counted directly.
 */
public final class DnsStats implements Extension {

  /** The extension id. */
  public static final ExtensionId<DnsStats> ID = new ExtensionId<>() {
    @Override
    public DnsStats createExtension(ActorSystem<?> system) {
      return new DnsStats(Metrics.get(system).registry());
    }
  };

  private final AtomicLong routeVersion = new AtomicLong();
  private final Counter pushesSent;
  private final Counter routesRefused;

  private DnsStats(MeterRegistry registry) {
    Gauge.builder("lars.dns.route.version", routeVersion, AtomicLong::get)
        .description("RouteVersion of the route table being served").register(registry);
    pushesSent = Counter.builder("lars.dns.pushes").description("route pushes sent to subscribed connections")
        .register(registry);
    routesRefused = Counter.builder("lars.dns.routes.refused")
        .description("times a module's route was refused as too large to send").register(registry);
  }

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
    return (long) pushesSent.count();
  }

  /**
   * @return times a module's route, as loaded from the database, had more than
   *     {@code RouteLimits.MAX_HOSTS_PER_MODULE} hosts and was not served (counted once per
   *     module each time it turns oversize)
   */
  public long routesRefused() {
    return (long) routesRefused.count();
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
