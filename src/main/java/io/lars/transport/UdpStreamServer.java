package io.lars.transport;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.stream.ActorAttributes;
import akka.stream.Attributes;
import akka.stream.KillSwitches;
import akka.stream.Outlet;
import akka.stream.SourceShape;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.FrameException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP port speaking Lars frames as an Akka Streams flow, one frame per datagram (SPEC 7.1;
 * issue 13): receive and strict datagram decode ({@link FrameCodec#decodeDatagram}) → the
 * caller's handler flow → encode and send.
 *
 * <p>The source is a {@link GraphStage} over a blocking {@link DatagramChannel}: a dedicated
 * receive thread reads and decodes datagrams into a bounded queue ({@code receive-buffer}
 * datagrams; more are dropped and counted) and wakes the stage through an async callback only when
 * the stage waits, so under load the stage drains the queue without a hand-off per datagram. Bad
 * datagrams are dropped and counted ({@link TransportStats#datagramsDropped()}), logged at most
 * once per 10 s. The sink encodes and sends each answer on the same channel; an answer that does
 * not fit a datagram ({@link #MAX_DATAGRAM_PAYLOAD}) or a failed send is dropped and counted
 * ({@link TransportStats#outgoingOverflows()}), never fatal. The stream runs on the given
 * dispatcher; the receive thread is the only blocking one and is not a dispatcher thread.
 *
 * <p>{@link Binding#stop()} closes the channel and completes the stream; {@link Binding#whenStopped()}
 * completes when the stream ends for any reason (the owner restarts the port if it did not ask for
 * the stop).
 */
public final class UdpStreamServer {

  /** The largest UDP payload over IPv4, in bytes: a frame (header included) must not exceed it. */
  public static final int MAX_DATAGRAM_PAYLOAD = 65_507;

  /** Datagrams received and decoded but not yet taken by the stream, per port. */
  private static final int RECEIVE_BUFFER = 8192;

  private static final Logger LOG = LoggerFactory.getLogger(UdpStreamServer.class);

  /**
   * One good datagram.
   *
   * @param frame the frame, body not parsed
   * @param sender where it came from, where answers go
   */
  public record Datagram(Frame frame, InetSocketAddress sender) {}

  /**
   * One answer to send.
   *
   * @param to the receiver
   * @param frame the frame; a frame larger than {@link #MAX_DATAGRAM_PAYLOAD} is dropped and counted
   */
  public record Outgoing(InetSocketAddress to, Frame frame) {
    /** @throws NullPointerException if an argument is null */
    public Outgoing {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(frame, "frame");
    }
  }

  /** A running port. */
  public interface Binding {

    /** @return the bound address (the real port when bound to port 0) */
    InetSocketAddress localAddress();

    /** Closes the port; {@link #whenStopped()} completes soon after. Idempotent. */
    void stop();

    /** @return completes (normally or not) when the port's stream has ended */
    CompletionStage<Done> whenStopped();
  }

  private UdpStreamServer() {}

  /**
   * Binds a port and runs the stream.
   *
   * @param system the actor system that runs the stream
   * @param bind the address; port 0 picks a free port
   * @param handler turns datagrams into answers; its failure ends the stream
   * @param stats counters: datagrams in, out, dropped (bad input), outgoing overflows (unsendable answers)
   * @param dispatcher the dispatcher the stream stages run on
   * @param reusePort bind with {@code SO_REUSEPORT}: another socket with it may bind the same port
   *     (an agent's new incarnation while the old one serves, issue 19 item 12)
   * @return the binding
   * @throws IOException if the address cannot be bound (e.g. port in use)
   */
  public static Binding bind(ActorSystem<?> system, InetSocketAddress bind, Flow<Datagram, Outgoing, ?> handler,
      TransportStats stats, String dispatcher, boolean reusePort) throws IOException {
    DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      if (reusePort) {
        channel.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
      }
      channel.bind(bind);
    } catch (IOException | UnsupportedOperationException e) { // no SO_REUSEPORT on this platform
      channel.close();
      throw new IOException("cannot bind UDP " + bind.getHostString() + ":" + bind.getPort() + ": " + e.getMessage(), e);
    }
    InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
    LogThrottle sendLog = new LogThrottle(Duration.ofSeconds(10));
    ByteBuffer[] sendBuffer = {ByteBuffer.allocateDirect(MAX_DATAGRAM_PAYLOAD)};
    akka.japi.Pair<UniqueKillSwitch, CompletionStage<Done>> run = Source.fromGraph(new Receiver(channel, local, stats))
        .viaMat(KillSwitches.single(), Keep.right())
        .via(handler)
        .toMat(Sink.foreach(out -> send(channel, sendBuffer[0], out, stats, sendLog, local)), Keep.both())
        .withAttributes(ActorAttributes.dispatcher(dispatcher))
        .run(system);
    CompletableFuture<Done> stopped = new CompletableFuture<>();
    run.second().whenComplete((done, error) -> {
      closeQuietly(channel);
      stopped.complete(Done.done());
    });
    LOG.info("UDP server listening on {}", local);
    return new Binding() {
      @Override
      public InetSocketAddress localAddress() {
        return local;
      }

      @Override
      public void stop() {
        run.first().shutdown();
        closeQuietly(channel);
      }

      @Override
      public CompletionStage<Done> whenStopped() {
        return stopped;
      }
    };
  }

  private static void send(DatagramChannel channel, ByteBuffer buffer, Outgoing out, TransportStats stats,
      LogThrottle log, InetSocketAddress local) {
    try {
      ByteString bytes = FrameCodec.encode(out.frame());
      if (bytes.length() > MAX_DATAGRAM_PAYLOAD) {
        throw new FrameException(FrameException.Reason.OVERSIZE_LENGTH, bytes.length(),
            "answer of " + bytes.length() + " bytes does not fit a datagram");
      }
      buffer.clear();
      bytes.copyToBuffer(buffer);
      buffer.flip();
      channel.send(buffer, out.to());
      stats.datagramOut();
    } catch (FrameException | IOException e) {
      if (e instanceof ClosedChannelException) {
        return;
      }
      stats.outgoingOverflow();
      if (log.tryAcquire()) {
        LOG.warn("UDP {}: could not send to {}: {} ({} more since the last report)", local, out.to(), e.getMessage(),
            log.takeSuppressed());
      }
    }
  }

  private static void closeQuietly(DatagramChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a datagram channel has nothing to flush; nothing to do.
    }
  }

  /** The source: a receive thread feeding a bounded queue, drained by the stage. */
  private static final class Receiver extends GraphStage<SourceShape<Datagram>> {

    private final Outlet<Datagram> out = Outlet.create("UdpStreamServer.out");
    private final SourceShape<Datagram> shape = SourceShape.of(out);
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final TransportStats stats;

    Receiver(DatagramChannel channel, InetSocketAddress local, TransportStats stats) {
      this.channel = channel;
      this.local = local;
      this.stats = stats;
    }

    @Override
    public SourceShape<Datagram> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new GraphStageLogic(shape) {
        private final ArrayBlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(RECEIVE_BUFFER);
        /** True while the stage waits for the receive thread to wake it. */
        private final AtomicBoolean waiting = new AtomicBoolean();
        private final LogThrottle badLog = new LogThrottle(Duration.ofSeconds(10));
        private Thread thread;

        {
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              drain();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              closeQuietly(channel);
              completeStage();
            }
          });
        }

        @Override
        public void preStart() {
          AsyncCallback<Object> wake = createAsyncCallback(signal -> {
            if (signal instanceof Throwable t) {
              failStage(t);
            } else if (signal == Done.done()) {
              completeStage();
            } else {
              drain();
            }
          });
          thread = new Thread(() -> receiveLoop(wake), "lars-udp-" + local.getPort());
          thread.setDaemon(true);
          thread.start();
        }

        @Override
        public void postStop() {
          closeQuietly(channel);
        }

        private void drain() {
          if (!isAvailable(out)) {
            return;
          }
          Datagram next = queue.poll();
          if (next != null) {
            push(out, next);
            return;
          }
          waiting.set(true);
          // The receive thread may have queued one between the poll and the flag.
          if (!queue.isEmpty() && waiting.compareAndSet(true, false)) {
            push(out, queue.poll());
          }
        }

        private void receiveLoop(AsyncCallback<Object> wake) {
          ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_PAYLOAD + 1);
          Object wakeSignal = Boolean.TRUE;
          while (channel.isOpen()) {
            InetSocketAddress sender;
            try {
              buffer.clear();
              sender = (InetSocketAddress) channel.receive(buffer);
            } catch (ClosedChannelException e) {
              break;
            } catch (IOException | RuntimeException e) {
              // A receive error concerns one datagram (or none); the port goes on.
              stats.datagramDropped();
              continue;
            }
            buffer.flip();
            stats.datagramIn();
            Datagram datagram = decode(buffer, sender);
            if (datagram == null) {
              continue;
            }
            if (!queue.offer(datagram)) {
              stats.datagramDropped();
              logBad(sender, "the receive queue is full (" + RECEIVE_BUFFER + " datagrams)");
              continue;
            }
            if (waiting.get() && waiting.compareAndSet(true, false)) {
              wake.invoke(wakeSignal);
            }
          }
          wake.invoke(Done.done());
        }

        private Datagram decode(ByteBuffer buffer, InetSocketAddress sender) {
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          try {
            return new Datagram(FrameCodec.decodeDatagram(ByteString.fromArrayUnsafe(bytes)), sender);
          } catch (FrameException e) {
            stats.datagramDropped();
            logBad(sender, e.reason() + " (value " + e.value() + "): " + e.getMessage());
            return null;
          }
        }

        private void logBad(InetSocketAddress sender, String why) {
          if (badLog.tryAcquire()) {
            LOG.warn("UDP {}: dropped a datagram from {}: {} ({} more dropped since the last report)", local, sender,
                why, badLog.takeSuppressed());
          }
        }
      };
    }
  }
}
