package io.lars.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.testkit.TestNodeConfig;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An admin route write reaches a dns subscriber at once: the admin tells the dns poller
 * {@code ReloadNow} through the Receptionist. The poll interval is set to 1 h, so only that
 * message can deliver a push while the test runs; the measured delays are logged, not asserted.
 */
class AdminDnsPushTest {

  private static final Logger log = LoggerFactory.getLogger(AdminDnsPushTest.class);
  private static final String TOKEN = "push-token";
  private static final int WRITES = 20;

  @TempDir
  static Path dataDir;

  private static TestNodeConfig conf;
  private static LarsNode node;

  @BeforeAll
  static void start() throws Exception {
    conf = TestNodeConfig.create(ConfigFactory.parseString("lars.dns.poll-interval = 1h\n"
        + "lars.dns.full-reload-interval = 2h\nlars.admin.token = " + TOKEN + "\nlars.admin.data-dir = \"" + dataDir + "\""));
    node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS, Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyAdminWriteIsPushedWithoutWaitingForAPoll() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (Socket dns = new Socket()) {
      dns.connect(new InetSocketAddress("127.0.0.1", conf.ports().dns()), 5000);
      dns.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(dns.getInputStream());
      send(dns.getOutputStream(), GetRouteRequest.newBuilder().setModid(42).setCmdid(1).build().toByteArray());
      assertEquals(0, read(in).getHostCount(), "the module starts empty");

      List<Long> delaysMicros = new ArrayList<>();
      for (int i = 1; i <= WRITES; i++) {
        String body = "{\"modid\":42,\"cmdid\":1,\"ip\":\"10.9.0." + i + "\",\"port\":9000}";
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + conf.ports().admin() + "/api/routes"))
            .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        GetRouteResponse push = read(in);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        assertEquals(i, push.getHostCount(), "push after write " + i);
        delaysMicros.add(micros);
      }
      Collections.sort(delaysMicros);
      long median = delaysMicros.get(WRITES / 2);
      long max = delaysMicros.get(WRITES - 1);
      log.info("admin write -> dns push over {} writes: median {} ms, max {} ms (HTTP write included)", WRITES,
          median / 1000.0, max / 1000.0);
    }
  }

  private static void send(OutputStream out, byte[] body) throws Exception {
    ByteBuffer frame = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    frame.putInt(1).putInt(body.length).put(body);
    out.write(frame.array());
    out.flush();
  }

  private static GetRouteResponse read(DataInputStream in) throws Exception {
    byte[] header = new byte[8];
    in.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, h.getInt(), "GetRouteResponse");
    byte[] body = new byte[h.getInt()];
    in.readFully(body);
    return GetRouteResponse.parseFrom(body);
  }
}
