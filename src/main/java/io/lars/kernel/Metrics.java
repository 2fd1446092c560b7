package io.lars.kernel;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The node's metrics: one Micrometer {@link PrometheusMeterRegistry} per actor system, served as
 * Prometheus text on the admin's {@code /metrics}. Roles register their meters here once (their
 * {@code *Stats} holders keep the references and count directly, no lookup per event). Every Lars meter name starts with {@code lars.}, which
 * Prometheus shows as {@code lars_...}; counters get the {@code _total} suffix.
 */
public final class Metrics implements Extension {

  /** The extension id; use {@link #get}. */
  public static final ExtensionId<Metrics> ID = new ExtensionId<>() {
    @Override
    public Metrics createExtension(ActorSystem<?> system) {
      return new Metrics();
    }
  };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
  }

  /**
   * @param system the node's actor system
   * @return the metrics of that system
   */
  public static Metrics get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** @return the registry to add meters to */
  public MeterRegistry registry() {
    return registry;
  }

  /** @return every meter in the Prometheus text exposition format 0.0.4 */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Counts one failed database operation in {@code lars_database_errors_total{source=...}}.
   *
   * @param source what ran it: {@code admin}, {@code health}, {@code dns}, {@code reporter}...
   */
  public void databaseError(String source) {
    registry.counter("lars.database.errors", "source", source).increment();
  }
}
