package io.lars.client;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
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
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's core: one UDP socket towards the agent's three ports, a receive thread that
 * completes waiting requests directly, and a sweeper thread for timeouts.
 *
 * <p>get_host requests wait in a concurrent table keyed by {@code seq}; an answer whose seq is
 * not waiting, or whose module differs from the request's, is stale and ignored (counted).
 * get_route answers carry no seq (reference: lars.proto GetRouteResponse): they complete the one
 * request in flight for their module, which every concurrent asker of that module shares. A
 * request unanswered after {@code timeout} is sent once more, unchanged (same seq); after a second
 * timeout it fails with {@link LarsTimeoutException}.
 *
 * <p>{@link #getHostBlocking} takes a shorter path with the same rules: the calling thread sends
 * from a UDP socket of its own (opened on its first blocking call, closed with the client) and
 * receives the answer itself, as the reference {@code lars_api} does with {@code sendto} and
 * {@code recvfrom}; no other thread is involved, so no hand-off is paid.
 *
 * <p>Futures complete on the receive thread (answers) or the sweeper thread (timeouts): callers'
 * callbacks must not block; use the {@code *Async} variants for slow work. Thread-safe.
 */
final class AgentSocket implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentSocket.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final int RECEIVE_BUFFER = FrameCodec.HEADER_LENGTH + FrameCodec.MAX_BODY_LENGTH;

  /**
   * A request waiting for its answer: a get_host, or the one get_route in flight for a module;
   * {@code deadline} and {@code retried} belong to the sweeper.
   */
  private static final class Pending<R> {
    final String what;
    final int modid;
    final int cmdid;
    final InetSocketAddress agent;
    final ByteBuffer frame;
    final CompletableFuture<R> result = new CompletableFuture<>();
    volatile long deadline;
    volatile boolean retried;

    Pending(String what, int modid, int cmdid, InetSocketAddress agent, ByteBuffer frame, long deadline) {
      this.what = what;
      this.modid = modid;
      this.cmdid = cmdid;
      this.agent = agent;
      this.frame = frame;
      this.deadline = deadline;
    }
  }

  /** The socket and buffer of one thread that makes blocking calls. */
  private record CallerSocket(DatagramSocket socket, DatagramPacket in) {}

  private final ClientSettings settings;
  private final List<InetSocketAddress> agents;
  private final LongSupplier nanoClock;
  private final long timeoutNanos;
  private final DatagramChannel channel;
  private final ConcurrentHashMap<Integer, Pending<HostResult>> hosts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ModuleId, Pending<RouteResult>> routes = new ConcurrentHashMap<>();
  private final ThreadLocal<CallerSocket> callerSockets = new ThreadLocal<>();
  private final Queue<CallerSocket> allCallerSockets = new ConcurrentLinkedQueue<>();
  private final AtomicInteger nextSeq = new AtomicInteger();
  private final ClientStats stats = new ClientStats();
  private final ScheduledExecutorService sweeper;
  private volatile boolean closed;

  /**
   * Opens the socket (an ephemeral port on loopback when the agent is local, else on every
   * interface) and starts the receive and sweeper threads (daemons).
   *
   * @param settings agent address, ports and timeout
   * @throws UncheckedIOException when no UDP socket can be opened
   * @throws IllegalArgumentException when the agent host does not resolve
   */
  AgentSocket(ClientSettings settings) {
    this(settings, System::nanoTime, true);
  }

  /**
   * @param settings agent address, ports and timeout
   * @param nanoClock monotonic clock in ns for deadlines
   * @param sweep whether a thread calls {@link #sweep()} every tenth of the timeout (tests drive
   *     it by hand otherwise)
   */
  AgentSocket(ClientSettings settings, LongSupplier nanoClock, boolean sweep) {
    this.settings = settings;
    this.agents = settings.agentPorts().stream().map(p -> new InetSocketAddress(settings.agentHost(), p)).toList();
    this.nanoClock = nanoClock;
    this.timeoutNanos = settings.timeout().toNanos();
    int id = INSTANCES.incrementAndGet();
    InetSocketAddress first = agents.get(0);
    if (first.isUnresolved()) {
      throw new IllegalArgumentException("lars.client.agent-host: unknown host " + settings.agentHost());
    }
    try {
      boolean local = first.getAddress().isLoopbackAddress();
      channel = DatagramChannel.open(StandardProtocolFamily.INET);
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      channel.bind(new InetSocketAddress(local ? first.getAddress() : null, 0));
    } catch (IOException e) {
      throw new UncheckedIOException("lars client cannot open a UDP socket: " + e.getMessage(), e);
    }
    Thread receiver = new Thread(this::receiveLoop, "lars-client-" + id + "-receive");
    receiver.setDaemon(true);
    receiver.start();
    if (sweep) {
      sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lars-client-" + id + "-timeouts");
        t.setDaemon(true);
        return t;
      });
      long tick = Math.max(1_000_000L, timeoutNanos / 10);
      sweeper.scheduleAtFixedRate(this::sweepGuarded, tick, tick, TimeUnit.NANOSECONDS);
    } else {
      sweeper = null;
    }
  }

  /** @return counters of this socket */
  ClientStats stats() {
    return stats;
  }

  /** @return the local address of the socket */
  InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends a get_host.
   *
   * @param modid module id
   * @param cmdid command id
   * @return completes with the agent's answer, or exceptionally with {@link LarsTimeoutException}
   *     after two timeouts, or {@link IllegalStateException} when the client is closed
   */
  CompletableFuture<HostResult> getHost(int modid, int cmdid) {
    int seq = nextSeq.incrementAndGet() & Integer.MAX_VALUE;
    InetSocketAddress agent = agentFor(modid, cmdid);
    ByteBuffer frame = frame(MessageId.GET_HOST_REQUEST,
        GetHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid).build());
    Pending<HostResult> pending =
        new Pending<>("get_host", modid, cmdid, agent, frame, nanoClock.getAsLong() + timeoutNanos);
    hosts.put(seq, pending);
    if (!send(frame, agent)) {
      hosts.remove(seq);
      pending.result.completeExceptionally(closedException());
    }
    return pending.result;
  }

  /**
   * Sends a get_route, or joins the one in flight for the module.
   *
   * @param modid module id
   * @param cmdid command id
   * @return completes with the hosts (empty when none), or exceptionally as {@link #getHost}
   */
  CompletableFuture<RouteResult> getRoute(int modid, int cmdid) {
    ModuleId module = new ModuleId(modid, cmdid);
    Pending<RouteResult> existing = routes.get(module);
    if (existing != null) {
      return existing.result.copy();
    }
    InetSocketAddress agent = agentFor(modid, cmdid);
    Pending<RouteResult> fresh = new Pending<>("get_route", modid, cmdid, agent,
        frame(MessageId.API_GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(modid).setCmdid(cmdid).build()),
        nanoClock.getAsLong() + timeoutNanos);
    existing = routes.putIfAbsent(module, fresh);
    if (existing != null) {
      return existing.result.copy();
    }
    if (!send(fresh.frame, agent)) {
      routes.remove(module, fresh);
      fresh.result.completeExceptionally(closedException());
    }
    return fresh.result.copy();
  }

  /**
   * Sends a report; the agent does not answer. When this returns the datagram is in the kernel.
   * A thread that made blocking calls sends it from its own socket, else the shared one sends it.
   *
   * @param modid module id
   * @param cmdid command id
   * @param host the host called
   * @param retcode 0 success, anything else failure
   * @param timecostMs time the call took, ms, 0 = unknown
   * @return false when the client is closed or the socket refused the datagram (counted)
   */
  boolean report(int modid, int cmdid, Host host, int retcode, int timecostMs) {
    ReportRequest req = ReportRequest.newBuilder().setModid(modid).setCmdid(cmdid).setHost(host.toHostInfo())
        .setRetcode(retcode).setTimecostMs(Math.max(0, timecostMs)).build();
    ByteBuffer frame = frame(MessageId.REPORT_REQUEST, req);
    InetSocketAddress agent = agentFor(modid, cmdid);
    CallerSocket caller = callerSockets.get();
    if (caller == null || closed) {
      return send(frame, agent);
    }
    // a thread with a socket of its own sends there: threads do not queue on the shared socket's lock
    try {
      caller.socket().send(new DatagramPacket(frame.array(), frame.limit(), agent));
      stats.sent.increment();
      return true;
    } catch (IOException e) {
      if (closed) {
        return false;
      }
      stats.sendFailures.increment();
      LOG.debug("lars client: report to {} failed: {}", agent, e.toString());
      return true;
    }
  }

  /**
   * get_host on the calling thread's own socket: send, receive until the answer with this seq and
   * module comes (others are stale, counted), resend once with the same seq after
   * {@code timeout}, fail after a second one.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the agent's answer
   * @throws LarsTimeoutException after two timeouts
   * @throws IllegalStateException when the client is closed
   */
  HostResult getHostBlocking(int modid, int cmdid) {
    CallerSocket caller = callerSocket();
    int seq = nextSeq.incrementAndGet() & Integer.MAX_VALUE;
    InetSocketAddress agent = agentFor(modid, cmdid);
    ByteBuffer frame = frame(MessageId.GET_HOST_REQUEST,
        GetHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid).build());
    DatagramPacket out = new DatagramPacket(frame.array(), frame.limit(), agent);
    try {
      for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt == 1) {
          stats.retries.increment();
        }
        caller.socket().send(out);
        stats.sent.increment();
        long deadline = System.nanoTime() + timeoutNanos;
        for (long left = timeoutNanos; left > 0; left = deadline - System.nanoTime()) {
          caller.socket().setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          caller.in().setLength(RECEIVE_BUFFER);
          try {
            caller.socket().receive(caller.in());
          } catch (SocketTimeoutException e) {
            break;
          }
          HostResult result = hostAnswer(caller.in(), seq, modid, cmdid);
          if (result != null) {
            stats.answered.increment();
            return result;
          }
        }
      }
    } catch (IOException e) {
      if (closed) {
        throw closedException();
      }
      // e.g. ICMP port unreachable: no agent on that port; the caller learns it as a timeout
      stats.receiveErrors.increment();
      LOG.debug("lars client: blocking get_host to {}: {}", agent, e.toString());
    }
    stats.timeouts.increment();
    throw timeout("get_host", modid, cmdid, agent);
  }

  private CallerSocket callerSocket() {
    if (closed) {
      throw closedException();
    }
    CallerSocket caller = callerSockets.get();
    if (caller == null || caller.socket().isClosed()) {
      try {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(localAddress().getAddress(), 0));
        caller = new CallerSocket(socket, new DatagramPacket(new byte[RECEIVE_BUFFER], RECEIVE_BUFFER));
      } catch (IOException e) {
        throw new UncheckedIOException("lars client cannot open a UDP socket: " + e.getMessage(), e);
      }
      callerSockets.set(caller);
      allCallerSockets.add(caller);
      if (closed) {
        caller.socket().close();
        throw closedException();
      }
    }
    return caller;
  }

  /** @return the answer to this blocking request, or null for anything else (counted) */
  private HostResult hostAnswer(DatagramPacket p, int seq, int modid, int cmdid) {
    ByteBuffer le = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()).order(ByteOrder.LITTLE_ENDIAN);
    if (p.getLength() < FrameCodec.HEADER_LENGTH || le.getInt() != MessageId.GET_HOST_RESPONSE.id()
        || le.getInt() != p.getLength() - FrameCodec.HEADER_LENGTH) {
      stats.dropped.increment();
      return null;
    }
    GetHostResponse rsp;
    try {
      rsp = GetHostResponse.parseFrom(le);
    } catch (InvalidProtocolBufferException e) {
      stats.dropped.increment();
      return null;
    }
    if (rsp.getSeq() != seq || rsp.getModid() != modid || rsp.getCmdid() != cmdid) {
      stats.stale.increment();
      return null;
    }
    return hostResult(rsp);
  }

  private static HostResult hostResult(GetHostResponse rsp) {
    RetCode code = RetCode.of(rsp.getRetcode());
    Host host = code == RetCode.SUCC && rsp.hasHost() ? Host.of(rsp.getHost()) : null;
    return new HostResult(host == null && code == RetCode.SUCC ? RetCode.SYSTEM_ERROR : code, host);
  }

  private InetSocketAddress agentFor(int modid, int cmdid) {
    return agents.get(Math.floorMod(modid + cmdid, 3));
  }

  private static ByteBuffer frame(MessageId id, MessageLite message) {
    int len = message.getSerializedSize();
    byte[] bytes = new byte[FrameCodec.HEADER_LENGTH + len];
    ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(id.id()).putInt(len);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes, FrameCodec.HEADER_LENGTH, len);
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen on an array of the exact size
    }
    return ByteBuffer.wrap(bytes);
  }

  private boolean send(ByteBuffer frame, InetSocketAddress agent) {
    if (closed) {
      return false;
    }
    try {
      channel.send(frame.duplicate(), agent);
      stats.sent.increment();
      return true;
    } catch (ClosedChannelException e) {
      return false;
    } catch (IOException e) {
      // e.g. ICMP port unreachable reported on the next send: the request will time out
      stats.sendFailures.increment();
      LOG.debug("lars client: send to {} failed: {}", agent, e.toString());
      return true;
    }
  }

  private void receiveLoop() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    while (!closed) {
      buffer.clear();
      try {
        if (channel.receive(buffer) == null) {
          continue;
        }
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException e) {
        // Linux reports an ICMP port unreachable of an earlier send here; the request times out.
        stats.receiveErrors.increment();
        continue;
      }
      buffer.flip();
      onDatagram(buffer);
    }
  }

  /** Decodes one datagram and completes whoever waits for it; bad or stale ones are counted drops. */
  void onDatagram(ByteBuffer datagram) {
    int size = datagram.remaining();
    if (size < FrameCodec.HEADER_LENGTH) {
      stats.dropped.increment();
      return;
    }
    ByteBuffer le = datagram.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int msgId = le.getInt();
    int len = le.getInt();
    if (len < 0 || len != size - FrameCodec.HEADER_LENGTH) {
      stats.dropped.increment();
      return;
    }
    try {
      if (msgId == MessageId.GET_HOST_RESPONSE.id()) {
        onHostResponse(GetHostResponse.parseFrom(le));
      } else if (msgId == MessageId.API_GET_ROUTE_RESPONSE.id()) {
        onRouteResponse(GetRouteResponse.parseFrom(le));
      } else {
        stats.dropped.increment();
      }
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      stats.dropped.increment();
    }
  }

  private void onHostResponse(GetHostResponse rsp) {
    Pending<HostResult> pending = hosts.get(rsp.getSeq());
    if (pending == null || pending.modid != rsp.getModid() || pending.cmdid != rsp.getCmdid()
        || !hosts.remove(rsp.getSeq(), pending)) {
      stats.stale.increment();
      return;
    }
    stats.answered.increment();
    pending.result.complete(hostResult(rsp));
  }

  private void onRouteResponse(GetRouteResponse rsp) {
    ModuleId module = new ModuleId(rsp.getModid(), rsp.getCmdid());
    Pending<RouteResult> pending = routes.remove(module);
    if (pending == null) {
      stats.stale.increment();
      return;
    }
    stats.answered.increment();
    pending.result.complete(new RouteResult(module.modid(), module.cmdid(),
        rsp.getHostList().stream().map(Host::of).toList()));
  }

  /**
   * Resends every request past its first deadline (same bytes, same seq) and fails every request
   * past its second with {@link LarsTimeoutException}.
   */
  void sweep() {
    long now = nanoClock.getAsLong();
    sweep(hosts, now);
    sweep(routes, now);
  }

  private <K> void sweep(ConcurrentHashMap<K, ? extends Pending<?>> requests, long now) {
    requests.forEach((key, p) -> {
      if (now - p.deadline < 0) {
        return;
      }
      if (!p.retried) {
        p.retried = true;
        p.deadline = now + timeoutNanos;
        stats.retries.increment();
        send(p.frame, p.agent);
      } else if (requests.remove(key, p)) {
        stats.timeouts.increment();
        p.result.completeExceptionally(timeout(p.what, p.modid, p.cmdid, p.agent));
      }
    });
  }


  /** {@link #sweep()} for the scheduler: an exception must not end the periodic task (it would silently stop). */
  private void sweepGuarded() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("lars client: timeout sweep failed, retrying at the next tick", e);
    }
  }

  private LarsTimeoutException timeout(String what, int modid, int cmdid, InetSocketAddress agent) {
    return new LarsTimeoutException(what + " of module (" + modid + "," + cmdid + ") got no answer from the agent at "
        + agent.getHostString() + ":" + agent.getPort() + " in 2 x " + settings.timeout().toMillis() + " ms");
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("the lars client is closed");
  }

  /** Closes the socket and stops both threads; requests still waiting fail with {@link IllegalStateException}. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("lars client: closing the socket: {}", e.toString());
    }
    allCallerSockets.forEach(c -> c.socket().close());
    IllegalStateException e = closedException();
    hosts.values().forEach(p -> p.result.completeExceptionally(e));
    hosts.clear();
    routes.values().forEach(p -> p.result.completeExceptionally(e));
    routes.clear();
  }
}
