package io.lars.agent;

import akka.util.ByteString;
import com.google.protobuf.Message;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.ReportRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/** A blocking test client of the agent's UDP API: one socket, a receive timeout, no retries. */
final class AgentUdpClient implements AutoCloseable {

  private final DatagramSocket socket;
  private final byte[] buffer = new byte[65536];

  AgentUdpClient(Duration receiveTimeout) {
    try {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      socket.setSoTimeout((int) receiveTimeout.toMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  GetHostResponse getHost(InetSocketAddress agent, int seq, int modid, int cmdid) {
    send(agent, Frame.of(MessageId.GET_HOST_REQUEST,
        GetHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid).build()));
    return receive().orElseThrow(() -> new AssertionError("no GetHostResponse for seq " + seq))
        .decode(GetHostResponse.class);
  }

  GetRouteResponse getRoute(InetSocketAddress agent, int modid, int cmdid) {
    send(agent, Frame.of(MessageId.API_GET_ROUTE_REQUEST,
        GetRouteRequest.newBuilder().setModid(modid).setCmdid(cmdid).build()));
    Frame frame = receive().orElseThrow(() -> new AssertionError("no GetRouteResponse"));
    if (frame.msgId() != MessageId.API_GET_ROUTE_RESPONSE.id()) {
      throw new AssertionError("expected msgid 8, got " + frame.msgId());
    }
    return frame.decode(GetRouteResponse.class);
  }

  void report(InetSocketAddress agent, int modid, int cmdid, Host host, int retcode, int timecostMs) {
    send(agent, Frame.of(MessageId.REPORT_REQUEST, ReportRequest.newBuilder().setModid(modid).setCmdid(cmdid)
        .setHost(host.toHostInfo()).setRetcode(retcode).setTimecostMs(timecostMs).build()));
  }

  void send(InetSocketAddress agent, Frame frame) {
    sendRaw(agent, FrameCodec.encode(frame).toArray());
  }

  void send(InetSocketAddress agent, MessageId id, Message body) {
    send(agent, Frame.of(id, body));
  }

  void sendRaw(InetSocketAddress agent, byte[] bytes) {
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, agent));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the next datagram as a frame, or empty when none arrives within the receive timeout */
  Optional<Frame> receive() {
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    try {
      socket.receive(packet);
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(FrameCodec.decodeDatagram(ByteString.fromArray(buffer, 0, packet.getLength())));
  }

  @Override
  public void close() {
    socket.close();
  }
}
