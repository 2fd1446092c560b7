package io.lars.transport;

import io.lars.protocol.Frame;
import java.net.InetSocketAddress;

/**
 * One accepted TCP connection of a {@link TcpServer}, as its {@link MessageRouter} handlers see
 * it. Thread-safe: any actor may keep it and call {@link #send} or {@link #close} at any time.
 *
 * <p>Outgoing frames go through a queue bounded in frames ({@link TcpServer.Settings#maxOutgoingFrames()})
 * and in bytes, per connection and over all connections ({@link TcpServer.Settings#maxOutgoingBytes()},
 * {@link TcpServer.Settings#maxOutgoingBytesTotal()}), so a slow peer never blocks the sender nor makes the server buffer without bound; a peer that
 * lets the queue fill up is disconnected (DESIGN.md "Data path 2": a slow subscriber must not block
 * others).
 */
public interface Connection {

  /** @return the id of this connection, unique per server and increasing from 1 */
  long id();

  /** @return the peer's address */
  InetSocketAddress peer();

  /**
   * Queues a frame for sending, without blocking.
   *
   * @param frame the frame to send
   * @return {@code true} if queued; {@code false} if the connection is closed, or if the frame
   *     did not fit a bound, in which case the connection is closed now (counted, logged at most
   *     once per interval)
   */
  boolean send(Frame frame);

  /**
   * Closes the connection; frames still queued are dropped. Does nothing if already closed. The
   * router's {@code onClose} handler runs once the connection is gone.
   */
  void close();
}
