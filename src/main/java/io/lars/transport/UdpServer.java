package io.lars.transport;

import akka.Done;
import akka.actor.AbstractActor;
import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.Props;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.io.Udp;
import akka.io.UdpMessage;
import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.FrameException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A UDP endpoint speaking Lars frames, one frame per datagram (reference: lars_reactor
 * {@code udp_server}; WIRE.md "Endpoints and their rules"). Used by the agent's three API ports.
 *
 * <p>Binds with classic {@code akka.io.Udp}. Every received datagram must be exactly one frame
 * ({@link FrameCodec#decodeDatagram}); a bad one is dropped and counted
 * ({@link TransportStats#datagramsDropped()}), logged at most once per 10 seconds. A good one
 * goes to the handler as a {@link Datagram}, body not parsed. {@link Send} encodes a frame and
 * sends it as one datagram.
 *
 * <p>Coordinated shutdown unbinds the port and stops the actor in phase {@code service-unbind};
 * stopping the actor otherwise unbinds the port too. If the bind fails, {@code bound} fails and
 * the actor stops.
 */
public final class UdpServer extends AbstractBehavior<Object> {

  /** What the server accepts. */
  public interface Command {}

  /**
   * Sends a frame as one datagram, e.g. a reply.
   *
   * @param to the receiver, typically {@link Datagram#sender()}
   * @param frame the frame; its body must be at most {@link FrameCodec#MAX_BODY_LENGTH} bytes
   */
  public record Send(InetSocketAddress to, Frame frame) implements Command {
    /** @throws NullPointerException if an argument is null */
    public Send {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(frame, "frame");
    }
  }

  /**
   * One good datagram, handed to the handler.
   *
   * @param frame the frame, body not parsed (any msgid: the handler decides)
   * @param sender where it came from, where replies go
   * @param server the server that received it, to send replies through
   */
  public record Datagram(Frame frame, InetSocketAddress sender, ActorRef<Command> server) {

    /**
     * Sends a frame back to the sender through the same server and port.
     *
     * @param reply the reply frame
     */
    public void reply(Frame reply) {
      server.tell(new Send(sender, reply));
    }
  }

  private enum Stop implements Command { INSTANCE }

  private record SocketBound(akka.actor.ActorRef socket, InetSocketAddress localAddress) {}

  private record BindFailed() {}

  private final InetSocketAddress bindAddress;
  private final ActorRef<Datagram> handler;
  private final CompletableFuture<InetSocketAddress> bound;
  private final TransportStats stats;
  private final ActorRef<Command> server;
  private final akka.actor.ActorRef classicSelf;
  private final CompletableFuture<Done> stopped = new CompletableFuture<>();
  private final Cancellable shutdownTask;
  private final LogThrottle badDatagramLog = new LogThrottle(Duration.ofSeconds(10));
  private final LogThrottle sendFailedLog = new LogThrottle(Duration.ofSeconds(10));
  private akka.actor.ActorRef socket;
  private InetSocketAddress localAddress;

  /**
   * Creates a server that binds at once.
   *
   * @param bind the address to bind; port 0 picks a free port
   * @param handler receives every good {@link Datagram}
   * @param bound completed with the real bound address, or exceptionally with an
   *     {@link IllegalStateException} naming the address when the bind fails (e.g. port in use)
   * @param stats counters to update (datagrams in, out, dropped, refused sends)
   * @return the behavior
   */
  public static Behavior<Command> create(InetSocketAddress bind, ActorRef<Datagram> handler,
      CompletableFuture<InetSocketAddress> bound, TransportStats stats) {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(bound, "bound");
    Objects.requireNonNull(stats, "stats");
    // Behavior<Object> inside: the classic Udp.Received and Udp.CommandFailed arrive here too.
    return Behaviors.setup(context -> new UdpServer(context, bind, handler, bound, stats)).narrow();
  }

  private UdpServer(ActorContext<Object> context, InetSocketAddress bindAddress, ActorRef<Datagram> handler,
      CompletableFuture<InetSocketAddress> bound, TransportStats stats) {
    super(context);
    this.bindAddress = bindAddress;
    this.localAddress = bindAddress;
    this.handler = handler;
    this.bound = bound;
    this.stats = stats;
    this.server = context.getSelf().narrow();
    this.classicSelf = Adapter.toClassic(context.getSelf());
    akka.actor.ActorRef receiver = classicSelf;
    Adapter.actorOf(context, Props.create(Binder.class, () -> new Binder(bindAddress, receiver)), "binder");
    ActorRef<Object> self = context.getSelf();
    this.shutdownTask = CoordinatedShutdown.get(context.getSystem()).addCancellableTask(
        CoordinatedShutdown.PhaseServiceUnbind(), "lars-udp-" + context.getSelf().path().name() + "-unbind",
        () -> {
          self.tell(Stop.INSTANCE);
          return stopped;
        });
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(Udp.Received.class, this::onReceived)
        .onMessage(Send.class, this::onSend)
        .onMessage(Udp.CommandFailed.class, this::onCommandFailed)
        .onMessage(SocketBound.class, this::onSocketBound)
        .onMessage(BindFailed.class, this::onBindFailed)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessage(Udp.Unbound.class, this::onUnbound)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Object> onReceived(Udp.Received received) {
    stats.datagramIn();
    Frame frame;
    try {
      frame = FrameCodec.decodeDatagram(received.data());
    } catch (FrameException e) {
      stats.datagramDropped();
      if (badDatagramLog.tryAcquire()) {
        getContext().getLog().warn("UDP {}: dropped a bad datagram from {}: {} (value {}): {} ({} more dropped since the last report)",
            localAddress, received.sender(), e.reason(), e.value(), e.getMessage(), badDatagramLog.takeSuppressed());
      }
      return this;
    }
    handler.tell(new Datagram(frame, received.sender(), server));
    return this;
  }

  private Behavior<Object> onSend(Send send) {
    if (socket == null) {
      refusedSend(send.to(), "the port is not bound");
      return this;
    }
    ByteString bytes;
    try {
      bytes = FrameCodec.encode(send.frame());
    } catch (FrameException e) {
      refusedSend(send.to(), e.getMessage());
      return this;
    }
    stats.datagramOut();
    socket.tell(UdpMessage.send(bytes, send.to()), classicSelf);
    return this;
  }

  /** The socket refuses a send while an earlier one waits for buffer space. */
  private Behavior<Object> onCommandFailed(Udp.CommandFailed failed) {
    if (failed.cmd() instanceof Udp.Send send) {
      refusedSend(send.target(), "the socket's send buffer is full");
    }
    return this;
  }

  private void refusedSend(InetSocketAddress to, String why) {
    stats.outgoingOverflow();
    if (sendFailedLog.tryAcquire()) {
      getContext().getLog().warn("UDP {}: could not send to {}: {} ({} more since the last report)",
          localAddress, to, why, sendFailedLog.takeSuppressed());
    }
  }

  private Behavior<Object> onSocketBound(SocketBound socketBound) {
    socket = socketBound.socket();
    localAddress = socketBound.localAddress();
    getContext().getLog().info("UDP server listening on {}", socketBound.localAddress());
    bound.complete(socketBound.localAddress());
    return this;
  }

  private Behavior<Object> onBindFailed(BindFailed failed) {
    String message = "cannot bind UDP " + bindAddress.getHostString() + ":" + bindAddress.getPort()
        + " (port in use or address not available)";
    getContext().getLog().error(message);
    bound.completeExceptionally(new IllegalStateException(message));
    return Behaviors.stopped();
  }

  private Behavior<Object> onStop() {
    if (socket == null) {
      return Behaviors.stopped();
    }
    socket.tell(UdpMessage.unbind(), classicSelf);
    return this;
  }

  private Behavior<Object> onUnbound(Udp.Unbound unbound) {
    getContext().getLog().info("UDP server on {} unbound", localAddress);
    socket = null;
    return Behaviors.stopped();
  }

  private Behavior<Object> onPostStop(PostStop signal) {
    shutdownTask.cancel();
    if (socket != null) {
      // Stopped without Stop (e.g. by its parent): nobody is left to receive Unbound.
      socket.tell(UdpMessage.unbind(), akka.actor.ActorRef.noSender());
      getContext().getLog().info("UDP server on {} unbound", localAddress);
    }
    bound.completeExceptionally(new IllegalStateException("UDP server for " + bindAddress + " stopped before binding"));
    stopped.complete(Done.done());
    return this;
  }

  /**
   * Classic helper that runs the bind handshake: a typed actor cannot see the sender of
   * {@code Udp.Bound}, which is the socket actor that {@link Send}s must go to.
   */
  private static final class Binder extends AbstractActor {

    private final InetSocketAddress bindAddress;
    private final akka.actor.ActorRef server;

    Binder(InetSocketAddress bindAddress, akka.actor.ActorRef server) {
      this.bindAddress = bindAddress;
      this.server = server;
    }

    @Override
    public void preStart() {
      Udp.get(getContext().getSystem()).getManager().tell(UdpMessage.bind(server, bindAddress), getSelf());
    }

    @Override
    public AbstractActor.Receive createReceive() {
      return receiveBuilder()
          .match(Udp.Bound.class, this::onBound)
          .match(Udp.CommandFailed.class, this::onCommandFailed)
          .build();
    }

    private void onBound(Udp.Bound b) {
      server.tell(new SocketBound(getSender(), b.localAddress()), getSelf());
      getContext().stop(getSelf());
    }

    private void onCommandFailed(Udp.CommandFailed failed) {
      server.tell(new BindFailed(), getSelf());
      getContext().stop(getSelf());
    }
  }
}
