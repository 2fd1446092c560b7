package io.lars.reporter;

import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.ReportStatusReq;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HexFormat;

/** A plain blocking socket speaking the Lars frame format, as a C++ agent would. */
final class RawReportClient implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;

  RawReportClient(InetSocketAddress reporter) throws IOException {
    socket = new Socket(reporter.getAddress(), reporter.getPort());
    socket.setTcpNoDelay(true);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  void send(ReportStatusReq request) throws IOException {
    out.write(FrameCodec.encode(Frame.of(MessageId.REPORT_STATUS_REQUEST, request)).toArray());
  }

  /** @param hex bytes as in wire-captures.md, spaces allowed */
  void sendHex(String hex) throws IOException {
    out.write(HexFormat.of().parseHex(hex.replace(" ", "")));
  }

  void flush() throws IOException {
    out.flush();
  }

  /** @return true if the server closed the connection within the timeout (it never sends data) */
  boolean closedByServer(Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    InputStream in = socket.getInputStream();
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
