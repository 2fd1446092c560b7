package io.lars.transport;

import akka.Done;
import akka.NotUsed;
import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.io.TcpSO;
import akka.japi.Pair;
import akka.stream.AbruptStageTerminationException;
import akka.stream.BoundedSourceQueue;
import akka.stream.KillSwitches;
import akka.stream.QueueOfferResult;
import akka.stream.SharedKillSwitch;
import akka.stream.StreamTcpException;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.stream.scaladsl.Framing;
import akka.util.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.Futures;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.FrameException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server speaking Lars frames (reference: lars_reactor {@code tcp_server}), built on Akka
 * Streams {@code Tcp.bind}. Used by the dns (7778) and reporter (7779) roles.
 *
 * <p>Each accepted connection runs its own stream: bytes, {@link FrameStreams#tcpDecoder()}, then
 * the {@link MessageRouter} handler of the frame's msgid with the parsed body. Outgoing frames
 * go through a bounded per-connection queue and {@link FrameStreams#encoder()}. Bad input (a
 * negative or oversize msglen, a msgid without a handler, an unparsable body) closes only that
 * connection, counted in {@link #stats()} and logged at most once per interval per cause with
 * the peer address; a peer whose outgoing queue overflows is closed the same way
 * (WIRE.md "Bad input"; DESIGN.md "Data path 2").
 *
 * <p>Limits (DESIGN.md "Robustness rules", H3, H8, H9, H14), each closing the connection at once,
 * counted and logged once per interval per cause:
 * <ul>
 *   <li>the peer's address must be on {@link Settings#allow()} (a CIDR allow-list);
 *   <li>at most {@link Settings#maxConnections()} connections, of which the last
 *       {@link Settings#reservedConnections()} only go to addresses with no connection open (a new
 *       agent gets in while one address floods the listener), and at most
 *       {@link Settings#maxConnectionsPerAddress()} per address;
 *   <li>outgoing frames are bounded per connection in frames and in bytes, and in bytes across
 *       all connections ({@link Settings#maxOutgoingBytesTotal()}); a connection whose frame does
 *       not fit is closed as too slow;
 *   <li>the idle timeout closes a connection that has sent no complete frame for
 *       {@link Settings#idleTimeout()}, by {@link IdleRule} (slowloris peers);
 *   <li>accepting pauses, with backoff, while the process has fewer than
 *       {@link DescriptorBudget#RESERVED} file descriptors free.
 * </ul>
 *
 * <p>A {@link ReconnectingTcpClient} of the same actor system may connect without a socket
 * ({@link LocalServers}, DESIGN.md "In-JVM links"); such a connection is served like any other.
 *
 * <p>Coordinated shutdown stops accepting in phase {@code service-unbind} and closes every
 * connection in phase {@code service-requests-done}; {@link #unbind()} does both at once.
 */
public final class TcpServer {

  private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
  /** Pending accepts the kernel queues for us (Akka's default). */
  private static final int BACKLOG = 100;
  /** At most one log line per cause (refused, bad input, idle, slow, ...) per interval. */
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  private static final Duration ACCEPT_MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration ACCEPT_MAX_BACKOFF = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final String name;
  private final Settings settings;
  private final MessageRouter router;
  private final DescriptorBudget descriptors;
  private final TransportStats stats;
  private final Map<Long, ServerConnection> connections = new ConcurrentHashMap<>();
  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final AtomicLong outgoingBytes = new AtomicLong();
  private final AtomicLong lastConnectionId = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Map<String, LogThrottle> logThrottles = new ConcurrentHashMap<>();
  private volatile Tcp.ServerBinding binding;
  private volatile List<Cancellable> shutdownTasks = List.of();

  /** When the idle timeout closes a connection. */
  public enum IdleRule {
    /**
     * Only until the first complete frame: a connection that sent one is never closed as idle
     * (the dns: an agent sends its {@code GetRouteRequest}s and then only listens for pushes).
     */
    UNTIL_FIRST_FRAME,
    /** Whenever no complete frame came for the timeout (the reporter: agents keep sending). */
    BETWEEN_FRAMES
  }

  /**
   * Where and how a server listens, and its limits.
   *
   * @param host the interface to bind, e.g. {@code "0.0.0.0"} or {@code "127.0.0.1"}
   * @param port the TCP port, 0..65535; 0 picks a free port (see {@link #localAddress()})
   * @param maxConnections connections served at once, at least 1; more are closed at once
   * @param maxOutgoingFrames frames queued per connection, at least 1; a connection whose
   *     queue is full when a frame is sent is closed as too slow
   * @param maxOutgoingBytes bytes (header and body) queued per connection, at least one largest
   *     frame (65,535); a frame that does not fit closes the connection as too slow
   * @param maxOutgoingBytesTotal bytes queued over all connections, at least
   *     {@code maxOutgoingBytes}; a frame that does not fit closes its connection as too slow
   * @param allow the peer addresses served; others are closed at once
   * @param idleTimeout how long a connection may go without a complete frame, by
   *     {@code idleRule}; {@link Duration#ZERO} turns the timeout off
   * @param idleRule when the idle timeout applies
   * @param maxConnectionsPerAddress connections one peer address may hold, 1..maxConnections
   * @param reservedConnections the last connections below {@code maxConnections} that only go to
   *     addresses with no connection open, 0..maxConnections-1
   */
  public record Settings(String host, int port, int maxConnections, int maxOutgoingFrames, long maxOutgoingBytes,
      long maxOutgoingBytesTotal, AddressFilter allow, Duration idleTimeout, IdleRule idleRule,
      int maxConnectionsPerAddress, int reservedConnections) {

    /** Bytes queued per connection by default: 4 MiB, 64 of the largest frames. */
    public static final long DEFAULT_MAX_OUTGOING_BYTES = 4L << 20;
    /** Bytes queued over all connections by default: 256 MiB, or a quarter of the heap if less. */
    public static final long DEFAULT_MAX_OUTGOING_BYTES_TOTAL = 256L << 20;

    /**
     * @throws IllegalArgumentException naming the value that is out of range
     */
    public Settings {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("bind must name an address, e.g. 0.0.0.0");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("max-connections must be at least 1, was " + maxConnections);
      }
      if (maxOutgoingFrames < 1) {
        throw new IllegalArgumentException("max-outgoing-frames must be at least 1, was " + maxOutgoingFrames);
      }
      if (maxOutgoingBytes < FrameCodec.HEADER_LENGTH + FrameCodec.MAX_BODY_LENGTH) {
        throw new IllegalArgumentException("max-outgoing-bytes must be at least one largest frame (65535), was "
            + maxOutgoingBytes);
      }
      if (maxOutgoingBytesTotal < maxOutgoingBytes) {
        throw new IllegalArgumentException("max-outgoing-bytes-total must be at least max-outgoing-bytes ("
            + maxOutgoingBytes + "), was " + maxOutgoingBytesTotal);
      }
      Objects.requireNonNull(allow, "allow");
      Objects.requireNonNull(idleRule, "idleRule");
      if (idleTimeout == null || idleTimeout.isNegative()) {
        throw new IllegalArgumentException("idle-timeout must be 0 (off) or positive, was " + idleTimeout);
      }
      if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > maxConnections) {
        throw new IllegalArgumentException("max-connections-per-address must be 1..max-connections (" + maxConnections
            + "), was " + maxConnectionsPerAddress);
      }
      if (reservedConnections < 0 || reservedConnections >= maxConnections) {
        throw new IllegalArgumentException("reserved-connections must be 0..max-connections - 1 (" + (maxConnections - 1)
            + "), was " + reservedConnections);
      }
    }

    /**
     * Settings for tests and stand-ins: the default allow-list and outgoing byte bounds, no idle
     * timeout, no per-address limit and no reserved connections.
     *
     * @param host the interface to bind
     * @param port the TCP port, 0 for a free one
     * @param maxConnections connections served at once, at least 1
     * @param maxOutgoingFrames frames queued per connection, at least 1
     */
    public Settings(String host, int port, int maxConnections, int maxOutgoingFrames) {
      this(host, port, maxConnections, maxOutgoingFrames, DEFAULT_MAX_OUTGOING_BYTES, DEFAULT_MAX_OUTGOING_BYTES_TOTAL,
          AddressFilter.defaults(), Duration.ZERO, IdleRule.BETWEEN_FRAMES, maxConnections, 0);
    }

    /**
     * @param allowed the peer addresses served
     * @return these settings with another allow-list
     */
    public Settings withAllow(AddressFilter allowed) {
      return new Settings(host, port, maxConnections, maxOutgoingFrames, maxOutgoingBytes, maxOutgoingBytesTotal,
          allowed, idleTimeout, idleRule, maxConnectionsPerAddress, reservedConnections);
    }

    /**
     * @param timeout the idle timeout, {@link Duration#ZERO} for none
     * @param rule when it applies
     * @return these settings with another idle timeout
     */
    public Settings withIdleTimeout(Duration timeout, IdleRule rule) {
      return new Settings(host, port, maxConnections, maxOutgoingFrames, maxOutgoingBytes, maxOutgoingBytesTotal,
          allow, timeout, rule, maxConnectionsPerAddress, reservedConnections);
    }

    /**
     * @param perAddress connections one address may hold
     * @param reserved the last connections kept for addresses with none open
     * @return these settings with other connection limits
     */
    public Settings withAddressLimits(int perAddress, int reserved) {
      return new Settings(host, port, maxConnections, maxOutgoingFrames, maxOutgoingBytes, maxOutgoingBytesTotal,
          allow, idleTimeout, idleRule, perAddress, reserved);
    }

    /**
     * @param perConnection bytes queued per connection
     * @param total bytes queued over all connections
     * @return these settings with other outgoing byte bounds
     */
    public Settings withOutgoingBytes(long perConnection, long total) {
      return new Settings(host, port, maxConnections, maxOutgoingFrames, perConnection, total, allow, idleTimeout,
          idleRule, maxConnectionsPerAddress, reservedConnections);
    }

    /**
     * Reads a role's listener settings: {@code bind}, {@code port}, {@code max-connections},
     * {@code max-outgoing-frames}, {@code max-outgoing-bytes}, {@code allow} (a list of CIDRs),
     * {@code idle-timeout} (0 = off), {@code max-connections-per-address},
     * {@code reserved-connections}, and the optional {@code max-outgoing-bytes-total} (unset: 256
     * MiB or a quarter of the heap, whichever is less, and at least {@code max-outgoing-bytes}).
     *
     * @param config the resolved configuration
     * @param path the role's section, e.g. {@code lars.dns}
     * @param idleRule when the idle timeout applies on this listener
     * @return the settings
     * @throws IllegalArgumentException naming the key ({@code path.key}) that is missing or wrong
     */
    public static Settings fromConfig(Config config, String path, IdleRule idleRule) {
      try {
        Config section = config.getConfig(path);
        long bytes = section.getBytes("max-outgoing-bytes");
        // the one optional key: its default depends on the heap of this JVM
        long total = section.hasPath("max-outgoing-bytes-total")
            ? section.getBytes("max-outgoing-bytes-total") : Math.max(bytes, defaultTotal());
        AddressFilter allow;
        try {
          allow = AddressFilter.parse(section.getStringList("allow"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("allow: " + e.getMessage(), e);
        }
        return new Settings(section.getString("bind"), section.getInt("port"), section.getInt("max-connections"),
            section.getInt("max-outgoing-frames"), bytes, total, allow, section.getDuration("idle-timeout"), idleRule,
            section.getInt("max-connections-per-address"), section.getInt("reserved-connections"));
      } catch (ConfigException e) {
        throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path + "." + e.getMessage(), e);
      }
    }

    /** @return 256 MiB, or a quarter of the largest heap if that is less */
    private static long defaultTotal() {
      return Math.min(DEFAULT_MAX_OUTGOING_BYTES_TOTAL, Runtime.getRuntime().maxMemory() / 4);
    }
  }

  private TcpServer(ActorSystem<?> system, String name, Settings settings, MessageRouter router,
      DescriptorBudget descriptors, TransportStats stats) {
    this.system = system;
    this.name = name;
    this.settings = settings;
    this.router = router;
    this.descriptors = descriptors;
    this.stats = stats;
  }

  /**
   * Binds a server and starts accepting connections.
   *
   * @param system the actor system that runs the streams and whose coordinated shutdown
   *     unbinds the server
   * @param name a short name for logs and shutdown tasks, e.g. {@code "dns"}
   * @param settings where to listen and the limits
   * @param router what to do with frames, connects and closes
   * @return completes with the bound server, or fails with an {@link IllegalStateException}
   *     saying which address could not be bound and why (e.g. port in use)
   */
  public static CompletionStage<TcpServer> bind(ActorSystem<?> system, String name, Settings settings,
      MessageRouter router) {
    return bind(system, name, settings, router, new TransportStats());
  }

  /**
   * {@link #bind(ActorSystem, String, Settings, MessageRouter)} counting in the given meters, for
   * a role whose listener is exposed on {@code /metrics}.
   *
   * @param system the actor system
   * @param name a short name for logs
   * @param settings where to listen and the limits
   * @param router what to do with frames
   * @param stats the listener's meters, usually in the node's registry
   * @return completes with the bound server, or fails as the other {@code bind}
   */
  public static CompletionStage<TcpServer> bind(ActorSystem<?> system, String name, Settings settings,
      MessageRouter router, TransportStats stats) {
    return bind(system, name, settings, router, DescriptorBudget.ofProcess(), stats);
  }

  /**
   * {@link #bind(ActorSystem, String, Settings, MessageRouter)} with the file descriptor readings
   * given, for tests of the accept pause.
   *
   * @param system the actor system
   * @param name a short name for logs
   * @param settings where to listen and the limits
   * @param router what to do with frames
   * @param descriptors the descriptor budget that pauses accepting
   * @return completes with the bound server, or fails as the other {@code bind}
   */
  public static CompletionStage<TcpServer> bind(ActorSystem<?> system, String name, Settings settings,
      MessageRouter router, DescriptorBudget descriptors) {
    return bind(system, name, settings, router, descriptors, new TransportStats());
  }

  private static CompletionStage<TcpServer> bind(ActorSystem<?> system, String name, Settings settings,
      MessageRouter router, DescriptorBudget descriptors, TransportStats stats) {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(descriptors, "descriptors");
    Objects.requireNonNull(stats, "stats");
    return new TcpServer(system, name, settings, router, descriptors, stats).start();
  }

  private CompletionStage<TcpServer> start() {
    if (settings.allow().allowsAny()) {
      log.warn("TCP server {}: the allow-list {} lets any address connect; the Lars wire has no authentication, "
          + "so anyone who reaches the port can read routes or store statistics", name, settings.allow());
    }
    descriptors.warningFor("TCP server " + name + ": " + "max-connections", settings.maxConnections())
        .ifPresent(log::warn);
    // mapAsync(1): the next connection is pulled (and Akka's listener accepts) only after the
    // gate opens, so an exhausted descriptor table pauses accepting instead of spinning on EMFILE.
    CompletionStage<Tcp.ServerBinding> bound = Tcp.get(system)
        .bind(settings.host(), settings.port(), BACKLOG, List.of(TcpSO.reuseAddress(true)), false, Optional.empty())
        .mapAsync(1, incoming -> {
          acceptSafely(incoming);
          return acceptGate(ACCEPT_MIN_BACKOFF);
        })
        .to(Sink.ignore())
        .run(system);
    return bound.handle((b, failure) -> {
      if (failure != null) {
        throw new CompletionException(new IllegalStateException("TCP server " + name + " cannot bind "
            + settings.host() + ":" + settings.port() + ": " + Futures.unwrap(failure).getMessage(), failure));
      }
      binding = b;
      LocalServers.get(system).add(b.localAddress().getPort(), this);
      registerShutdownTasks();
      log.info("TCP server {} listening on {}, allowing {}", name, b.localAddress(), settings.allow());
      return this;
    });
  }

  /** Completes when the process has descriptors to spare, checking again with backoff. */
  private CompletionStage<Done> acceptGate(Duration backoff) {
    if (stopping.get() || descriptors.hasHeadroom()) {
      return CompletableFuture.completedFuture(Done.done());
    }
    if (backoff.equals(ACCEPT_MIN_BACKOFF)) {
      stats.acceptPaused();
    }
    logThrottled("accept-paused", throttled -> log.warn(
        "TCP server {}: not accepting connections for now: {} file descriptors open, fewer than {} left{}", name, descriptors.describe(), DescriptorBudget.RESERVED, throttled));
    CompletableFuture<Done> retry = new CompletableFuture<>();
    Duration next = backoff.multipliedBy(2).compareTo(ACCEPT_MAX_BACKOFF) > 0 ? ACCEPT_MAX_BACKOFF : backoff.multipliedBy(2);
    system.scheduler().scheduleOnce(backoff, () -> acceptGate(next).whenComplete((d, e) -> retry.complete(Done.done())),
        system.executionContext());
    return retry;
  }

  private void registerShutdownTasks() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdownTasks = List.of(
        shutdown.addCancellableTask(CoordinatedShutdown.PhaseServiceUnbind(), "lars-tcp-" + name + "-unbind",
            this::stopAccepting),
        shutdown.addCancellableTask(CoordinatedShutdown.PhaseServiceRequestsDone(),
            "lars-tcp-" + name + "-close-connections", this::closeAll));
  }

  /** @return the bound address, with the real port when port 0 was asked for */
  public InetSocketAddress localAddress() {
    return binding.localAddress();
  }

  /** @return this server's counters (live, not a copy) */
  public TransportStats stats() {
    return stats;
  }

  /** @return the settings the server was bound with */
  public Settings settings() {
    return settings;
  }

  /**
   * Stops accepting connections and closes every open one (each gets its {@code onClose}).
   * Safe to call more than once; after it the port is free again.
   *
   * @return completes when the port is released and every connection has closed
   */
  public CompletionStage<Done> unbind() {
    shutdownTasks.forEach(Cancellable::cancel);
    return stopAccepting().thenCompose(done -> closeAll());
  }

  private CompletionStage<Done> stopAccepting() {
    if (stopping.compareAndSet(false, true)) {
      log.info("TCP server {} unbinding {}", name, binding.localAddress());
    }
    LocalServers.get(system).remove(binding.localAddress().getPort(), this);
    return binding.unbind().thenApply(unit -> Done.done());
  }

  private CompletionStage<Done> closeAll() {
    stopping.set(true);
    List<ServerConnection> open = List.copyOf(connections.values());
    if (!open.isEmpty()) {
      log.info("TCP server {} closing {} connections", name, open.size());
    }
    open.forEach(ServerConnection::close);
    return CompletableFuture.allOf(open.stream().map(c -> c.terminated).toArray(CompletableFuture[]::new))
        .thenApply(v -> Done.done());
  }

  /** An unexpected failure for one connection must not end the accept stream (and the listener). */
  private void acceptSafely(Tcp.IncomingConnection incoming) {
    try {
      accept(incoming);
    } catch (RuntimeException e) {
      logThrottled("accept-failed", more -> log.error("TCP server {}: cannot serve connection from {}{}",
          name, incoming.remoteAddress(), more, e));
    }
  }

  /** Runs on the accept stream, one connection at a time. */
  private void accept(Tcp.IncomingConnection incoming) {
    InetSocketAddress peer = incoming.remoteAddress();
    Admission admission = admit(peer);
    if (admission.refusal() != null) {
      refused(peer, admission.refusal());
      incoming.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), system);
      return;
    }
    ServerConnection connection = admission.connection();
    opened(connection);
    incoming.handleWith(connection.handler(), system).whenComplete((done, failure) -> finish(connection, failure));
  }

  /**
   * Accepts a connection from a client in the same actor system without a socket (DESIGN.md
   * "In-JVM links", {@link LocalServers}): the same limits, handlers, codec, outgoing bounds,
   * idle timeout and close rules as a TCP connection, with the peer {@code 127.0.0.1:0}.
   *
   * @return the server's end of the connection, bytes in and out, to be run inside the client's
   *     stream (its end closes the connection); empty when the server refuses it (unbinding, full),
   *     counted and logged as a refused TCP connection
   */
  Optional<Flow<ByteString, ByteString, NotUsed>> acceptInJvm() {
    InetSocketAddress peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    Admission admission = admit(peer);
    if (admission.refusal() != null) {
      refused(peer, admission.refusal());
      return Optional.empty();
    }
    ServerConnection connection = admission.connection();
    opened(connection);
    return Optional.of(connection.handler().mapMaterializedValue(done -> {
      done.whenComplete((d, failure) -> finish(connection, failure));
      return NotUsed.notUsed();
    }));
  }

  /** A new connection, or why it is refused. */
  private record Admission(ServerConnection connection, Refusal refusal) {}

  /**
   * Checks the limits and registers the connection in one step: TCP connections are accepted on
   * the accept stream, in-JVM ones on their client's thread.
   */
  private synchronized Admission admit(InetSocketAddress peer) {
    Refusal refusal = refusalOf(peer.getAddress());
    if (refusal != null) {
      return new Admission(null, refusal);
    }
    ServerConnection connection = new ServerConnection(lastConnectionId.incrementAndGet(), peer);
    connections.put(connection.id, connection);
    perAddress.merge(peer.getAddress(), 1, Integer::sum);
    return new Admission(connection, null);
  }

  private void opened(ServerConnection connection) {
    stats.connectionAccepted();
    try {
      router.connected(connection);
    } catch (RuntimeException e) {
      log.error("TCP server {}: onConnect failed for connection {} from {}; closing it",
          name, connection.id, connection.peer, e);
      connection.close();
    }
  }

  /** Why a new connection is closed at once, if it is. */
  private enum Refusal {
    STOPPING("server is unbinding"),
    NOT_ALLOWED("address is not on the allow-list"),
    PER_ADDRESS("address already holds max-connections-per-address connections"),
    RESERVED("only the reserved connections for new addresses are left"),
    FULL("max-connections connections are open");

    final String text;

    Refusal(String text) {
      this.text = text;
    }
  }

  private Refusal refusalOf(InetAddress address) {
    if (stopping.get()) {
      return Refusal.STOPPING;
    }
    if (!settings.allow().allows(address)) {
      return Refusal.NOT_ALLOWED;
    }
    int fromAddress = perAddress.getOrDefault(address, 0);
    if (fromAddress >= settings.maxConnectionsPerAddress()) {
      return Refusal.PER_ADDRESS;
    }
    int open = connections.size();
    if (open >= settings.maxConnections()) {
      return Refusal.FULL;
    }
    if (fromAddress > 0 && open >= settings.maxConnections() - settings.reservedConnections()) {
      return Refusal.RESERVED;
    }
    return null;
  }

  private void refused(InetSocketAddress peer, Refusal refusal) {
    switch (refusal) {
      case NOT_ALLOWED -> stats.connectionNotAllowed();
      case PER_ADDRESS, RESERVED -> stats.connectionOverAddressLimit();
      default -> stats.connectionRejected();
    }
    logThrottled("refused-" + refusal, throttled -> log.warn(
        "TCP server {}: refused connection from {}: {}{}", name, peer, refusal.text, throttled));
  }

  /**
   * Logs through the cause's throttle; the line gets a suffix saying how many were held back
   * ("" when none).
   */
  private void logThrottled(String cause, Consumer<String> line) {
    LogThrottle throttle = logThrottles.computeIfAbsent(cause, c -> new LogThrottle(LOG_INTERVAL));
    if (throttle.tryAcquire()) {
      long held = throttle.takeSuppressed();
      line.accept(held == 0 ? "" : " (" + held + " more in the last " + LOG_INTERVAL.toSeconds() + " s)");
    }
  }

  private void finish(ServerConnection connection, Throwable failure) {
    connection.release();
    connections.remove(connection.id);
    perAddress.computeIfPresent(connection.peer.getAddress(), (a, n) -> n > 1 ? n - 1 : null);
    stats.connectionClosed();
    Throwable cause = failure == null ? null : Futures.unwrap(failure);
    if (cause instanceof FrameException e) {
      stats.badFrame();
      logThrottled("bad-frame", throttled -> log.warn(
          "TCP server {}: closed connection {} from {}: bad input {} (value {}){}",
          name, connection.id, connection.peer, e.reason(), e.value(), throttled));
    } else if (cause instanceof Framing.FramingException) {
      stats.badFrame();
      logThrottled("bad-frame", throttled -> log.warn(
          "TCP server {}: closed connection {} from {}: bad input: {}{}",
          name, connection.id, connection.peer, cause.getMessage(), throttled));
    } else if (cause instanceof TimeoutException) {
      stats.connectionIdleClosed();
      logThrottled("idle", throttled -> log.info(
          "TCP server {}: closed connection {} from {}: no complete frame for {}{}",
          name, connection.id, connection.peer, settings.idleTimeout(), throttled));
    } else if (cause instanceof StreamTcpException || cause instanceof IOException
        || cause instanceof AbruptStageTerminationException) {
      log.debug("TCP server {}: connection {} from {} ended: {}", name, connection.id, connection.peer, cause.toString());
    } else if (cause != null) {
      logThrottled("handler-failed", throttled -> log.error(
          "TCP server {}: closed connection {} from {}: handler failed{}",
          name, connection.id, connection.peer, throttled, cause));
    } else {
      log.debug("TCP server {}: connection {} from {} closed", name, connection.id, connection.peer);
    }
    try {
      router.closed(connection);
    } catch (RuntimeException e) {
      log.error("TCP server {}: onClose failed for connection {} from {}", name, connection.id, connection.peer, e);
    }
    connection.terminated.complete(Done.done());
  }

  @Override
  public String toString() {
    return "TcpServer(" + name + ", " + (binding == null ? settings.host() + ":" + settings.port() : localAddress()) + ")";
  }

  /**
   * One accepted connection: its outgoing queue, the bytes in it, and the switch that ends both
   * directions. Bytes are counted from {@link #send} until the frame is handed to the socket.
   */
  private final class ServerConnection implements Connection {

    private final long id;
    private final InetSocketAddress peer;
    private final SharedKillSwitch killSwitch;
    private final BoundedSourceQueue<Frame> queue;
    private final Source<ByteString, NotUsed> outgoing;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicLong queuedBytes = new AtomicLong();
    private boolean released;
    private final CompletableFuture<Done> terminated = new CompletableFuture<>();

    ServerConnection(long id, InetSocketAddress peer) {
      this.id = id;
      this.peer = peer;
      this.killSwitch = KillSwitches.shared("lars-tcp-" + name + "-" + id);
      // Materialized ahead so that send() works from onConnect on, before the stream runs.
      Pair<BoundedSourceQueue<Frame>, Source<ByteString, NotUsed>> out = Source.<Frame>queue(settings.maxOutgoingFrames())
          .via(FrameStreams.encoder())
          .via(killSwitch.flow())
          .preMaterialize(system);
      this.queue = out.first();
      this.outgoing = out.second();
    }

    Sink<ByteString, CompletionStage<Done>> incoming() {
      Flow<ByteString, Frame, NotUsed> frames = Flow.<ByteString>create()
          .via(killSwitch.flow())
          .via(FrameStreams.tcpDecoder());
      Duration idle = settings.idleTimeout();
      if (!idle.isZero()) {
        frames = settings.idleRule() == IdleRule.UNTIL_FIRST_FRAME ? frames.initialTimeout(idle) : frames.idleTimeout(idle);
      }
      return frames.toMat(Sink.foreach(this::dispatch), Keep.right());
    }

    /** Both directions of the connection; completes when the incoming side ends. */
    Flow<ByteString, ByteString, CompletionStage<Done>> handler() {
      return Flow.fromSinkAndSourceCoupledMat(incoming(), outgoing(), Keep.left());
    }

    /** The encoded frames; the bytes leave the count when the socket stage takes them. */
    Source<ByteString, NotUsed> outgoing() {
      return outgoing.map(bytes -> {
        unqueue(bytes.size());
        return bytes;
      });
    }

    private void dispatch(Frame frame) {
      router.dispatch(this, frame);
      stats.frameIn();
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public InetSocketAddress peer() {
      return peer;
    }

    @Override
    public synchronized boolean send(Frame frame) {
      Objects.requireNonNull(frame, "frame");
      if (!open.get()) {
        return false;
      }
      long size = (long) FrameCodec.HEADER_LENGTH + frame.body().size();
      String full = null;
      if (queuedBytes.get() + size > settings.maxOutgoingBytes()) {
        full = "its outgoing queue holds " + queuedBytes.get() + " bytes (max-outgoing-bytes "
            + settings.maxOutgoingBytes() + ")";
      } else if (outgoingBytes.addAndGet(size) > settings.maxOutgoingBytesTotal()) {
        outgoingBytes.addAndGet(-size);
        full = "the outgoing queues of all connections hold " + outgoingBytes.get() + " bytes (max-outgoing-bytes-total "
            + settings.maxOutgoingBytesTotal() + ")";
      } else {
        queuedBytes.addAndGet(size);
        stats.outgoingBytes(size);
        QueueOfferResult result = queue.offer(frame);
        if (result == QueueOfferResult.enqueued()) {
          stats.frameOut();
          return true;
        }
        unqueue(size);
        if (result != QueueOfferResult.dropped()) {
          return false; // the stream has ended; finish() follows
        }
        full = "its outgoing queue holds " + settings.maxOutgoingFrames() + " frames (max-outgoing-frames)";
      }
      stats.outgoingOverflow();
      if (open.compareAndSet(true, false)) {
        String why = full;
        logThrottled("slow", throttled -> log.warn(
            "TCP server {}: closing connection {} from {} as too slow: {}{}",
            name, id, peer, why, throttled));
        killSwitch.shutdown();
      }
      return false;
    }

    private synchronized void unqueue(long size) {
      if (released) {
        return; // release() already returned every queued byte
      }
      queuedBytes.addAndGet(-size);
      outgoingBytes.addAndGet(-size);
      stats.outgoingBytes(-size);
    }

    /** Gives the bytes still queued back to the server's total once the stream has ended. */
    synchronized void release() {
      open.set(false);
      released = true;
      long left = queuedBytes.getAndSet(0);
      outgoingBytes.addAndGet(-left);
      stats.outgoingBytes(-left);
    }

    @Override
    public void close() {
      open.set(false);
      killSwitch.shutdown();
    }

    @Override
    public String toString() {
      return "Connection(" + name + "#" + id + " from " + peer + ")";
    }
  }
}
