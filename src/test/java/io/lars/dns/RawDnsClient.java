package io.lars.dns;

import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

/**
 * A blocking dns client on a plain socket, speaking the wire protocol by hand like a reference
 * agent: writes {@code GetRouteRequest} frames and reads {@code GetRouteResponse} frames.
 */
public final class RawDnsClient implements AutoCloseable {

  /** One received route. */
  public record Answer(ModuleId module, List<Host> hosts) {}

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  /**
   * @param address the dns listener
   * @throws IOException if it cannot connect
   */
  public RawDnsClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(address, 5000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends a {@code GetRouteRequest}. */
  public void request(ModuleId module) throws IOException {
    GetRouteRequest req = GetRouteRequest.newBuilder().setModid(module.modid()).setCmdid(module.cmdid()).build();
    writeRaw(FrameCodec.encode(Frame.of(MessageId.GET_ROUTE_REQUEST, req)).toArray());
  }

  /** Writes bytes as they are, e.g. garbage. */
  public void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends a request and reads the answer (no push may be pending on this connection). */
  public Answer lookup(ModuleId module) throws IOException {
    request(module);
    Answer a = read(Duration.ofSeconds(5));
    if (a == null || !a.module().equals(module)) {
      throw new IOException("expected the route of " + module + ", got " + a);
    }
    return a;
  }

  /**
   * Reads the next route frame.
   *
   * @param timeout how long to wait
   * @return the route, or null if none came in time
   * @throws EOFException if the server closed the connection
   */
  public Answer read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    byte[] header = new byte[FrameCodec.HEADER_LENGTH];
    try {
      in.readFully(header);
    } catch (SocketTimeoutException e) {
      return null;
    }
    socket.setSoTimeout(5000);
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    int msgId = h.getInt();
    byte[] body = new byte[h.getInt()];
    in.readFully(body);
    if (msgId != MessageId.GET_ROUTE_RESPONSE.id()) {
      throw new IOException("unexpected msgid " + msgId);
    }
    GetRouteResponse r = GetRouteResponse.parseFrom(body);
    return new Answer(new ModuleId(r.getModid(), r.getCmdid()), r.getHostList().stream().map(Host::of).toList());
  }

  /** @return true if the server closed the connection within the timeout (no frame came first) */
  public boolean closedWithin(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
