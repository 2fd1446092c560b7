package io.lars.transport;

import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A plain blocking socket speaking raw bytes, to drive servers from outside Akka. */
final class RawTcpClient implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawTcpClient(InetSocketAddress server) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  int localPort() {
    return socket.getLocalPort();
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void write(Frame frame) throws IOException {
    write(FrameCodec.encode(frame).toArray());
  }

  /** Reads one frame; fails with EOFException or SocketException when the server closed. */
  Frame readFrame() throws IOException {
    byte[] header = new byte[FrameCodec.HEADER_LENGTH];
    in.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    int msgId = h.getInt();
    int len = h.getInt();
    byte[] body = new byte[len];
    in.readFully(body);
    return new Frame(msgId, ByteString.fromArray(body));
  }

  /**
   * Returns once the server has closed the connection (EOF or reset), discarding what was still
   * in flight; fails with a SocketTimeoutException if it stays open for the read timeout.
   */
  void awaitClosedByServer() throws IOException {
    byte[] buf = new byte[65536];
    try {
      while (in.read(buf) >= 0) {
        // discard what was in flight
      }
    } catch (SocketException e) {
      // a reset is a close too
    }
  }

  static byte[] header(int msgId, int msgLen) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(msgId).putInt(msgLen).array();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
