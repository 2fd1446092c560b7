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
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP port speaking Lars frames as an Akka Streams flow, one frame per datagram (WIRE.md
 * "Framing"; DESIGN.md "Data path 1"): receive and strict datagram decode
 * ({@link FrameCodec#decodeDatagram}) → the caller's handler flow → encode and send, all on the
 * port's one thread.
 *
 * <p>The source is a {@link GraphStage} over a non-blocking {@link DatagramChannel}: when pulled it
 * reads the next datagram and, while none has arrived, waits on the channel's selector (at most
 * {@value #IDLE_WAIT_MS} ms, then it lets the stream's mailbox run and waits again). The stream runs
 * fused on the given dispatcher, meant to be a pinned one (a thread of its own per port): a
 * datagram is received, handled and answered on that thread without a hand-off, which is what the
 * reference's one-thread-per-port agent does too. Work handed to the handler from other threads
 * (async callbacks) must be followed by the port's wake-up ({@link Port#wakeup()}, given to the
 * handler factory) so that it runs at once rather than after the wait; the handler's idle hook
 * ({@link Port#onIdle}) runs on the port's thread before each wait (the agent flushes its report
 * batches there). Bad datagrams are dropped and
 * counted ({@link TransportStats#datagramsDropped()}), logged at most once per 10 s. The sink
 * encodes and sends each answer on the same channel; an answer that does not fit a datagram
 * ({@link #MAX_DATAGRAM_PAYLOAD}), a full socket send buffer or a failed send is dropped and counted
 * ({@link TransportStats#outgoingOverflows()}), never fatal.
 *
 * <p>{@link Binding#stop()} closes the channel and completes the stream; {@link Binding#whenStopped()}
 * completes when the stream ends for any reason (the owner restarts the port if it did not ask for
 * the stop).
 */
public final class UdpStreamServer {

  /** The largest UDP payload over IPv4, in bytes: a frame (header included) must not exceed it. */
  public static final int MAX_DATAGRAM_PAYLOAD = 65_507;

  /**
   * Longest wait for a datagram before the port's stream serves its mailbox (timers, callbacks
   * without a wake-up, a stop), in ms; an idle port wakes this often.
   */
  static final long IDLE_WAIT_MS = 10;

  private static final long IDLE_WAIT_NANOS = IDLE_WAIT_MS * 1_000_000;

  /** Bad datagrams or receive errors in a row after which the stream serves its mailbox. */
  private static final int MAX_SKIPPED_IN_A_ROW = 64;

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

  /**
   * What the handler flow gets from its port: a wake-up for work handed in from other threads, and
   * an idle hook the port's thread runs whenever it is about to wait for a datagram.
   */
  public static final class Port {

    private final Selector selector;
    /** Set by {@link #wakeup()} from any thread, cleared by the port's thread when it serves its mailbox. */
    private volatile boolean woken;
    private volatile LongSupplier idle = () -> Long.MAX_VALUE;

    private Port(Selector selector) {
      this.selector = selector;
    }

    /**
     * Makes the port's stream serve its mailbox before the next datagram (ending a wait for one at
     * once), so that work handed in from another thread is not held up by a steady stream of
     * datagrams. Thread-safe.
     */
    public void wakeup() {
      woken = true;
      selector.wakeup();
    }

    /**
     * Sets the idle hook: run on the port's thread (so it may touch the handler stage's state) each
     * time no datagram is waiting, before the port waits.
     *
     * @param action returns how many ms the port may wait before running it again (at least 1 is
     *     used), {@link Long#MAX_VALUE} when it has nothing pending
     */
    public void onIdle(LongSupplier action) {
      this.idle = action;
    }
  }

  private UdpStreamServer() {}

  /**
   * Binds a port and runs the stream.
   *
   * @param system the actor system that runs the stream
   * @param bind the address; port 0 picks a free port
   * @param handler makes the flow that turns datagrams into answers, given the {@link Port} (its
   *     wake-up and idle hook); the flow's failure ends the stream
   * @param stats counters: datagrams in, out, dropped (bad input), outgoing overflows (unsendable answers)
   * @param dispatcher the dispatcher the stream runs on; a pinned dispatcher gives the port a thread of its own
   * @param reusePort bind with {@code SO_REUSEPORT}: another socket with it may bind the same port
   *     (an agent's new incarnation while the old one serves; DESIGN.md "Robustness rules", H12)
   * @return the binding
   * @throws IOException if the address cannot be bound (e.g. port in use, or {@code SO_REUSEPORT}
   *     asked for on a platform without it)
   */
  public static Binding bind(ActorSystem<?> system, InetSocketAddress bind,
      Function<Port, Flow<Datagram, Outgoing, ?>> handler, TransportStats stats, String dispatcher,
      boolean reusePort) throws IOException {
    DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
    Selector selector;
    try {
      if (reusePort) {
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      channel.bind(bind);
      channel.configureBlocking(false);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_READ);
    } catch (IOException | UnsupportedOperationException e) { // no SO_REUSEPORT on this platform
      channel.close();
      throw new IOException("cannot bind UDP " + bind.getHostString() + ":" + bind.getPort() + ": " + e.getMessage(), e);
    }
    InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
    LogThrottle sendLog = new LogThrottle(Duration.ofSeconds(10));
    ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_PAYLOAD);
    Port port = new Port(selector);
    akka.japi.Pair<UniqueKillSwitch, CompletionStage<Done>> run =
        Source.fromGraph(new Receiver(channel, port, local, stats))
            .viaMat(KillSwitches.single(), Keep.right())
            .via(handler.apply(port))
            .toMat(Sink.foreach(out -> send(channel, sendBuffer, out, stats, sendLog, local)), Keep.both())
            .withAttributes(ActorAttributes.dispatcher(dispatcher))
            .run(system);
    CompletableFuture<Done> stopped = new CompletableFuture<>();
    run.second().whenComplete((done, error) -> {
      closeQuietly(channel);
      closeQuietly(selector);
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
        selector.wakeup();
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
      if (channel.send(buffer, out.to()) == 0) {
        throw new IOException("the socket's send buffer is full");
      }
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

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // Closing a datagram channel or a selector has nothing to flush; nothing to do.
    }
  }

  /**
   * The source: reads the non-blocking channel when pulled, waiting on the selector while nothing
   * has arrived, so a datagram is received, handled and answered on the port's one thread.
   */
  private static final class Receiver extends GraphStage<SourceShape<Datagram>> {

    private final Outlet<Datagram> out = Outlet.create("UdpStreamServer.out");
    private final SourceShape<Datagram> shape = SourceShape.of(out);
    private final DatagramChannel channel;
    private final Port port;
    private final Selector selector;
    private final InetSocketAddress local;
    private final TransportStats stats;

    Receiver(DatagramChannel channel, Port port, InetSocketAddress local, TransportStats stats) {
      this.channel = channel;
      this.port = port;
      this.selector = port.selector;
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
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_PAYLOAD + 1);
        private final LogThrottle badLog = new LogThrottle(Duration.ofSeconds(10));
        private Runnable resume;
        private long lastYieldNanos = System.nanoTime();

        {
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              receive();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              completeStage();
            }
          });
        }

        @Override
        public void preStart() {
          AsyncCallback<Done> callback = createAsyncCallback(signal -> {
            if (isAvailable(out)) {
              receive();
            }
          });
          // Invoked from this stream's own thread, a callback would run before the mailbox (Akka
          // short-circuits it); invoked from another thread it queues behind what waits there.
          Executor executor = materializer().executionContext();
          resume = () -> executor.execute(() -> callback.invoke(Done.done()));
        }

        @Override
        public void postStop() {
          closeQuietly(channel);
          closeQuietly(selector);
        }

        /**
         * Pushes the next good datagram, waiting for one at most {@link #IDLE_WAIT_MS}; returns
         * without pushing (and resumes through the mailbox) after that wait, after a wake-up, when
         * the mailbox has not been served for {@link #IDLE_WAIT_MS}, or after
         * {@link #MAX_SKIPPED_IN_A_ROW} bad datagrams, so that callbacks, timers and a stop are
         * never held up for long.
         */
        private void receive() {
          if (port.woken || System.nanoTime() - lastYieldNanos > IDLE_WAIT_NANOS) {
            yieldToMailbox();
            return;
          }
          boolean waited = false;
          for (int skipped = 0; skipped < MAX_SKIPPED_IN_A_ROW; ) {
            InetSocketAddress sender;
            try {
              buffer.clear();
              sender = (InetSocketAddress) channel.receive(buffer);
              if (sender == null) {
                if (waited || port.woken) {
                  yieldToMailbox();
                  return;
                }
                selector.select(Math.max(1, Math.min(IDLE_WAIT_MS, port.idle.getAsLong())));
                selector.selectedKeys().clear();
                waited = true;
                continue;
              }
            } catch (ClosedChannelException | ClosedSelectorException e) {
              completeStage();
              return;
            } catch (IOException | RuntimeException e) {
              // A receive error concerns one datagram (or none); the port goes on.
              stats.datagramDropped();
              skipped++;
              continue;
            }
            buffer.flip();
            stats.datagramIn();
            Datagram datagram = decode(sender);
            if (datagram != null) {
              push(out, datagram);
              return;
            }
            skipped++;
          }
          yieldToMailbox();
        }

        private void yieldToMailbox() {
          port.woken = false;
          lastYieldNanos = System.nanoTime();
          resume.run();
        }

        private Datagram decode(InetSocketAddress sender) {
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          try {
            return new Datagram(FrameCodec.decodeDatagram(ByteString.fromArrayUnsafe(bytes)), sender);
          } catch (FrameException e) {
            stats.datagramDropped();
            if (badLog.tryAcquire()) {
              LOG.warn("UDP {}: dropped a datagram from {}: {} (value {}): {} ({} more dropped since the last report)",
                  local, sender, e.reason(), e.value(), e.getMessage(), badLog.takeSuppressed());
            }
            return null;
          }
        }
      };
    }
  }
}
