package io.lars.transport;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.KillSwitches;
import akka.stream.QueueOfferResult;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.stream.scaladsl.Framing;
import akka.util.ByteString;
import io.lars.Backoff;
import io.lars.Futures;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.FrameException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A TCP client of a Lars server (the agent's dns and reporter clients, DESIGN.md "Agent views")
 * that stays connected: it connects with Akka Streams {@code Tcp.outgoingConnection} and the
 * {@link FrameCodec}, and when a connection fails or ends it reconnects with exponential backoff
 * and jitter, forever (the reference gave up after one failed reconnect,
 * DESIGN.md "Defects of the reference", D8).
 *
 * <p>The owner is told {@link Connected} on every successful (re)connect, {@link Received} for
 * every frame, and {@link Disconnected} when a connection is lost, or when connecting fails and
 * the owner has not been told since its last {@code Connected} (so once per outage, not once per
 * retry). Frames that break the codec close the connection (logged, counted in
 * {@link TransportStats#badFrames()}) and a reconnect follows.
 *
 * <p>{@link Send} while connected goes into the connection's outgoing queue of
 * {@link Settings#maxPendingFrames()} frames; when that queue is full the frame is dropped and
 * counted ({@link TransportStats#outgoingOverflows()}), the connection stays. While
 * disconnected, frames wait in a pending queue of the same bound, sent in order on the next
 * connect; beyond the bound new frames are dropped and counted. Frames already handed to a
 * connection that then breaks may be lost, as with any TCP peer that disappears.
 *
 * <p>With {@link Settings#inJvm()}, a server that listens in the same actor system at the configured
 * host and port ({@link LocalServers}) is connected in memory instead of over loopback TCP
 * (DESIGN.md "In-JVM links"): the same frames, queues, events and reconnects, without a socket.
 *
 * <p>Stopping the actor closes the connection.
 */
public final class ReconnectingTcpClient extends AbstractBehavior<ReconnectingTcpClient.Command> {

  /** How long one connection attempt may take before it counts as failed. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** What the client accepts. */
  public interface Command {}

  /**
   * Sends a frame now, or on the next connect.
   *
   * @param frame the frame
   */
  public record Send(Frame frame) implements Command {
    /** @throws NullPointerException if frame is null */
    public Send {
      Objects.requireNonNull(frame, "frame");
    }
  }

  /** What the client tells its owner. */
  public interface Event {}

  /**
   * A connection was established (first connect or reconnect); pending frames are on their way.
   *
   * @param remote the server's address as configured (unresolved when given as a host name or
   *     literal; Akka resolves it without blocking)
   */
  public record Connected(InetSocketAddress remote) implements Event {}

  /**
   * The connection was lost, or connecting failed; the client keeps retrying.
   *
   * @param reason what happened, for logs
   */
  public record Disconnected(String reason) implements Event {}

  /**
   * A frame from the server; its body is not parsed here.
   *
   * @param frame the frame
   */
  public record Received(Frame frame) implements Event {}

  /**
   * Where to connect and how to retry.
   *
   * @param host the server's host name or IP literal (resolved by Akka without blocking)
   * @param port the server's TCP port, 1..65535
   * @param minBackoff delay before the first retry, positive
   * @param maxBackoff largest delay between retries before jitter, at least {@code minBackoff}
   * @param randomFactor jitter: each delay is multiplied by {@code 1 + random(0, randomFactor)},
   *     0..1
   * @param maxPendingFrames frames kept while disconnected, and the size of a connection's
   *     outgoing queue, at least 1
   * @param inJvm connect in memory when the server listens in the same actor system
   */
  public record Settings(String host, int port, Duration minBackoff, Duration maxBackoff, double randomFactor,
      int maxPendingFrames, boolean inJvm) {

    /**
     * @throws IllegalArgumentException naming the value that is out of range
     */
    public Settings {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host must not be empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535, was " + port);
      }
      new Backoff(minBackoff, maxBackoff, randomFactor);
      if (maxPendingFrames < 1) {
        throw new IllegalArgumentException("maxPendingFrames must be at least 1, was " + maxPendingFrames);
      }
    }

    /**
     * Settings that always connect over TCP.
     *
     * @param host the server's host name or IP literal
     * @param port the server's TCP port, 1..65535
     * @param minBackoff delay before the first retry, positive
     * @param maxBackoff largest delay between retries before jitter, at least {@code minBackoff}
     * @param randomFactor jitter, 0..1
     * @param maxPendingFrames frames kept while disconnected, at least 1
     */
    public Settings(String host, int port, Duration minBackoff, Duration maxBackoff, double randomFactor,
        int maxPendingFrames) {
      this(host, port, minBackoff, maxBackoff, randomFactor, maxPendingFrames, false);
    }

    /** @return the reconnect backoff of these settings */
    public Backoff backoff() {
      return new Backoff(minBackoff, maxBackoff, randomFactor);
    }
  }

  private record ConnectionEstablished(int generation, InetSocketAddress remote, boolean inJvm) implements Command {}

  private record FrameReceived(int generation, Frame frame) implements Command {}

  private record ConnectionEnded(int generation, Throwable failure) implements Command {}

  private enum Reconnect implements Command { INSTANCE }

  /** One connection attempt's stream: its outgoing queue and the switch that closes it. */
  private record Link(BoundedSourceQueue<Frame> queue, SharedKillSwitch killSwitch) {}

  private final TimerScheduler<Command> timers;
  private final Settings settings;
  private final Backoff backoff;
  private final ActorRef<Event> owner;
  private final TransportStats stats;
  private final InetSocketAddress remote;
  private final ArrayDeque<Frame> pending = new ArrayDeque<>();
  private final LogThrottle dropLog = new LogThrottle(Duration.ofSeconds(10));
  private int generation;
  private Link link;
  private boolean connected;
  private long connectedAtNanos;
  private int failedAttempts;
  private boolean ownerToldDisconnected;

  /**
   * Creates the client; it connects at once.
   *
   * @param settings where to connect and how to retry
   * @param owner receives {@link Event}s
   * @param stats counters to update (connects, failed attempts, frames, drops)
   * @return the behavior
   */
  public static Behavior<Command> create(Settings settings, ActorRef<Event> owner, TransportStats stats) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(stats, "stats");
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new ReconnectingTcpClient(context, timers, settings, owner, stats)));
  }

  private ReconnectingTcpClient(ActorContext<Command> context, TimerScheduler<Command> timers, Settings settings,
      ActorRef<Event> owner, TransportStats stats) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.backoff = settings.backoff();
    this.owner = owner;
    this.stats = stats;
    this.remote = InetSocketAddress.createUnresolved(settings.host(), settings.port());
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, this::onSend)
        .onMessage(ConnectionEstablished.class, this::onConnectionEstablished)
        .onMessage(FrameReceived.class, this::onFrameReceived)
        .onMessage(ConnectionEnded.class, this::onConnectionEnded)
        .onMessageEquals(Reconnect.INSTANCE, this::onReconnect)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onSend(Send send) {
    if (connected) {
      offer(send.frame());
    } else {
      addPending(send.frame());
    }
    return this;
  }

  private Behavior<Command> onConnectionEstablished(ConnectionEstablished established) {
    if (established.generation() != generation) {
      return this;
    }
    connected = true;
    connectedAtNanos = System.nanoTime();
    ownerToldDisconnected = false;
    stats.connectionAccepted();
    getContext().getLog().info("connected to {}{} ({} pending frames)", established.remote(),
        established.inJvm() ? " in memory (same node)" : "", pending.size());
    owner.tell(new Connected(established.remote()));
    while (!pending.isEmpty()) {
      offer(pending.poll());
    }
    return this;
  }

  private Behavior<Command> onFrameReceived(FrameReceived received) {
    if (received.generation() == generation) {
      stats.frameIn();
      owner.tell(new Received(received.frame()));
    }
    return this;
  }

  private Behavior<Command> onConnectionEnded(ConnectionEnded ended) {
    if (ended.generation() != generation) {
      return this;
    }
    Throwable cause = Futures.unwrap(ended.failure());
    if (isBadInput(cause)) {
      stats.badFrame();
    }
    String reason = describe(cause);
    link = null;
    if (connected) {
      connected = false;
      stats.connectionClosed();
      // Akka's restart rule: a connection that stayed up for minBackoff resets the backoff.
      if (System.nanoTime() - connectedAtNanos >= settings.minBackoff().toNanos()) {
        failedAttempts = 0;
      }
      if (cause == null) {
        // Routine: a server closes idle connections (the reporter's idle-timeout) and on shutdown.
        getContext().getLog().info("connection to {}:{} {}; reconnecting", settings.host(), settings.port(), reason);
      } else {
        getContext().getLog().warn("connection to {}:{} lost: {}", settings.host(), settings.port(), reason);
      }
      tellDisconnected(reason);
    } else {
      stats.connectionRejected();
      if (ownerToldDisconnected) {
        getContext().getLog().debug("connecting to {}:{} failed again: {}", settings.host(), settings.port(), reason);
      } else {
        getContext().getLog().warn("connecting to {}:{} failed: {}", settings.host(), settings.port(), reason);
        tellDisconnected(reason);
      }
    }
    Duration delay = backoff.delay(failedAttempts++);
    getContext().getLog().debug("reconnecting to {}:{} in {} ms", settings.host(), settings.port(), delay.toMillis());
    timers.startSingleTimer(Reconnect.INSTANCE, delay);
    return this;
  }

  private Behavior<Command> onReconnect() {
    connect();
    return this;
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    if (link != null) {
      link.killSwitch().shutdown();
    }
    if (connected) {
      stats.connectionClosed();
    }
    return this;
  }

  private void tellDisconnected(String reason) {
    ownerToldDisconnected = true;
    owner.tell(new Disconnected(reason));
  }

  private void connect() {
    int gen = ++generation;
    SharedKillSwitch killSwitch = KillSwitches.shared("lars-tcp-client-" + getContext().getSelf().path().name() + "-" + gen);
    Transport transport = inJvmTransport().orElseGet(this::tcpTransport);
    // The connected signal goes first through the same stream, so the owner sees Connected
    // before any frame of that connection.
    Source<Command, NotUsed> connectedSignal = Source.completionStage(transport.remote())
        .map(address -> new ConnectionEstablished(gen, address, transport.inJvm()));
    ActorRef<Command> self = getContext().getSelf();
    Pair<BoundedSourceQueue<Frame>, CompletionStage<Done>> materialized = Source.<Frame>queue(settings.maxPendingFrames())
        .via(FrameStreams.encoder())
        .via(killSwitch.flow())
        .via(transport.bytes())
        .via(FrameStreams.tcpDecoder())
        .<Command>map(frame -> new FrameReceived(gen, frame))
        .prepend(connectedSignal)
        .via(killSwitch.flow())
        .toMat(Sink.foreach(self::tell), Keep.both())
        .run(getContext().getSystem());
    link = new Link(materialized.first(), killSwitch);
    getContext().pipeToSelf(materialized.second(), (done, failure) -> new ConnectionEnded(gen, failure));
  }

  /** One attempt's way to the server: the bytes both ways and the server's address once connected. */
  private record Transport(Flow<ByteString, ByteString, NotUsed> bytes, CompletionStage<InetSocketAddress> remote,
      boolean inJvm) {}

  /** The server's end run inside this client's stream, when the server listens in this actor system. */
  private Optional<Transport> inJvmTransport() {
    if (!settings.inJvm()) {
      return Optional.empty();
    }
    return LocalServers.get(getContext().getSystem()).find(settings.host(), settings.port())
        .flatMap(server -> server.acceptInJvm().map(bytes ->
            new Transport(bytes, CompletableFuture.completedFuture(remote), true)));
  }

  private Transport tcpTransport() {
    CompletableFuture<InetSocketAddress> established = new CompletableFuture<>();
    Flow<ByteString, ByteString, NotUsed> tcp = Tcp.get(getContext().getSystem())
        .outgoingConnection(remote, Optional.empty(), List.of(), false, Optional.of(CONNECT_TIMEOUT), Optional.empty())
        .mapMaterializedValue(connection -> {
          connection.whenComplete((c, failure) -> {
            if (failure != null) {
              established.completeExceptionally(failure);
            } else {
              established.complete(c.remoteAddress());
            }
          });
          return NotUsed.notUsed();
        });
    return new Transport(tcp, established, false);
  }

  private void offer(Frame frame) {
    QueueOfferResult result = link.queue().offer(frame);
    if (result == QueueOfferResult.enqueued()) {
      stats.frameOut();
    } else if (result == QueueOfferResult.dropped()) {
      drop(frame, "the outgoing queue of " + settings.maxPendingFrames() + " frames is full");
    } else {
      // The stream is ending; ConnectionEnded follows, keep the frame for the next connection.
      addPending(frame);
    }
  }

  private void addPending(Frame frame) {
    if (pending.size() < settings.maxPendingFrames()) {
      pending.add(frame);
    } else {
      drop(frame, "disconnected and " + settings.maxPendingFrames() + " frames are pending");
    }
  }

  private void drop(Frame frame, String why) {
    stats.outgoingOverflow();
    if (dropLog.tryAcquire()) {
      getContext().getLog().warn("dropped {} for {}:{}: {} ({} more dropped since the last report)",
          frame, settings.host(), settings.port(), why, dropLog.takeSuppressed());
    }
  }

  private static boolean isBadInput(Throwable cause) {
    return cause instanceof FrameException || cause instanceof Framing.FramingException;
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "closed by the server";
    }
    if (cause instanceof FrameException e) {
      return "bad input " + e.reason() + " (value " + e.value() + "): " + e.getMessage();
    }
    if (cause instanceof Framing.FramingException) {
      return "bad input: " + cause.getMessage();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
