package io.lars.bench;

import static io.lars.bench.FuzzInputs.extreme;
import static io.lars.bench.FuzzInputs.frame;
import static io.lars.bench.FuzzInputs.randomBytes;

import com.typesafe.config.ConfigFactory;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.HostInfo;
import io.lars.protocol.pb.ReportRequest;
import io.lars.testkit.TestNodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;

/**
 * Fuzzes the agent's UDP ports and the admin HTTP of an in-process node (issue 19, "Proof"), the
 * companion of {@link TcpFuzzBench}: malformed inputs on loopback, bounded in count and time, while
 * a well-behaved client of each protocol runs alongside. Prints, per protocol: inputs sent, hangs
 * (HTTP: a connection the server neither answered nor closed within 10 s), 500 answers (HTTP),
 * good-client successes and failures, whether the node still serves, heap after a GC, and the log
 * lines the node wrote (by level).
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx512m -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     io.lars.bench.UdpHttpFuzzBench [INPUTS_PER_PROTOCOL] [MAX_SECONDS_PER_PROTOCOL] [THREADS] [UDP_PER_SECOND]
 * </pre>
 *
 * <p>Defaults: 1,000,000 inputs, 900 s, 2 threads, 10,000 datagrams/s (paced, so that the bench
 * measures bad input rather than overload; the adversarial run used 5,000/s).
 *
 * <p>UDP inputs, one per datagram, to one of the three ports at random: random bytes, a header cut
 * short, a header whose {@code msglen} is negative, oversize or not the datagram's size, a valid
 * header of ids 4/6/7 with a garbage protobuf body, valid GetHost/GetRoute/Report frames with random
 * or extreme modids, cmdids, hosts, return codes and time costs, frames of the other ids (1-3, 5, 8,
 * 9-1008), and (1 in 200) a datagram of up to 65,507 bytes. The good client asks module (1,1) for a
 * host every 5 ms (1 s timeout, answers with a stale {@code seq} skipped) and reports success for
 * it; a failure is a timeout or an answer other than SUCC with one of the module's 3 hosts.
 *
 * <p>HTTP inputs: each connection carries 1-3 requests (the last one {@code Connection: close}),
 * then is half-closed and read until the server closes it. A request has a random or known method
 * and path (long, traversal, percent garbage, extreme ids and query values), a good, bad, missing or
 * foreign {@code Host}, a good, bad or missing token, random headers, and a body that is empty,
 * random bytes, bad JSON, deeply nested JSON (up to 20,000 levels), a route with invalid values, a
 * {@code Content-Length} that does not match, or (1 in 500) up to 2 MiB. No input can change a
 * route: ids 1-3 (the good module's rows) are never used in paths and every route body is invalid.
 * The good client reads {@code GET /api/routes?modid=1&cmdid=1} every 10 ms and checks the 3 hosts.
 */
public final class UdpHttpFuzzBench {

  private static final ModuleId GOOD = new ModuleId(1, 1);
  private static final String TOKEN = "fuzz-bench-token-0123456789abcdef";
  private static final List<Host> GOOD_HOSTS = List.of(Host.of("10.9.9.1", 9001), Host.of("10.9.9.2", 9002),
      Host.of("10.9.9.3", 9003));
  private static final int READ_TIMEOUT_MS = 10_000;

  private UdpHttpFuzzBench() {}

  /**
   * @param args inputs per protocol, max seconds per protocol, fuzzing threads, UDP datagrams per second
   * @throws Exception if the node cannot start
   */
  public static void main(String[] args) throws Exception {
    long inputs = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : 900;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    long udpRate = args.length > 3 ? Long.parseLong(args[3]) : 10_000;

    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "akka.loglevel = INFO\nlars.admin.token = \"" + TOKEN + "\""));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS, Role.REPORTER, Role.AGENT, Role.ADMIN))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    LogCounter logs = LogCounter.attach();
    try {
      JdbcRouteRepository routes = new JdbcRouteRepository(node.database().orElseThrow().dataSource());
      GOOD_HOSTS.forEach(h -> routes.addHost(GOOD, h));
      List<InetSocketAddress> ports = node.listeners("agent", "udp").stream().map(l -> l.address()).toList();
      InetSocketAddress goodPort = ports.get((GOOD.modid() + GOOD.cmdid()) % 3);
      InetSocketAddress admin = node.listeners("admin", "http").get(0).address();
      awaitGoodHost(goodPort);

      logs.reset();
      FuzzRun.Result udp = runUdp(ports, goodPort, inputs, maxSeconds, threads, udpRate);
      print("agent UDP", udp, goodHostOnce(goodPort), logs);

      logs.reset();
      FuzzRun.Result http = runHttp(admin, inputs, maxSeconds, threads);
      print("admin HTTP", http, goodRoutesOnce(HttpClient.newHttpClient(), admin), logs);
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void print(String protocol, FuzzRun.Result r, boolean serving, LogCounter logs) {
    System.gc();
    long heapMiB = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    System.out.printf("%s: %d inputs in %.0f s (%.0f inputs/s), hangs %d, 500s %d, good client %d ok / %d failed, "
            + "node serving after: %s, heap after GC %d MiB, log lines: %s%n",
        protocol, r.inputs(), r.seconds(), r.inputs() / r.seconds(), r.hangs(), r.serverErrors(), r.goodOk(), r.goodFailed(),
        serving, heapMiB, logs);
  }

  // ---------------------------------------------------------------- UDP

  private static FuzzRun.Result runUdp(List<InetSocketAddress> ports, InetSocketAddress goodPort, long inputs,
      long maxSeconds, int threads, long rate) throws Exception {
    double perThreadNanos = 1e9 * threads / rate;
    return FuzzRun.run(inputs, maxSeconds, threads, 19L * 2000, (random, c) -> {
      try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        socket.setReceiveBufferSize(4096); // answers are not read; let the kernel drop them
        long mine = 0;
        long threadStart = System.nanoTime();
        while (c.more()) {
          c.take(1);
          byte[] datagram = udpInput(random);
          InetSocketAddress to = ports.get(random.nextInt(ports.size()));
          try {
            socket.send(new DatagramPacket(datagram, datagram.length, to));
          } catch (IOException e) {
            // e.g. ICMP unreachable reported on a later send: the input still counts as sent
          }
          long ahead = threadStart + (long) (++mine * perThreadNanos) - System.nanoTime();
          if (ahead > 1_000_000) {
            Thread.sleep(ahead / 1_000_000);
          }
        }
      }
    }, c -> goodUdpClient(goodPort, c.stop, c.goodOk, c.goodFailed));
  }

  private static byte[] udpInput(SplittableRandom random) {
    return switch (random.nextInt(10)) {
      case 0 -> randomBytes(random, 100);
      case 1 -> {
        byte[] header = frame(4 + random.nextInt(4), new byte[0]);
        byte[] cut = new byte[random.nextInt(8)];
        System.arraycopy(header, 0, cut, 0, cut.length);
        yield cut;
      }
      case 2 -> {
        // msglen negative, oversize, or not the datagram's size
        byte[] body = randomBytes(random, 40);
        int msglen = switch (random.nextInt(3)) {
          case 0 -> -1 - random.nextInt(Integer.MAX_VALUE);
          case 1 -> 65528 + random.nextInt(1 << 20);
          default -> body.length + 1 + random.nextInt(100);
        };
        yield ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + random.nextInt(4))
            .putInt(msglen).put(body).array();
      }
      case 3 -> frame(new int[] {4, 6, 7}[random.nextInt(3)], randomBytes(random, 60));
      case 4, 5 -> frame(4, GetHostRequest.newBuilder().setSeq(random.nextInt()).setModid(extremeModid(random))
          .setCmdid(extremeModid(random)).build().toByteArray());
      case 6 -> frame(7, GetRouteRequest.newBuilder().setModid(extremeModid(random)).setCmdid(extremeModid(random))
          .build().toByteArray());
      case 7 -> frame(6, ReportRequest.newBuilder().setModid(extremeModid(random)).setCmdid(extremeModid(random))
          .setHost(HostInfo.newBuilder().setIp(extreme(random, true)).setPort(extreme(random, true)))
          .setRetcode(extreme(random, true)).setTimecostMs(extreme(random, true)).build().toByteArray());
      case 8 -> frame(new int[] {1, 2, 3, 5, 8}[random.nextInt(5)], randomBytes(random, 60));
      default -> random.nextInt(20) == 0
          ? randomBytes(random, 65_507)
          : frame(9 + random.nextInt(1000), randomBytes(random, 50));
    };
  }

  /** A modid or cmdid for fuzz frames: extreme values, else random; never the good module's (1,1). */
  private static int extremeModid(SplittableRandom random) {
    int v = extreme(random, true);
    return v == 1 ? 2 : v;
  }

  private static void goodUdpClient(InetSocketAddress port, AtomicBoolean stop, LongAdder ok, LongAdder failed) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      socket.setSoTimeout(1000);
      int seq = 0;
      while (!stop.get()) {
        if (goodHostOnce(port, socket, ++seq)) {
          ok.increment();
        } else {
          failed.increment();
        }
        Thread.sleep(5);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One get_host for the good module, then a success report for the host; true if the answer was right. */
  private static boolean goodHostOnce(InetSocketAddress port, DatagramSocket socket, int seq) {
    try {
      socket.setSoTimeout(1000);
      byte[] request = frame(4, GetHostRequest.newBuilder().setSeq(seq).setModid(GOOD.modid())
          .setCmdid(GOOD.cmdid()).build().toByteArray());
      socket.send(new DatagramPacket(request, request.length, port));
      byte[] buf = new byte[65_536];
      while (true) {
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        socket.receive(in);
        ByteBuffer b = ByteBuffer.wrap(buf, 0, in.getLength()).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 5) {
          return false;
        }
        int len = b.getInt();
        GetHostResponse r = GetHostResponse.parseFrom(ByteBuffer.wrap(buf, 8, len));
        if (r.getSeq() != seq) {
          continue; // the answer to a request that timed out
        }
        Host host = new Host(r.getHost().getIp(), r.getHost().getPort());
        if (r.getRetcode() != 0 || !GOOD_HOSTS.contains(host)) {
          return false;
        }
        byte[] report = frame(6, ReportRequest.newBuilder().setModid(GOOD.modid()).setCmdid(GOOD.cmdid())
            .setHost(r.getHost()).setRetcode(0).setTimecostMs(3).build().toByteArray());
        socket.send(new DatagramPacket(report, report.length, port));
        return true;
      }
    } catch (IOException e) {
      return false; // a timeout, or an unparsable answer
    }
  }

  private static boolean goodHostOnce(InetSocketAddress port) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return goodHostOnce(port, socket, 1);
    }
  }

  private static void awaitGoodHost(InetSocketAddress port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!goodHostOnce(port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the agent did not serve the seeded route within 60 s");
      }
      Thread.sleep(500);
    }
  }

  // ---------------------------------------------------------------- HTTP

  private static FuzzRun.Result runHttp(InetSocketAddress admin, long inputs, long maxSeconds, int threads)
      throws Exception {
    return FuzzRun.run(inputs, maxSeconds, threads, 19L * 3000, (random, c) -> {
      while (c.more()) {
        int requests = 1 + random.nextInt(3);
        c.take(requests);
        long errors = fuzzOneHttpConnection(admin, random, requests);
        if (errors < 0) {
          c.hangs.increment();
        } else {
          c.serverErrors.add(errors);
        }
      }
    }, c -> goodHttpClient(admin, c.stop, c.goodOk, c.goodFailed));
  }

  /** @return the 500 answers seen, or -1 if the server neither answered nor closed within the read timeout */
  private static long fuzzOneHttpConnection(InetSocketAddress admin, SplittableRandom random, int requests) {
    try (Socket s = new Socket()) {
      s.setSoLinger(true, 0);
      s.setSoTimeout(READ_TIMEOUT_MS);
      s.connect(admin, 5_000);
      OutputStream out = s.getOutputStream();
      try {
        for (int i = 0; i < requests; i++) {
          out.write(httpRequest(random, i == requests - 1));
        }
        out.flush();
        s.shutdownOutput();
      } catch (IOException closedAlready) {
        return 0; // the server answered an earlier request and closed
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16_384];
      long errors = 0;
      String tail = "";
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          String chunk = tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
          for (int at = chunk.indexOf("HTTP/1.1 500"); at >= 0; at = chunk.indexOf("HTTP/1.1 500", at + 1)) {
            errors++;
          }
          tail = chunk.substring(Math.max(0, chunk.length() - 11));
        }
      } catch (SocketTimeoutException e) {
        return -1;
      } catch (IOException reset) {
        return errors;
      }
      return errors;
    } catch (IOException e) {
      return 0; // connect refused counts as handled
    }
  }

  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
      "CONNECT", "get", "PROPFIND", ""};
  private static final String[] PATHS = {"/", "/api/routes", "/api/routes/{id}", "/api/modules", "/api/modules/{id}",
      "/api/commands", "/api/commands/{id}", "/api/version", "/api/changes", "/api/audit", "/api/status",
      "/api/status/history", "/api/lb/{id}/{id}", "/api/overview", "/api/cluster", "/api/openapi.json", "/metrics",
      "/index.html", "/web/../../etc/passwd", "/api/../api/routes", "/api/%00", "/%zz", "*"};
  private static final String[] HOSTS = {"127.0.0.1", "localhost", "evil.example", "127.0.0.1:1", "[::1]", "",
      "a\tb", "127.0.0.1.nip.io"};

  private static byte[] httpRequest(SplittableRandom random, boolean last) {
    StringBuilder head = new StringBuilder();
    String method = random.nextInt(20) == 0 ? randomToken(random, 12) : METHODS[random.nextInt(METHODS.length)];
    head.append(method).append(' ').append(randomPath(random))
        .append(random.nextInt(50) == 0 ? " HTTP/9.9" : " HTTP/1.1")
        .append("\r\n");
    switch (random.nextInt(6)) {
      case 0 -> { } // no Host
      case 1 -> head.append("Host: ").append(randomToken(random, random.nextInt(10) == 0 ? 10_000 : 30)).append("\r\n");
      default -> head.append("Host: ").append(HOSTS[random.nextInt(HOSTS.length)]).append("\r\n");
    }
    switch (random.nextInt(5)) {
      case 0 -> { } // no token
      case 1 -> head.append("Authorization: Bearer ").append(randomToken(random, 40)).append("\r\n");
      case 2 -> head.append("Authorization: ").append(randomToken(random, 20)).append("\r\n");
      default -> head.append("Authorization: Bearer ").append(TOKEN).append("\r\n");
    }
    int extra = random.nextInt(4);
    for (int i = 0; i < extra; i++) {
      switch (random.nextInt(5)) {
        case 0 -> head.append(randomToken(random, 20)).append(": ").append(randomToken(random, 200)).append("\r\n");
        case 1 -> head.append("Content-Type: ")
            .append(random.nextBoolean() ? "application/json" : randomToken(random, 30))
            .append("\r\n");
        case 2 -> head.append(randomToken(random, 30)).append("\r\n"); // no colon
        case 3 -> head.append("X-Forwarded-For: ").append(randomToken(random, 30)).append("\r\n");
        default -> head.append("Origin: http://").append(HOSTS[random.nextInt(HOSTS.length)]).append("\r\n");
      }
    }
    byte[] body = httpBody(random);
    long declared = switch (random.nextInt(10)) {
      case 0 -> body.length + 1 + random.nextInt(1000); // more than is sent
      case 1 -> Math.max(0, body.length - 1 - random.nextInt(10)); // less than is sent
      case 2 -> -1; // none
      default -> body.length;
    };
    if (declared >= 0) {
      head.append("Content-Length: ").append(declared).append("\r\n");
    }
    if (last) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(h.length + body.length).put(h).put(body).array();
  }

  private static String randomPath(SplittableRandom random) {
    String path = PATHS[random.nextInt(PATHS.length)];
    while (path.contains("{id}")) {
      String id = random.nextInt(8) == 0 ? randomToken(random, 8) : Long.toString(nonGoodId(random));
      path = path.replaceFirst("\\{id}", Matcher.quoteReplacement(id));
    }
    switch (random.nextInt(8)) {
      case 0 -> path = path + "/" + randomToken(random, random.nextInt(20) == 0 ? 10_000 : 20);
      case 1 -> path = path + "?modid=" + extreme(random, true) + "&cmdid=" + randomToken(random, 6) + "&limit="
          + extreme(random, true) + "&minutes=" + extreme(random, true);
      case 2 -> path = path + "%" + randomToken(random, 2);
      default -> { }
    }
    return path;
  }

  /** An id in a path: extreme or random, never 1-3 (the good module's route rows). */
  private static long nonGoodId(SplittableRandom random) {
    long v = random.nextBoolean() ? extreme(random, true) : random.nextLong();
    return v >= 1 && v <= 3 ? v + 1000 : v;
  }

  private static byte[] httpBody(SplittableRandom random) {
    return switch (random.nextInt(9)) {
      case 0, 1 -> new byte[0];
      case 2 -> randomBytes(random, 300);
      case 3 -> ("{\"modid\": " + randomToken(random, 5) + ", ").getBytes(StandardCharsets.UTF_8); // bad JSON
      case 4 -> {
        int depth = 1 + random.nextInt(20_000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        yield (open.repeat(depth) + (random.nextBoolean() ? "1" : "")).getBytes(StandardCharsets.UTF_8);
      }
      case 5 -> ("{\"modid\":" + extreme(random, true) + ",\"cmdid\":" + extreme(random, true) + ",\"ip\":\""
          + (random.nextBoolean() ? "300.1.1." + random.nextInt(256) : randomToken(random, 12)) + "\",\"port\":"
          + (random.nextBoolean() ? 65536 + random.nextInt(1000) : -random.nextInt(1000)) + "}")
          .getBytes(StandardCharsets.UTF_8); // a route, always invalid
      case 6 -> ("{\"name\":\"" + randomToken(random, 300) + "\",\"" + randomToken(random, 10) + "\":"
          + extreme(random, true) + "}").getBytes(StandardCharsets.UTF_8);
      case 7 -> random.nextInt(60) == 0 ? randomBytes(random, 2 << 20) : randomBytes(random, 5000);
      default -> "{\"modid\":1,\"cmdid\":1,\"ip\":\"\\u0000\",\"port\":0,\"extra\":true}"
          .getBytes(StandardCharsets.UTF_8);
    };
  }

  private static String randomToken(SplittableRandom random, int max) {
    int n = random.nextInt(max + 1);
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      // mostly printable, sometimes a control or non-ASCII character
      int c = random.nextInt(40) == 0 ? random.nextInt(0x20) : random.nextInt(60) == 0 ? 0x80 + random.nextInt(0x700)
          : 0x21 + random.nextInt(0x5e);
      b.append((char) c);
    }
    return b.toString();
  }

  private static void goodHttpClient(InetSocketAddress admin, AtomicBoolean stop, LongAdder ok, LongAdder failed) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    while (!stop.get()) {
      if (goodRoutesOnce(client, admin)) {
        ok.increment();
      } else {
        failed.increment();
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static boolean goodRoutesOnce(HttpClient client, InetSocketAddress admin) {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort()
              + "/api/routes?modid=1&cmdid=1")).timeout(Duration.ofSeconds(READ_TIMEOUT_MS / 1000))
          .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && GOOD_HOSTS.stream().allMatch(h -> r.body().contains("\"" + h.ipText() + "\""));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }


}
