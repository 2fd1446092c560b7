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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the build's BSL guard ({@code src/build/enforcer-bsl-rules.xml}): Maven runs the enforcer
 * on the probe POM {@code src/test/bsl-guard/pom.xml}, which passes with the Apache-2.0 versions
 * the project uses and must fail, naming the artifact, as soon as any one of them is a BSL version.
 * Akka HTTP reaches the probe only through akka-management, so that case is a transitive hit.
 * Needs {@code mvn} (the running one, or on the PATH) and the Maven registry or a local repository
 * that holds the probe's POMs.
 *
 * <p>The six Maven runs start together when the class starts (they are independent; one after the
 * other they took a minute), each with a JIT that stops at C1: a short Maven run spends a third
 * of its CPU compiling code it leaves before using.
 */
class BslGuardTest {

  private static final Path PROBE = Path.of("src/test/bsl-guard/pom.xml").toAbsolutePath();
  private static final String QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  /** A BSL version of one artifact: the probe property, its version, the artifact the guard must name. */
  record Banned(String property, String version, String named) {
    @Override
    public String toString() {
      return property + "=" + version;
    }
  }

  private static final List<Banned> BANNED = List.of(
      new Banned("probe.akka.version", "2.8.8", "com.typesafe.akka:akka-actor_2.13:jar:2.8.8"),
      new Banned("probe.akka.version", "2.7.0", "com.typesafe.akka:akka-actor_2.13:jar:2.7.0"),
      new Banned("probe.akka.http.version", "10.5.3", "com.typesafe.akka:akka-http-core_2.13:jar:10.5.3"),
      new Banned("probe.akka.management.version", "1.4.0",
          "com.lightbend.akka.management:akka-management_2.13:jar:1.4.0"),
      new Banned("probe.akka.persistence.jdbc.version", "5.2.1",
          "com.lightbend.akka:akka-persistence-jdbc_2.13:jar:5.2.1"));

  private static final Map<List<String>, Run> RUNS = new ConcurrentHashMap<>();

  @BeforeAll
  static void startEveryRun() throws IOException {
    start(List.of());
    for (Banned b : BANNED) {
      start(properties(b));
    }
  }

  @AfterAll
  static void stopAnyLeft() throws IOException {
    for (Run run : RUNS.values()) {
      run.process().destroyForcibly();
      Files.deleteIfExists(run.log());
    }
    RUNS.clear();
  }

  static List<Banned> banned() {
    return BANNED;
  }

  @Test
  void theApacheLicensedLinePasses() throws Exception {
    Result result = result(List.of());
    assertEquals(0, result.exitCode(), result.output());
  }

  @ParameterizedTest(name = "{0} is refused")
  @MethodSource("banned")
  void aBslVersionFailsTheBuild(Banned banned) throws Exception {
    Result result = result(properties(banned));
    assertNotEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("BSL-licensed Akka version"), result.output());
    assertTrue(result.output().contains(banned.named()), "the banned artifact is named:\n" + result.output());
  }

  private record Result(int exitCode, String output) {
  }

  private record Run(Process process, Path log) {
  }

  private static List<String> properties(Banned b) {
    return List.of("-D" + b.property() + "=" + b.version());
  }

  private static void start(List<String> properties) throws IOException {
    List<String> command = new ArrayList<>(List.of(mvn(), "-B", "-q", "-f", PROBE.toString()));
    command.addAll(properties);
    command.add("validate");
    Path log = Files.createTempFile("bsl-guard", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    String opts = builder.environment().getOrDefault("MAVEN_OPTS", "");
    builder.environment().put("MAVEN_OPTS", (opts + " " + QUICK_JVM).strip());
    RUNS.put(properties, new Run(builder.start(), log));
  }

  private static Result result(List<String> properties) throws IOException, InterruptedException {
    Run run = RUNS.get(properties);
    if (!run.process().waitFor(5, TimeUnit.MINUTES)) {
      throw new AssertionError("mvn on the probe POM did not finish within 5 minutes");
    }
    return new Result(run.process().exitValue(), Files.readString(run.log(), StandardCharsets.UTF_8));
  }

  /** The Maven that runs this build (surefire passes maven.home), else the one on the PATH. */
  private static String mvn() {
    String home = System.getProperty("maven.home", "");
    Path bin = Path.of(home, "bin", "mvn");
    return !home.isEmpty() && Files.isExecutable(bin) ? bin.toString() : "mvn";
  }
}
