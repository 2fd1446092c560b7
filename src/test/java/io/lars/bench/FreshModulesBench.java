package io.lars.bench;

import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.MessageId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The first get_host of fresh modules (docs/BENCHMARKS.md, "agent after issue 13"), not a test:
 * against a running node, adds one route row each for {@code count} modules never asked for
 * before (modid {@code base}.., cmdid 1) through the admin API, waits for the dns to load them,
 * then asks the agent for each module once, one after the other, and prints the latency
 * percentiles of those first answers and the answers by return code.
 *
 * <p>With {@code warm-up} > 0, that many other fresh modules (modid {@code base + count}..) are
 * asked for first and not measured: a node that has served for a while has compiled its
 * first-pull path (and this client its own code); without them the first tens of modules measure
 * the JIT compiler.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.lars.bench.FreshModulesBench \
 *   ADMIN_URL TOKEN_FILE AGENT_PORT [count=100] [modid-base=50000] [warm-up=0]
 * </pre>
 * The agent's three ports are {@code AGENT_PORT}..+2, chosen by (modid + cmdid) % 3 as clients do.
 */
public final class FreshModulesBench {

  private FreshModulesBench() {}

  /**
   * Runs the measurement and prints one RESULT line.
   *
   * @param args admin URL, token file, first agent port, optional count, modid base and warm-up count
   * @throws Exception if the admin refuses a route or the node cannot be reached
   */
  public static void main(String[] args) throws Exception {
    URI admin = URI.create(args[0]);
    String token = Files.readString(Path.of(args[1])).trim();
    int agentPort = Integer.parseInt(args[2]);
    int count = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    int base = args.length > 4 ? Integer.parseInt(args[4]) : 50_000;
    int warmUp = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < count + warmUp; i++) {
      String body = "{\"modid\":" + (base + i) + ",\"cmdid\":1,\"ip\":\"10.9.0.1\",\"port\":9000}";
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin.resolve("/api/routes"))
          .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new IllegalStateException("route of module " + (base + i) + ": HTTP " + response.statusCode() + " "
            + response.body());
      }
    }
    // The admin tells the dns to reload after every write; leave it time to finish those reloads.
    Thread.sleep(5000);
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    Map<RetCode, Integer> answers = new EnumMap<>(RetCode.class);
    int timeouts = 0;
    byte[] in = new byte[65536];
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(3000);
      for (int i = 0; i < count + warmUp; i++) {
        boolean measured = i >= warmUp;
        int modid = measured ? base + i - warmUp : base + count + i;
        ByteString request = FrameCodec.encode(Frame.of(MessageId.GET_HOST_REQUEST,
            GetHostRequest.newBuilder().setSeq(i).setModid(modid).setCmdid(1).build()));
        byte[] bytes = request.toArray();
        long start = System.nanoTime();
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(),
            agentPort + (modid + 1) % 3));
        try {
          DatagramPacket packet = new DatagramPacket(in, in.length);
          socket.receive(packet);
          long nanos = System.nanoTime() - start;
          GetHostResponse answer = FrameCodec.decodeDatagram(ByteString.fromArray(Arrays.copyOf(in, packet.getLength())))
              .decode(GetHostResponse.class);
          if (measured) {
            latency.recordValue(nanos);
            answers.merge(RetCode.of(answer.getRetcode()), 1, Integer::sum);
          }
        } catch (SocketTimeoutException e) {
          if (measured) {
            timeouts++;
          }
        }
      }
    }
    String result = String.format("RESULT first get_host of %d fresh modules (after %d warm-up modules): p50=%.1fms "
            + "p99=%.1fms max=%.1fms answers=%s timeouts=%d", count, warmUp, latency.getValueAtPercentile(50) / 1e6,
        latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6, answers, timeouts);
    System.out.println(result);
  }
}
