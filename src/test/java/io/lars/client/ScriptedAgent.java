package io.lars.client;

import akka.util.ByteString;
import com.google.protobuf.Message;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.ReportRequest;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A scripted agent for client and CLI tests: three loopback UDP sockets, each read by its own
 * thread in order, answering get_host (round robin over the module's hosts, NOEXIST without
 * any) and get_route from a fixed route table, and recording every frame it read. {@link #silent()}
 * makes it read but never answer.
 */
public final class ScriptedAgent implements AutoCloseable {

  private final DatagramSocket[] sockets = new DatagramSocket[3];
  private final Map<ModuleId, List<Host>> routes = new ConcurrentHashMap<>();
  private final Map<ModuleId, AtomicInteger> turns = new ConcurrentHashMap<>();
  private final List<Frame> received = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean silent;

  /** Binds three free loopback UDP ports and starts answering. */
  public ScriptedAgent() throws SocketException {
    for (int i = 0; i < 3; i++) {
      sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      DatagramSocket s = sockets[i];
      Thread t = new Thread(() -> serve(s), "scripted-agent-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** @return the three ports */
  public List<Integer> ports() {
    return Arrays.stream(sockets).map(DatagramSocket::getLocalPort).toList();
  }

  /** @return the ports as the CLI's {@code --agent-ports} value */
  public String portsOption() {
    return ports().stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** Sets the hosts of a module. */
  public ScriptedAgent route(int modid, int cmdid, Host... hosts) {
    routes.put(new ModuleId(modid, cmdid), List.of(hosts));
    return this;
  }

  /** From now on reads but never answers. */
  public ScriptedAgent silent() {
    silent = true;
    return this;
  }

  /** @return every frame read so far, in the order read */
  public List<Frame> received() {
    return List.copyOf(received);
  }

  /** @return the reports read so far */
  public List<ReportRequest> reports() {
    return received.stream().filter(f -> f.msgId() == MessageId.REPORT_REQUEST.id())
        .map(f -> f.decode(ReportRequest.class)).toList();
  }

  private void serve(DatagramSocket socket) {
    byte[] buffer = new byte[70_000];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(p);
        Frame frame = FrameCodec.decodeDatagram(ByteString.fromArray(buffer, 0, p.getLength()));
        received.add(frame);
        Message answer = silent ? null : answer(frame);
        if (answer != null) {
          MessageId id = answer instanceof GetHostResponse ? MessageId.GET_HOST_RESPONSE : MessageId.API_GET_ROUTE_RESPONSE;
          byte[] bytes = FrameCodec.encode(Frame.of(id, answer)).toArray();
          socket.send(new DatagramPacket(bytes, bytes.length, p.getSocketAddress()));
        }
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private Message answer(Frame frame) {
    if (frame.msgId() == MessageId.GET_HOST_REQUEST.id()) {
      GetHostRequest req = frame.decode(GetHostRequest.class);
      ModuleId module = new ModuleId(req.getModid(), req.getCmdid());
      List<Host> hosts = routes.getOrDefault(module, List.of());
      GetHostResponse.Builder rsp = GetHostResponse.newBuilder().setSeq(req.getSeq()).setModid(req.getModid())
          .setCmdid(req.getCmdid());
      if (hosts.isEmpty()) {
        return rsp.setRetcode(RetCode.NOEXIST.code()).build();
      }
      int turn = turns.computeIfAbsent(module, m -> new AtomicInteger()).getAndIncrement();
      return rsp.setHost(hosts.get(Math.floorMod(turn, hosts.size())).toHostInfo()).build();
    }
    if (frame.msgId() == MessageId.API_GET_ROUTE_REQUEST.id()) {
      GetRouteRequest req = frame.decode(GetRouteRequest.class);
      GetRouteResponse.Builder rsp = GetRouteResponse.newBuilder().setModid(req.getModid()).setCmdid(req.getCmdid());
      routes.getOrDefault(new ModuleId(req.getModid(), req.getCmdid()), List.of()).forEach(h -> rsp.addHost(h.toHostInfo()));
      return rsp.build();
    }
    return null;
  }

  @Override
  public void close() throws InterruptedException {
    for (DatagramSocket s : sockets) {
      s.close();
    }
    for (Thread t : threads) {
      t.join(5000);
    }
  }
}
