package io.lars.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.HostInfo;
import io.lars.protocol.pb.ReportRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A lean UDP load generator for the agent, the Java twin of the reference {@code qps} tool: N
 * threads, each with its own blocking {@link DatagramSocket}, loop get_host then report (success)
 * synchronously on their own module (thread + 1, 1), sent to port index (modid + cmdid) % ports.
 * Per request it allocates only the encoded frame and the parsed answer.
 *
 * <p>Run against an in-process all-roles node by {@link UdpQpsBenchMain}.
 */
public final class UdpQpsBench {

  /**
   * The outcome of one run.
   *
   * @param threads client threads
   * @param seconds measured time
   * @param pairs get_host + report pairs completed
   * @param failures get_host answers that were not SUCC, had the wrong seq, or did not come within 1 s
   * @param latency get_host round trips in microseconds
   * @param processCpuNanos CPU time the whole process used during the run (agent node and clients)
   * @param clientCpuNanos CPU time of the client threads alone
   */
  public record Result(int threads, double seconds, long pairs, long failures, Histogram latency,
      long processCpuNanos, long clientCpuNanos) {

    /** @return completed pairs per second */
    public double pairsPerSecond() {
      return pairs / seconds;
    }

    /** @return CPU microseconds per pair spent outside the client threads, i.e. by the node */
    public double nodeCpuMicrosPerPair() {
      return pairs == 0 ? 0 : (processCpuNanos - clientCpuNanos) / 1000.0 / pairs;
    }

    @Override
    public String toString() {
      return String.format("threads=%d pairs/s=%.0f get_host p50=%dus p99=%dus p99.9=%dus max=%dus failures=%d (%.1fs)"
              + " cpu/pair: node %.1fus, clients %.1fus",
          threads, pairsPerSecond(), latency.getValueAtPercentile(50), latency.getValueAtPercentile(99),
          latency.getValueAtPercentile(99.9), latency.getMaxValue(), failures, seconds, nodeCpuMicrosPerPair(),
          pairs == 0 ? 0 : clientCpuNanos / 1000.0 / pairs);
    }
  }

  private UdpQpsBench() {}

  /**
   * Runs the load.
   *
   * @param agentPorts the agent's UDP ports
   * @param threads client threads, each on module (thread + 1, 1)
   * @param duration how long to measure
   * @param pairsPerSecond total target rate, or 0 for as fast as possible (closed loop)
   * @return throughput and latency
   * @throws InterruptedException if interrupted while waiting for the threads
   */
  public static Result run(List<InetSocketAddress> agentPorts, int threads, Duration duration, int pairsPerSecond)
      throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    long intervalNanos = pairsPerSecond > 0 ? TimeUnit.SECONDS.toNanos(1) * threads / pairsPerSecond : 0;
    List<Worker> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int modid = t + 1;
      InetSocketAddress port = agentPorts.get((modid + 1) % agentPorts.size());
      // Paced threads start a fraction of the interval apart: the total rate then arrives evenly
      // (one request every interval / threads), not as a burst of every thread at once.
      long phaseNanos = intervalNanos * t / threads;
      workers.add(new Worker(port, modid, 1, deadline, intervalNanos, phaseNanos));
    }
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    workers.forEach(Thread::start);
    for (Worker w : workers) {
      w.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long cpu = processCpuNanos() - cpuStart;
    Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    long pairs = 0;
    long failures = 0;
    long clientCpu = 0;
    for (Worker w : workers) {
      if (w.error != null) {
        throw new IllegalStateException("worker for module " + w.modid + " failed", w.error);
      }
      latency.add(w.latency);
      pairs += w.pairs.get();
      failures += w.failures;
      clientCpu += w.cpuNanos;
    }
    return new Result(threads, seconds, pairs, failures, latency, cpu, clientCpu);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** One client thread: get_host, wait for the answer, report success, repeat. */
  private static final class Worker extends Thread {

    private final InetSocketAddress agent;
    private final int modid;
    private final int cmdid;
    private final long deadline;
    private final long intervalNanos;
    private final long phaseNanos;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    private final AtomicLong pairs = new AtomicLong();
    private long failures;
    private long cpuNanos;
    private volatile Throwable error;

    Worker(InetSocketAddress agent, int modid, int cmdid, long deadline, long intervalNanos, long phaseNanos) {
      super("udp-qps-" + modid);
      this.agent = agent;
      this.modid = modid;
      this.cmdid = cmdid;
      this.deadline = deadline;
      this.intervalNanos = intervalNanos;
      this.phaseNanos = phaseNanos;
    }

    @Override
    public void run() {
      try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        socket.connect(agent);
        socket.setSoTimeout(1000);
        loop(socket);
        cpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      } catch (IOException | RuntimeException e) {
        error = e;
      }
    }

    private void loop(DatagramSocket socket) throws IOException {
      byte[] out = new byte[256];
      byte[] in = new byte[2048];
      DatagramPacket sendPacket = new DatagramPacket(out, out.length);
      DatagramPacket receivePacket = new DatagramPacket(in, in.length);
      int seq = 0;
      long next = System.nanoTime() + phaseNanos;
      while (true) {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          return;
        }
        if (intervalNanos > 0) {
          if (next - now > 0) {
            LockSupport.parkNanos(next - now);
          }
          next += intervalNanos;
        }
        seq++;
        int length = encode(out, MessageId.GET_HOST_REQUEST,
            GetHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid).build());
        sendPacket.setLength(length);
        long sent = System.nanoTime();
        socket.send(sendPacket);
        HostInfo host = receiveHost(socket, receivePacket, in, seq);
        if (host == null) {
          failures++;
          continue;
        }
        latency.recordValue(Math.min(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent), latency.getHighestTrackableValue()));
        length = encode(out, MessageId.REPORT_REQUEST,
            ReportRequest.newBuilder().setModid(modid).setCmdid(cmdid).setHost(host).setRetcode(0).build());
        sendPacket.setLength(length);
        socket.send(sendPacket);
        pairs.incrementAndGet();
      }
    }

    /** @return the host of the SUCC answer to {@code seq}, or null on timeout or another answer */
    private HostInfo receiveHost(DatagramSocket socket, DatagramPacket packet, byte[] in, int seq) throws IOException {
      while (true) {
        packet.setLength(in.length);
        try {
          socket.receive(packet);
        } catch (SocketTimeoutException e) {
          return null;
        }
        if (packet.getLength() < 8) {
          return null;
        }
        GetHostResponse response;
        try {
          response = GetHostResponse.parseFrom(CodedInputStream.newInstance(in, 8, packet.getLength() - 8));
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
        if (response.getSeq() == seq) {
          return response.getRetcode() == 0 ? response.getHost() : null;
        }
        // An answer to an earlier, timed-out request: keep waiting for ours.
      }
    }

    private static int encode(byte[] out, MessageId id, com.google.protobuf.Message body) throws IOException {
      int size = body.getSerializedSize();
      writeIntLe(out, 0, id.id());
      writeIntLe(out, 4, size);
      CodedOutputStream stream = CodedOutputStream.newInstance(out, 8, size);
      body.writeTo(stream);
      stream.checkNoSpaceLeft();
      return 8 + size;
    }

    private static void writeIntLe(byte[] out, int offset, int value) {
      out[offset] = (byte) value;
      out[offset + 1] = (byte) (value >>> 8);
      out[offset + 2] = (byte) (value >>> 16);
      out[offset + 3] = (byte) (value >>> 24);
    }
  }
}
