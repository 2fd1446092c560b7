package io.lars.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.typed.Cluster;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin {@code lars-client} jar (after {@code package}) on its own: its contents, its POM's
 * dependency list, and a tiny application compiled and run in its own JVM against the thin jar
 * and the POM's declared dependencies only. The application creates its own ActorSystem with
 * {@code ConfigFactory.load()} and is told the remoting port a running node holds: a jar that
 * carried the node's application.conf (cluster provider) would try to bind it and fail.
 */
class ThinClientJarIT {

  private static final Host A = Host.of("10.0.0.1", 9001);

  private static final String APP = """
      import akka.actor.typed.ActorSystem;
      import akka.actor.typed.javadsl.AskPattern;
      import akka.actor.typed.javadsl.Behaviors;
      import com.typesafe.config.ConfigFactory;
      import io.lars.client.ClientActor;
      import io.lars.client.ClientSettings;
      import io.lars.client.HostResult;
      import io.lars.client.LarsClient;
      import java.time.Duration;

      public class App {
        public static void main(String[] args) throws Exception {
          int modid = Integer.parseInt(args[0]);
          int cmdid = Integer.parseInt(args[1]);
          ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "app", ConfigFactory.load());
          try (LarsClient lars = LarsClient.create(system, ClientSettings.fromConfig(system.settings().config()))) {
            HostResult direct = lars.getHost(modid, cmdid).toCompletableFuture().get();
            ClientActor.Reply asked = AskPattern.<ClientActor.Command, ClientActor.Reply>ask(lars.actor(),
                replyTo -> new ClientActor.GetHost(modid, cmdid, replyTo), Duration.ofSeconds(5), system.scheduler())
                .toCompletableFuture().get();
            System.out.println("provider " + system.settings().config().getString("akka.actor.provider"));
            System.out.println("host is " + direct.host());
            System.out.println("asked " + ((ClientActor.HostReply) asked).result().host());
          } finally {
            system.terminate();
          }
        }
      }
      """;

  private static Path thinJar() throws IOException {
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Paths.get("target"), "*-client.jar")) {
      for (Path jar : jars) {
        return jar.toAbsolutePath();
      }
    }
    throw new AssertionError("run after mvn package: no target/*-client.jar");
  }

  @Test
  void theJarHoldsOnlyTheProtocolAndClientPackagesAndTheClientDefaults() throws Exception {
    try (JarFile jar = new JarFile(thinJar().toFile())) {
      List<String> strays = new ArrayList<>();
      for (JarEntry e : java.util.Collections.list(jar.entries())) {
        String n = e.getName();
        if (!e.isDirectory() && !n.startsWith("io/lars/protocol/") && !n.startsWith("io/lars/client/")
            && !n.equals("reference.conf") && !n.equals("META-INF/MANIFEST.MF")) {
          strays.add(n);
        }
      }
      assertEquals(List.of(), strays);
      String reference = new String(jar.getInputStream(jar.getEntry("reference.conf")).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(reference.contains("lars.client {"), reference);
      assertTrue(jar.getEntry("io/lars/protocol/pb/GetHostRequest.class") != null, "generated protobuf classes");
    }
    String pom = Files.readString(Paths.get("target", "lars-client.pom"));
    Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(pom);
    List<String> artifacts = new ArrayList<>();
    while (m.find()) {
      artifacts.add(m.group(1));
    }
    assertEquals(List.of("lars-client", "akka-actor-typed_2.13", "scala-library", "slf4j-api", "protobuf-java"), artifacts);
  }

  @Test
  void anApplicationBuiltOnTheThinJarAloneGetsAHostNextToARunningNode(@TempDir Path dir) throws Exception {
    String classpath = thinJar() + java.io.File.pathSeparator + declaredDependencies(dir);
    Path src = dir.resolve("App.java");
    Files.writeString(src, APP);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "-cp", classpath, "-d", dir.toString(), src.toString()),
        "the application does not compile against the thin jar and its declared dependencies");

    TestNodeConfig conf = TestNodeConfig.create();
    LarsNode node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(90, TimeUnit.SECONDS);
    try {
      new JdbcRouteRepository(node.database().orElseThrow().dataSource()).addHost(new ModuleId(7, 1), A);
      awaitRoute(conf);
      int remotingPort = Cluster.get(node.system()).selfMember().address().getPort().orElseThrow();
      List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", classpath + java.io.File.pathSeparator + dir,
          "-Dakka.remote.artery.canonical.port=" + remotingPort,
          "-Dakka.remote.artery.canonical.hostname=127.0.0.1"));
      for (int i = 0; i < 3; i++) {
        command.add("-Dlars.client.agent-ports." + i + "=" + conf.ports().agent().get(i));
      }
      command.addAll(List.of("App", "7", "1"));
      Process app = new ProcessBuilder(command).directory(dir.toFile())
          .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
      assertTrue(app.waitFor(90, TimeUnit.SECONDS), "the application did not finish");
      String out = Files.readString(dir.resolve("out"));
      String err = Files.readString(dir.resolve("err"));
      assertEquals(0, app.exitValue(), out + err);
      assertEquals(List.of("provider local", "host is " + A, "asked " + A), out.lines().toList(), err);
      assertFalse(err.contains("ERROR") || err.contains("Exception"), err);
    } finally {
      node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static void awaitRoute(TestNodeConfig conf) throws Exception {
    try (LarsClient client = LarsClient.create(new ClientSettings("127.0.0.1", conf.ports().agent(), Duration.ofSeconds(2)))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (client.register(7, 1).toCompletableFuture().get(10, TimeUnit.SECONDS).hosts().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the node's agent never learnt the route of (7,1)");
        Thread.sleep(100);
      }
    }
  }

  /** The thin POM's dependencies, resolved by Maven itself (offline first, the local repository has them after the build). */
  private static String declaredDependencies(Path dir) throws Exception {
    Path cp = dir.resolve("cp.txt");
    String pom = Paths.get("target", "lars-client.pom").toAbsolutePath().toString();
    for (boolean offline : new boolean[] {true, false}) {
      List<String> command = new ArrayList<>(List.of(mvn(), "-B", "-q"));
      if (offline) {
        command.add("-o");
      }
      String repo = System.getProperty("maven.repo.local");
      if (repo != null && !repo.isEmpty()) {
        command.add("-Dmaven.repo.local=" + repo);
      }
      command.addAll(List.of("-f", pom, "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
          "-Dmdep.outputFile=" + cp));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("mvn.log").toFile()).start();
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "mvn build-classpath did not finish");
      if (p.exitValue() == 0) {
        return Files.readString(cp).strip();
      }
    }
    throw new AssertionError("mvn could not resolve the thin POM's dependencies:\n" + Files.readString(dir.resolve("mvn.log")));
  }

  private static String mvn() {
    String home = System.getProperty("maven.home", "");
    Path bin = Path.of(home, "bin", "mvn");
    return !home.isEmpty() && Files.isExecutable(bin) ? bin.toString() : "mvn";
  }
}
