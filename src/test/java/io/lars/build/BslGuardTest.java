package io.lars.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves the build's BSL guard ({@code src/build/enforcer-bsl-rules.xml}): Maven runs the enforcer
 * on the probe POM {@code src/test/bsl-guard/pom.xml}, which passes with the Apache-2.0 versions
 * the project uses and must fail, naming the artifact, as soon as any one of them is a BSL version.
 * Akka HTTP reaches the probe only through akka-management, so that case is a transitive hit.
 * Needs {@code mvn} (the running one, or on the PATH) and the Maven registry or a local repository
 * that holds the probe's POMs.
 */
class BslGuardTest {

  private static final Path PROBE = Path.of("src/test/bsl-guard/pom.xml").toAbsolutePath();

  @Test
  void theApacheLicensedLinePasses() throws Exception {
    Result result = enforce(List.of());
    assertEquals(0, result.exitCode(), result.output());
  }

  @ParameterizedTest(name = "{0}={1} is refused")
  @CsvSource({
      "probe.akka.version, 2.8.8, com.typesafe.akka:akka-actor_2.13:jar:2.8.8",
      "probe.akka.version, 2.7.0, com.typesafe.akka:akka-actor_2.13:jar:2.7.0",
      "probe.akka.http.version, 10.5.3, com.typesafe.akka:akka-http-core_2.13:jar:10.5.3",
      "probe.akka.management.version, 1.4.0, com.lightbend.akka.management:akka-management_2.13:jar:1.4.0",
      "probe.akka.persistence.jdbc.version, 5.2.1, com.lightbend.akka:akka-persistence-jdbc_2.13:jar:5.2.1"})
  void aBslVersionFailsTheBuild(String property, String version, String named) throws Exception {
    Result result = enforce(List.of("-D" + property + "=" + version));
    assertNotEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("BSL-licensed Akka version"), result.output());
    assertTrue(result.output().contains(named), "the banned artifact is named:\n" + result.output());
  }

  private record Result(int exitCode, String output) {
  }

  private static Result enforce(List<String> properties) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(mvn(), "-B", "-q", "-f", PROBE.toString()));
    command.addAll(properties);
    command.add("validate");
    Path log = Files.createTempFile("bsl-guard", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("mvn on the probe POM did not finish within 5 minutes");
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The Maven that runs this build (surefire passes maven.home), else the one on the PATH. */
  private static String mvn() {
    String home = System.getProperty("maven.home", "");
    Path bin = Path.of(home, "bin", "mvn");
    return !home.isEmpty() && Files.isExecutable(bin) ? bin.toString() : "mvn";
  }
}
