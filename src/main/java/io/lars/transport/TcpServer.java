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
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * connection, logged once with the peer address and counted in {@link #stats()}; a peer whose
 * outgoing queue overflows is closed the same way (SPEC 3 and 5). Connections beyond
 * {@link Settings#maxConnections()} are closed at once.
 *
 * <p>Coordinated shutdown stops accepting in phase {@code service-unbind} and closes every
 * connection in phase {@code service-requests-done}; {@link #unbind()} does both at once.
 */
public final class TcpServer {

  private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
  /** Pending accepts the kernel queues for us (Akka's default). */
  private static final int BACKLOG = 100;

  private final ActorSystem<?> system;
  private final String name;
  private final Settings settings;
  private final MessageRouter router;
  private final TransportStats stats = new TransportStats();
  private final Map<Long, ServerConnection> connections = new ConcurrentHashMap<>();
  private final AtomicLong lastConnectionId = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final LogThrottle rejectLog = new LogThrottle(Duration.ofSeconds(10));
  private volatile Tcp.ServerBinding binding;
  private volatile List<Cancellable> shutdownTasks = List.of();

  /**
   * Where and how a server listens.
   *
   * @param host the interface to bind, e.g. {@code "0.0.0.0"} or {@code "127.0.0.1"}
   * @param port the TCP port, 0..65535; 0 picks a free port (see {@link #localAddress()})
   * @param maxConnections connections served at once, at least 1; more are closed at once
   * @param maxOutgoingFrames frames queued per connection, at least 1; a connection whose
   *     queue is full when a frame is sent is closed as too slow
   */
  public record Settings(String host, int port, int maxConnections, int maxOutgoingFrames) {

    /** Outgoing queue size used by {@link #fromConfig} when the section sets none. */
    public static final int DEFAULT_MAX_OUTGOING_FRAMES = 1024;

    /**
     * @throws IllegalArgumentException naming the value that is out of range
     */
    public Settings {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host must not be empty");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
      }
      if (maxOutgoingFrames < 1) {
        throw new IllegalArgumentException("maxOutgoingFrames must be at least 1, was " + maxOutgoingFrames);
      }
    }

    /**
     * Reads a role's listener settings: {@code bind}, {@code port}, {@code max-connections} and
     * the optional {@code max-outgoing-frames} (default {@value #DEFAULT_MAX_OUTGOING_FRAMES}).
     *
     * @param section the role's section, e.g. {@code config.getConfig("lars.dns")}
     * @return the settings
     * @throws IllegalArgumentException naming the key that is missing or wrong
     */
    public static Settings fromConfig(Config section) {
      try {
        int maxOutgoing = section.hasPath("max-outgoing-frames")
            ? section.getInt("max-outgoing-frames") : DEFAULT_MAX_OUTGOING_FRAMES;
        return new Settings(section.getString("bind"), section.getInt("port"),
            section.getInt("max-connections"), maxOutgoing);
      } catch (ConfigException e) {
        throw new IllegalArgumentException("TCP listener settings: " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TCP listener settings in " + section.origin().description()
            + ": " + e.getMessage(), e);
      }
    }
  }

  private TcpServer(ActorSystem<?> system, String name, Settings settings, MessageRouter router) {
    this.system = system;
    this.name = name;
    this.settings = settings;
    this.router = router;
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
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(router, "router");
    return new TcpServer(system, name, settings, router).start();
  }

  private CompletionStage<TcpServer> start() {
    CompletionStage<Tcp.ServerBinding> bound = Tcp.get(system)
        .bind(settings.host(), settings.port(), BACKLOG, List.of(TcpSO.reuseAddress(true)), false, Optional.empty())
        .to(Sink.foreach(this::accept))
        .run(system);
    return bound.handle((b, failure) -> {
      if (failure != null) {
        throw new CompletionException(new IllegalStateException("TCP server " + name + " cannot bind "
            + settings.host() + ":" + settings.port() + ": " + rootCause(failure).getMessage(), failure));
      }
      binding = b;
      registerShutdownTasks();
      log.info("TCP server {} listening on {}", name, b.localAddress());
      return this;
    });
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

  /** Runs on the accept stream, one connection at a time, so the limit check cannot race. */
  private void accept(Tcp.IncomingConnection incoming) {
    if (stopping.get() || connections.size() >= settings.maxConnections()) {
      reject(incoming);
      return;
    }
    ServerConnection connection = new ServerConnection(lastConnectionId.incrementAndGet(), incoming.remoteAddress());
    connections.put(connection.id, connection);
    stats.connectionAccepted();
    try {
      router.connected(connection);
    } catch (RuntimeException e) {
      log.error("TCP server {}: onConnect failed for connection {} from {}; closing it",
          name, connection.id, connection.peer, e);
      connection.close();
    }
    Flow<ByteString, ByteString, CompletionStage<Done>> handler =
        Flow.fromSinkAndSourceCoupledMat(connection.incoming(), connection.outgoing, Keep.left());
    incoming.handleWith(handler, system).whenComplete((done, failure) -> finish(connection, failure));
  }

  private void reject(Tcp.IncomingConnection incoming) {
    stats.connectionRejected();
    if (rejectLog.tryAcquire()) {
      log.warn("TCP server {}: refused connection from {}: {} (and {} more refused since the last report)",
          name, incoming.remoteAddress(),
          stopping.get() ? "server is unbinding" : settings.maxConnections() + " connections are open",
          rejectLog.takeSuppressed());
    }
    incoming.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), system);
  }

  private void finish(ServerConnection connection, Throwable failure) {
    connection.open.set(false);
    connections.remove(connection.id);
    stats.connectionClosed();
    Throwable cause = failure == null ? null : rootCause(failure);
    if (cause instanceof FrameException e) {
      stats.badFrame();
      log.warn("TCP server {}: closed connection {} from {}: bad input {} (value {}): {}",
          name, connection.id, connection.peer, e.reason(), e.value(), e.getMessage());
    } else if (cause instanceof Framing.FramingException) {
      stats.badFrame();
      log.warn("TCP server {}: closed connection {} from {}: bad input: {}",
          name, connection.id, connection.peer, cause.getMessage());
    } else if (cause instanceof StreamTcpException || cause instanceof IOException
        || cause instanceof AbruptStageTerminationException) {
      log.debug("TCP server {}: connection {} from {} ended: {}", name, connection.id, connection.peer, cause.toString());
    } else if (cause != null) {
      log.error("TCP server {}: closed connection {} from {}: handler failed", name, connection.id, connection.peer, cause);
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

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c instanceof CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  @Override
  public String toString() {
    return "TcpServer(" + name + ", " + (binding == null ? settings.host() + ":" + settings.port() : localAddress()) + ")";
  }

  /** One accepted connection: its outgoing queue and the switch that ends both directions. */
  private final class ServerConnection implements Connection {

    private final long id;
    private final InetSocketAddress peer;
    private final SharedKillSwitch killSwitch;
    private final BoundedSourceQueue<Frame> queue;
    private final Source<ByteString, NotUsed> outgoing;
    private final AtomicBoolean open = new AtomicBoolean(true);
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
      return Flow.<ByteString>create()
          .via(killSwitch.flow())
          .via(FrameStreams.decoder())
          .toMat(Sink.foreach(this::dispatch), Keep.right());
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
    public boolean send(Frame frame) {
      Objects.requireNonNull(frame, "frame");
      if (!open.get()) {
        return false;
      }
      QueueOfferResult result = queue.offer(frame);
      if (result == QueueOfferResult.enqueued()) {
        stats.frameOut();
        return true;
      }
      if (result == QueueOfferResult.dropped()) {
        stats.outgoingOverflow();
        if (open.compareAndSet(true, false)) {
          log.warn("TCP server {}: closing connection {} from {}: outgoing queue of {} frames is full (peer too slow)",
              name, id, peer, settings.maxOutgoingFrames());
          killSwitch.shutdown();
        }
      }
      return false;
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
