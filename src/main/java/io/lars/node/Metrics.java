package io.lars.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.transport.TransportStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The node's metrics: one Micrometer {@link PrometheusMeterRegistry} per actor system, served as
 * Prometheus text on the admin's {@code /metrics}. Roles register their meters here, mostly as
 * function counters and gauges over the thread-safe counters they keep anyway (so counting costs
 * nothing extra on the hot path). Every Lars meter name starts with {@code lars.}, which
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
   * Registers a monotonic counter read from an object (for example a {@code LongAdder} sum).
   *
   * @param name the meter name, {@code lars.} prefixed, dot separated, without {@code _total}
   * @param description what is counted
   * @param source the object that holds the count; held weakly by Micrometer, so keep it alive
   * @param count reads the count
   * @param tags alternating tag keys and values
   * @param <T> the source type
   */
  public <T> void counter(String name, String description, T source, ToDoubleFunction<T> count, String... tags) {
    FunctionCounter.builder(name, source, count).description(description).tags(tags).register(registry);
  }

  /**
   * Registers a gauge read from an object.
   *
   * @param name the meter name, {@code lars.} prefixed, dot separated
   * @param description what is measured
   * @param source the object that holds the value; held weakly by Micrometer, so keep it alive
   * @param value reads the value
   * @param tags alternating tag keys and values
   * @param <T> the source type
   */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    Gauge.builder(name, source, value).description(description).tags(tags).register(registry);
  }

  /**
   * Counts one failed database operation in {@code lars_database_errors_total{source=...}}.
   *
   * @param source what ran it: {@code admin}, {@code health}, {@code dns}, {@code reporter}...
   */
  public void databaseError(String source) {
    registry.counter("lars.database.errors", "source", source).increment();
  }

  /**
   * Registers the counters of one transport endpoint, tagged {@code endpoint=<name>}:
   * {@code lars_tcp_connections_open}, {@code lars_tcp_connections_accepted_total},
   * {@code lars_tcp_bad_frames_total} (connections closed for bad frames),
   * {@code lars_tcp_outgoing_overflows_total}, {@code lars_frames_in_total},
   * {@code lars_frames_out_total}, {@code lars_udp_datagrams_in_total} and
   * {@code lars_udp_datagrams_dropped_total}.
   *
   * @param endpoint a name such as {@code dns}, {@code reporter}, {@code agent-8888} or {@code dns-client}
   * @param stats the endpoint's counters
   */
  public void registerTransport(String endpoint, TransportStats stats) {
    gauge("lars.tcp.connections.open", "TCP connections open now", stats, TransportStats::connectionsOpen,
        "endpoint", endpoint);
    counter("lars.tcp.connections.accepted", "TCP connections accepted (server) or established (client)", stats,
        TransportStats::connectionsAccepted, "endpoint", endpoint);
    counter("lars.tcp.bad.frames", "TCP connections closed because of a bad frame", stats,
        TransportStats::badFrames, "endpoint", endpoint);
    counter("lars.tcp.outgoing.overflows", "frames refused because an outgoing queue was full", stats,
        TransportStats::outgoingOverflows, "endpoint", endpoint);
    counter("lars.frames.in", "frames received", stats, TransportStats::framesIn, "endpoint", endpoint);
    counter("lars.frames.out", "frames queued for sending", stats, TransportStats::framesOut, "endpoint", endpoint);
    counter("lars.udp.datagrams.in", "UDP datagrams received", stats, TransportStats::datagramsIn,
        "endpoint", endpoint);
    counter("lars.udp.datagrams.dropped", "UDP datagrams dropped as bad input", stats,
        TransportStats::datagramsDropped, "endpoint", endpoint);
  }

  /**
   * Registers the listener limits of one TCP server (DESIGN.md "Robustness rules", H3, H8, H9,
   * H14), tagged {@code endpoint=<name>}: {@code lars_tcp_connections_not_allowed_total},
   * {@code lars_tcp_connections_rejected_total},
   * {@code lars_tcp_connections_over_address_limit_total},
   * {@code lars_tcp_connections_idle_closed_total}, {@code lars_tcp_accept_pauses_total} and the
   * gauge {@code lars_tcp_outgoing_bytes}.
   *
   * @param endpoint {@code dns} or {@code reporter}
   * @param stats the server's counters
   */
  public void registerListenerLimits(String endpoint, TransportStats stats) {
    counter("lars.tcp.connections.not.allowed", "TCP connections closed: address not on the allow-list",
        stats, TransportStats::connectionsNotAllowed, "endpoint", endpoint);
    counter("lars.tcp.connections.rejected", "TCP connections closed at once (any limit)", stats,
        TransportStats::connectionsRejected, "endpoint", endpoint);
    counter("lars.tcp.connections.over.address.limit",
        "TCP connections closed: per-address limit or reserved headroom", stats,
        TransportStats::connectionsOverAddressLimit, "endpoint", endpoint);
    counter("lars.tcp.connections.idle.closed", "TCP connections closed by the idle timeout", stats,
        TransportStats::connectionsIdleClosed, "endpoint", endpoint);
    counter("lars.tcp.accept.pauses", "times accepting paused for lack of file descriptors", stats,
        TransportStats::acceptPauses, "endpoint", endpoint);
    gauge("lars.tcp.outgoing.bytes", "bytes queued for sending on all connections", stats,
        TransportStats::outgoingBytesQueued, "endpoint", endpoint);
  }
}
