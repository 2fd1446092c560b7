package io.lars.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters of one transport endpoint: a {@link TcpServer}, a {@link UdpServer} or a
 * {@link ReconnectingTcpClient}. Each endpoint has its own instance, handed in by its owner (or
 * created by the server), so health checks and the admin can read them at any time.
 *
 * <p>Counters only grow, except {@link #connectionsOpen()}, which is a gauge. Counters an
 * endpoint kind does not use stay 0 (a UDP server has no connections). Reads are cheap sums
 * that may miss updates racing with them.
 */
public final class TransportStats {

  private final LongAdder connectionsAccepted = new LongAdder();
  private final LongAdder connectionsRejected = new LongAdder();
  private final LongAdder connectionsOpen = new LongAdder();
  private final LongAdder badFrames = new LongAdder();
  private final LongAdder framesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder outgoingOverflows = new LongAdder();
  private final LongAdder datagramsIn = new LongAdder();
  private final LongAdder datagramsOut = new LongAdder();
  private final LongAdder datagramsDropped = new LongAdder();
  private final LongAdder connectionsNotAllowed = new LongAdder();
  private final LongAdder connectionsOverAddressLimit = new LongAdder();
  private final LongAdder connectionsIdleClosed = new LongAdder();
  private final LongAdder acceptPauses = new LongAdder();
  /** Atomic, not a LongAdder: a gauge read must never show more than was ever queued. */
  private final AtomicLong outgoingBytesQueued = new AtomicLong();

  /** Creates a set of counters, all 0. */
  public TransportStats() {}

  /**
   * @return TCP server: connections accepted and served. TCP client: connections established
   *     (one per successful connect or reconnect).
   */
  public long connectionsAccepted() {
    return connectionsAccepted.sum();
  }

  /**
   * @return TCP server: connections closed at once because {@code maxConnections} were open or
   *     the server was unbinding. TCP client: failed connection attempts.
   */
  public long connectionsRejected() {
    return connectionsRejected.sum();
  }

  /** @return connections open now (gauge; a client has 0 or 1) */
  public long connectionsOpen() {
    return connectionsOpen.sum();
  }

  /**
   * @return connections closed for bad input: a negative or oversize msglen, a msgid without a
   *     handler, an unparsable body, or a stream that ended inside a frame
   */
  public long badFrames() {
    return badFrames.sum();
  }

  /** @return frames received and handed on (to a router handler or a client's owner) */
  public long framesIn() {
    return framesIn.sum();
  }

  /** @return frames accepted into an outgoing queue for sending */
  public long framesOut() {
    return framesOut.sum();
  }

  /**
   * @return frames refused because a bounded outgoing queue was full: on a TCP server each such
   *     frame also closed its connection; on a TCP client the frame was dropped (connected) or
   *     not queued (disconnected, {@code maxPendingFrames} reached); on a UDP server the socket
   *     refused the reply datagram
   */
  public long outgoingOverflows() {
    return outgoingOverflows.sum();
  }

  /** @return UDP datagrams received, good or bad */
  public long datagramsIn() {
    return datagramsIn.sum();
  }

  /** @return UDP datagrams handed to the socket for sending */
  public long datagramsOut() {
    return datagramsOut.sum();
  }

  /** @return UDP datagrams dropped because they were not exactly one valid frame */
  public long datagramsDropped() {
    return datagramsDropped.sum();
  }

  /**
   * @return TCP server: connections closed at once because the peer's address is not on the
   *     listener's allow-list (also counted in {@link #connectionsRejected()})
   */
  public long connectionsNotAllowed() {
    return connectionsNotAllowed.sum();
  }

  /**
   * @return TCP server: connections closed at once because their address already held
   *     {@code maxConnectionsPerAddress}, or because only the reserved connections were left and
   *     the address already had one (also counted in {@link #connectionsRejected()})
   */
  public long connectionsOverAddressLimit() {
    return connectionsOverAddressLimit.sum();
  }

  /** @return TCP server: connections closed by the idle timeout (no complete frame in time) */
  public long connectionsIdleClosed() {
    return connectionsIdleClosed.sum();
  }

  /**
   * @return TCP server: times accepting paused because the process had too few free file
   *     descriptors left (see {@link DescriptorBudget})
   */
  public long acceptPauses() {
    return acceptPauses.sum();
  }

  /** @return TCP server: bytes of frames queued for sending on all connections now (gauge) */
  public long outgoingBytesQueued() {
    return outgoingBytesQueued.get();
  }

  void connectionNotAllowed() {
    connectionsNotAllowed.increment();
    connectionsRejected.increment();
  }

  void connectionOverAddressLimit() {
    connectionsOverAddressLimit.increment();
    connectionsRejected.increment();
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
    connectionsOpen.increment();
  }

  void connectionClosed() {
    connectionsOpen.decrement();
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
