/**
 * The transport layer every role uses: a TCP server with a msgid router
 * ({@link io.lars.transport.TcpServer}, {@link io.lars.transport.MessageRouter},
 * {@link io.lars.transport.Connection}), a reconnecting TCP client actor
 * ({@link io.lars.transport.ReconnectingTcpClient}) and a UDP server actor
 * ({@link io.lars.transport.UdpServer}), all speaking Lars frames through
 * {@link io.lars.protocol.FrameCodec}, with their counters in
 * {@link io.lars.transport.TransportStats}.
 *
 * <p>Bad input never crashes anything and never affects other peers: it closes that TCP
 * connection or drops that datagram, logged and counted (WIRE.md "Bad input"). Every queue is
 * bounded.
 */
package io.lars.transport;
