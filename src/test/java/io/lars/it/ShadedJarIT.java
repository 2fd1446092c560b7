package io.lars.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.MessageId;
import io.lars.protocol.RetCode;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.testkit.TestNodeConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code target/lars.jar} (after {@code package}): a shaded jar whose Akka
 * reference.conf files were overwritten instead of appended would fail here, not in unit tests.
 */
class ShadedJarIT {

  @Test
  void jarStartsANodeAndPrintsTheReadyLine(@TempDir Path dir) throws Exception {
    Path jar = Paths.get("target", "lars.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "run after mvn package: " + jar);
    TestNodeConfig.Ports p = TestNodeConfig.create().ports();
    Path conf = dir.resolve("node.conf");
    Files.writeString(conf, String.join("\n",
        "lars.db.url = \"jdbc:h2:file:" + dir.resolve("lars") + ";MODE=MySQL;DATABASE_TO_LOWER=FALSE;CASE_INSENSITIVE_IDENTIFIERS=TRUE\"",
        // The first connection of a JVM starting on a busy machine took more than the default 5 s.
        "lars.db.connection-timeout = 30s",
        "lars.dns { bind = 127.0.0.1, port = " + p.dns() + " }",
        "lars.reporter { bind = 127.0.0.1, port = " + p.reporter() + " }",
        "lars.agent { ports = [" + p.agent().get(0) + "," + p.agent().get(1) + "," + p.agent().get(2) + "]",
        "  dns.port = " + p.dns() + ", reporter.port = " + p.reporter(),
        // The first answer must come from the route, not from first-pull-wait (100 ms) running out
        // on a busy machine: NOEXIST then means the dns did not have the seeded route.
        // (the node refuses a first-pull-wait not below ask-timeout)
        "  load-balance.first-pull-wait = 10s, ask-timeout = 12s }",
        "lars.admin { port = " + p.admin() + ", data-dir = \"" + dir + "\" }",
        "akka.management.http.port = " + p.management(),
        "akka.remote.artery.canonical.port = " + TestNodeConfig.freeTcpPort()));
    Process node = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "node", "--demo", "--config", conf.toString())
        .directory(dir.toFile()).redirectError(dir.resolve("node.err").toFile()).start();
    try {
      CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
          return out.readLine() + "\n" + out.readLine();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      String[] lines = ready.get(90, TimeUnit.SECONDS).split("\n");
      String err = "output: " + String.join(" / ", lines) + "\nstderr:\n" + Files.readString(dir.resolve("node.err"));
      assertTrue(lines[0].startsWith("lars node ready roles=admin,agent,dns,reporter"), err);
      assertTrue(lines[1].startsWith("demo routes: 6 hosts added"), err);
      assertSeededRouteIsServedWithoutNoexist(p.agent().get((11 + 1) % 3));
    } finally {
      node.destroy();
    }
    assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not stop on SIGTERM");
    String err = Files.readString(dir.resolve("node.err"));
    assertTrue(err.contains("CoordinatedShutdown"), "no coordinated shutdown on SIGTERM:\n" + err);
    assertEquals(0, node.exitValue(), "a node stopped by SIGTERM exits 0:\n" + err);
    assertFalse(err.contains("license") || err.contains("licence"), "no licence warning:\n" + err);
  }

  @Test
  void aNodeThatCannotStartExitsOneWithOneClearLine(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("node.conf");
    Files.writeString(conf, "lars.db.url = \"jdbc:mysql://127.0.0.1:1/nowhere?connectTimeout=500\"\n"
        + "lars.db.connection-timeout = 1s\n");
    Result result = runJar(dir, "node", "--roles", "dns", "--port", "0", "--config", conf.toString());
    assertEquals(1, result.exitCode(), result.stderr());
    assertTrue(result.stderr().contains("ERROR") && result.stderr().contains("failed to start (exit 1)"), result.stderr());
  }

  @Test
  void badNodeOptionsExitWithTheUsageCode(@TempDir Path dir) throws Exception {
    Result result = runJar(dir, "node", "--roles", "dns,router");
    assertEquals(64, result.exitCode(), result.stderr());
    assertTrue(result.stderr().contains("router"), result.stderr());
  }

  private record Result(int exitCode, String stderr) {
  }

  private static Result runJar(Path dir, String... args) throws Exception {
    Path jar = Paths.get("target", "lars.jar").toAbsolutePath();
    java.util.List<String> command = new java.util.ArrayList<>(
        java.util.List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(java.util.List.of(args));
    Path err = dir.resolve("run.err");
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("lars " + String.join(" ", args) + " did not end within 120 s");
    }
    return new Result(process.exitValue(), Files.readString(err));
  }

  /**
   * Once the node has announced the demo routes, get_host (11,1) is never NOEXIST: the dns
   * reloaded before the announcement. SYSTEM_ERROR (the sharding coordinator still starting) is
   * retried.
   */
  private static void assertSeededRouteIsServedWithoutNoexist(int agentPort) throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      // Longer than ask-timeout: a first answer may wait for the route that long.
      socket.setSoTimeout(15_000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (int seq = 1; ; seq++) {
        byte[] request = FrameCodec.encode(Frame.of(MessageId.GET_HOST_REQUEST,
            GetHostRequest.newBuilder().setSeq(seq).setModid(11).setCmdid(1).build())).toArray();
        socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), agentPort));
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        GetHostResponse response = FrameCodec.decodeDatagram(ByteString.fromArray(buffer, 0, packet.getLength()))
            .decode(GetHostResponse.class);
        assertNotEquals(RetCode.NOEXIST.code(), response.getRetcode(), "a seeded route answered NOEXIST");
        if (response.getRetcode() == RetCode.SUCC.code()) {
          return;
        }
        assertTrue(System.nanoTime() < deadline, "no SUCC for (11,1) within 20 s: " + response);
      }
    }
  }
}
