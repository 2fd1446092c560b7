package io.lars.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one transport endpoint: a {@link TcpServer}, a {@link UdpServer} or a
 * {@link ReconnectingTcpClient}. Each endpoint has its own instance, handed in by its owner (or
 * created by the server), so health checks and the admin can read them at any time.
 *
 * <p>The counters are Micrometer meters, registered once when the instance is made and
 * incremented directly. With {@link #TransportStats(MeterRegistry, String, boolean)} they are in
 * the node's registry, tagged {@code endpoint=<name>}: {@code lars_tcp_connections_open},
 * {@code lars_tcp_connections_accepted_total}, {@code lars_tcp_bad_frames_total} (connections
 * closed for bad frames), {@code lars_tcp_outgoing_overflows_total}, {@code lars_frames_in_total},
 * {@code lars_frames_out_total}, {@code lars_udp_datagrams_in_total} and
 * {@code lars_udp_datagrams_dropped_total}; a TCP listener adds its limits (DESIGN.md "Robustness
 * rules", H3, H8, H9, H14): {@code lars_tcp_connections_not_allowed_total},
 * {@code lars_tcp_connections_rejected_total}, {@code lars_tcp_connections_over_address_limit_total},
 * {@code lars_tcp_connections_idle_closed_total}, {@code lars_tcp_accept_pauses_total} and the
 * gauge {@code lars_tcp_outgoing_bytes}. Counts that are not exposed live in a registry of this
 * instance only.
 *
 * <p>Counters only grow, except {@link #connectionsOpen()}, which is a gauge. Counters an
 * endpoint kind does not use stay 0 (a UDP server has no connections). Reads may miss updates
 * racing with them.
 */
public final class TransportStats {

  private final Counter connectionsAccepted;
  private final Counter connectionsRejected;
  private final Counter badFrames;
  private final Counter framesIn;
  private final Counter framesOut;
  private final Counter outgoingOverflows;
  private final Counter datagramsIn;
  private final Counter datagramsOut;
  private final Counter datagramsDropped;
  private final Counter connectionsNotAllowed;
  private final Counter connectionsOverAddressLimit;
  private final Counter connectionsIdleClosed;
  private final Counter acceptPauses;
  private final AtomicLong connectionsOpen = new AtomicLong();
  /** Atomic: a gauge read must never show more than was ever queued. */
  private final AtomicLong outgoingBytesQueued = new AtomicLong();

  /** Creates meters at 0 that no node exposes (an endpoint in a test or a tool). */
  public TransportStats() {
    this(new SimpleMeterRegistry(), "unexposed", false);
  }

  /**
   * Creates the meters of one endpoint at 0 and registers them.
   *
   * @param registry the node's registry ({@code Metrics.registry()})
   * @param endpoint the {@code endpoint} tag: {@code dns}, {@code reporter}, {@code agent-udp},
   *     {@code agent-dns-client}, {@code agent-reporter-client}
   * @param listener true for a TCP listener, which exposes its limits as well
   */
  public TransportStats(MeterRegistry registry, String endpoint, boolean listener) {
    MeterRegistry own = new SimpleMeterRegistry();
    MeterRegistry limits = listener ? registry : own;
    Gauge.builder("lars.tcp.connections.open", connectionsOpen, AtomicLong::get)
        .description("TCP connections open now").tags("endpoint", endpoint).register(registry);
    connectionsAccepted = counter(registry, "lars.tcp.connections.accepted",
        "TCP connections accepted (server) or established (client)", endpoint);
    badFrames = counter(registry, "lars.tcp.bad.frames", "TCP connections closed because of a bad frame", endpoint);
    outgoingOverflows = counter(registry, "lars.tcp.outgoing.overflows",
        "frames refused because an outgoing queue was full", endpoint);
    framesIn = counter(registry, "lars.frames.in", "frames received", endpoint);
    framesOut = counter(registry, "lars.frames.out", "frames queued for sending", endpoint);
    datagramsIn = counter(registry, "lars.udp.datagrams.in", "UDP datagrams received", endpoint);
    datagramsDropped = counter(registry, "lars.udp.datagrams.dropped", "UDP datagrams dropped as bad input",
        endpoint);
    connectionsNotAllowed = counter(limits, "lars.tcp.connections.not.allowed",
        "TCP connections closed: address not on the allow-list", endpoint);
    connectionsRejected = counter(limits, "lars.tcp.connections.rejected", "TCP connections closed at once (any limit)",
        endpoint);
    connectionsOverAddressLimit = counter(limits, "lars.tcp.connections.over.address.limit",
        "TCP connections closed: per-address limit or reserved headroom", endpoint);
    connectionsIdleClosed = counter(limits, "lars.tcp.connections.idle.closed",
        "TCP connections closed by the idle timeout", endpoint);
    acceptPauses = counter(limits, "lars.tcp.accept.pauses", "times accepting paused for lack of file descriptors",
        endpoint);
    if (listener) {
      Gauge.builder("lars.tcp.outgoing.bytes", outgoingBytesQueued, AtomicLong::get)
          .description("bytes queued for sending on all connections").tags("endpoint", endpoint).register(registry);
    }
    datagramsOut = counter(own, "lars.udp.datagrams.out", "", endpoint);
  }

  private static Counter counter(MeterRegistry registry, String name, String description, String endpoint) {
    return Counter.builder(name).description(description).tags("endpoint", endpoint).register(registry);
  }

  /**
   * @return TCP server: connections accepted and served. TCP client: connections established
   *     (one per successful connect or reconnect).
   */
  public long connectionsAccepted() {
    return (long) connectionsAccepted.count();
  }

  /**
   * @return TCP server: connections closed at once because {@code maxConnections} were open or
   *     the server was unbinding. TCP client: failed connection attempts.
   */
  public long connectionsRejected() {
    return (long) connectionsRejected.count();
  }

  /** @return connections open now (gauge; a client has 0 or 1) */
  public long connectionsOpen() {
    return connectionsOpen.get();
  }

  /**
   * @return connections closed for bad input: a negative or oversize msglen, a msgid without a
   *     handler, an unparsable body, or a stream that ended inside a frame
   */
  public long badFrames() {
    return (long) badFrames.count();
  }

  /** @return frames received and handed on (to a router handler or a client's owner) */
  public long framesIn() {
    return (long) framesIn.count();
  }

  /** @return frames accepted into an outgoing queue for sending */
  public long framesOut() {
    return (long) framesOut.count();
  }

  /**
   * @return frames refused because a bounded outgoing queue was full: on a TCP server each such
   *     frame also closed its connection; on a TCP client the frame was dropped (connected) or
   *     not queued (disconnected, {@code maxPendingFrames} reached); on a UDP server the socket
   *     refused the reply datagram
   */
  public long outgoingOverflows() {
    return (long) outgoingOverflows.count();
  }

  /** @return UDP datagrams received, good or bad */
  public long datagramsIn() {
    return (long) datagramsIn.count();
  }

  /** @return UDP datagrams handed to the socket for sending */
  public long datagramsOut() {
    return (long) datagramsOut.count();
  }

  /** @return UDP datagrams dropped because they were not exactly one valid frame */
  public long datagramsDropped() {
    return (long) datagramsDropped.count();
  }

  /**
   * @return TCP server: connections closed at once because the peer's address is not on the
   *     listener's allow-list (also counted in {@link #connectionsRejected()})
   */
  public long connectionsNotAllowed() {
    return (long) connectionsNotAllowed.count();
  }

  /**
   * @return TCP server: connections closed at once because their address already held
   *     {@code maxConnectionsPerAddress}, or because only the reserved connections were left and
   *     the address already had one (also counted in {@link #connectionsRejected()})
   */
  public long connectionsOverAddressLimit() {
    return (long) connectionsOverAddressLimit.count();
  }

  /** @return TCP server: connections closed by the idle timeout (no complete frame in time) */
  public long connectionsIdleClosed() {
    return (long) connectionsIdleClosed.count();
  }

  /**
   * @return TCP server: times accepting paused because the process had too few free file
   *     descriptors left (see {@link DescriptorBudget})
   */
  public long acceptPauses() {
    return (long) acceptPauses.count();
  }

  /** @return TCP server: bytes of frames queued for sending on all connections now (gauge) */
  public long outgoingBytesQueued() {
    return outgoingBytesQueued.get();
  }

  void connectionNotAllowed() {
    connectionsNotAllowed.increment();
    connectionRejected();
  }

  void connectionOverAddressLimit() {
    connectionsOverAddressLimit.increment();
    connectionRejected();
  }

  void connectionIdleClosed() {
    connectionsIdleClosed.increment();
  }

  void acceptPaused() {
    acceptPauses.increment();
  }

  void outgoingBytes(long delta) {
    outgoingBytesQueued.addAndGet(delta);
  }

  void connectionAccepted() {
    connectionsAccepted.increment();
    connectionsOpen.incrementAndGet();
  }

  void connectionClosed() {
    connectionsOpen.decrementAndGet();
  }

  void connectionRejected() {
    connectionsRejected.increment();
  }

  void badFrame() {
    badFrames.increment();
  }

  void frameIn() {
    framesIn.increment();
  }

  void frameOut() {
    framesOut.increment();
  }

  void outgoingOverflow() {
    outgoingOverflows.increment();
  }

  void datagramIn() {
    datagramsIn.increment();
  }

  void datagramOut() {
    datagramsOut.increment();
  }

  void datagramDropped() {
    datagramsDropped.increment();
  }

  @Override
  public String toString() {
    return "TransportStats(accepted=" + connectionsAccepted() + ", rejected=" + connectionsRejected()
        + ", open=" + connectionsOpen() + ", badFrames=" + badFrames() + ", framesIn=" + framesIn()
        + ", framesOut=" + framesOut() + ", outgoingOverflows=" + outgoingOverflows()
        + ", datagramsIn=" + datagramsIn() + ", datagramsOut=" + datagramsOut()
        + ", datagramsDropped=" + datagramsDropped() + ", notAllowed=" + connectionsNotAllowed()
        + ", overAddressLimit=" + connectionsOverAddressLimit() + ", idleClosed=" + connectionsIdleClosed()
        + ", acceptPauses=" + acceptPauses() + ", outgoingBytesQueued=" + outgoingBytesQueued() + ")";
  }
}
