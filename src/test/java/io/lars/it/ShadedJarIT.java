package io.lars.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.testkit.TestNodeConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
        "lars.dns { bind = 127.0.0.1, port = " + p.dns() + " }",
        "lars.reporter { bind = 127.0.0.1, port = " + p.reporter() + " }",
        "lars.agent { ports = [" + p.agent().get(0) + "," + p.agent().get(1) + "," + p.agent().get(2) + "]",
        "  dns.port = " + p.dns() + ", reporter.port = " + p.reporter() + " }",
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
    } finally {
      node.destroy();
    }
    assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not stop on SIGTERM");
    String err = Files.readString(dir.resolve("node.err"));
    assertTrue(err.contains("CoordinatedShutdown"), "no coordinated shutdown on SIGTERM:\n" + err);
  }
}
