package io.lars.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.TestNodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lars route} against a real node's admin API (an in-process node with the admin role on
 * free ports), the direct {@code --db} mode, and the mapping of answers to exit codes.
 */
class RouteCommandTest {

  private static final String TOKEN = "route-tool-token";

  private static final PrintStream SAVED_OUT = System.out;
  private static final PrintStream SAVED_ERR = System.err;
  private static String out = "";
  private static String err = "";

  /** Runs {@code lars ...} as given and captures both streams. */
  private static int lars(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      return LarsMain.run(args);
    } finally {
      System.setOut(SAVED_OUT);
      System.setErr(SAVED_ERR);
      out = o.toString(StandardCharsets.UTF_8);
      err = e.toString(StandardCharsets.UTF_8);
    }
  }

  private static String[] concat(String[] first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ThroughTheAdminApi {

    private LarsNode node;
    private String admin;

    @BeforeAll
    void startNode(@TempDir Path dataDir) throws Exception {
      TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
          "lars.admin.token = " + TOKEN + "\nlars.admin.data-dir = \"" + dataDir + "\""));
      node = LarsNode.start(conf.config(), EnumSet.of(Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
      admin = "http://127.0.0.1:" + conf.ports().admin();
    }

    @AfterAll
    void stopNode() throws Exception {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** {@code lars route ARGS --admin URL --token TOKEN}. */
    private int route(String... args) {
      return lars(concat(concat(new String[] {"route"}, args), "--admin", admin, "--token", TOKEN));
    }

    @Test
    void addListAndRemoveHostsThroughTheAdmin() {
      assertEquals(0, route("add", "1", "1", "192.168.1.177", "7777"), err);
      assertTrue(out.matches("added 1 1 192\\.168\\.1\\.177 7777 id=\\d+\n"), out);
      assertEquals(0, route("add", "1", "1", "10.0.0.1", "80"), err);
      assertEquals(0, route("add", "2", "1", "10.0.0.2", "81"), err);

      assertEquals(0, route("ls", "1", "1"), err);
      assertEquals(List.of("1 1 192.168.1.177 7777", "1 1 10.0.0.1 80"), withoutIds(out));
      assertEquals(0, route("ls"), err);
      assertTrue(withoutIds(out).containsAll(List.of("1 1 192.168.1.177 7777", "1 1 10.0.0.1 80", "2 1 10.0.0.2 81")),
          out);

      assertEquals(0, route("rm", "1", "1", "10.0.0.1", "80"), err);
      assertEquals("removed 1 1 10.0.0.1 80\n", out);
      assertEquals(0, route("ls", "1", "1"), err);
      assertEquals(List.of("1 1 192.168.1.177 7777"), withoutIds(out));
      assertEquals(0, route("ls", "9", "9"), err);
      assertEquals("", out);

      // Reads from loopback need no token, as the admin allows.
      assertEquals(0, lars("route", "ls", "2", "1", "--admin", admin, "--token-file", "/nonexistent/admin-token"), err);
      assertEquals(List.of("2 1 10.0.0.2 81"), withoutIds(out));
    }

    @Test
    void aDuplicateHostOrAMissingHostIsRefusedWithExitCode1() {
      assertEquals(0, route("add", "3", "1", "10.0.0.1", "80"), err);
      assertEquals(1, route("add", "3", "1", "10.0.0.1", "80"));
      assertEquals("lars route add: module (3,1) already has host 10.0.0.1:80\n", err);
      assertEquals("", out);
      assertEquals(1, route("rm", "3", "1", "10.0.0.9", "80"));
      assertEquals("lars route rm: module (3,1) has no host 10.0.0.9:80\n", err);
    }

    @Test
    void aWrongOrMissingTokenIsRefusedWithExitCode2(@TempDir Path dir) throws IOException {
      assertEquals(2, lars("route", "add", "4", "1", "10.0.0.4", "80", "--admin", admin, "--token", "wrong"));
      assertTrue(err.startsWith("lars route add: the admin at " + admin + " refused the token (wrong admin token)"), err);
      assertEquals(2, lars("route", "add", "4", "1", "10.0.0.4", "80", "--admin", admin,
          "--token-file", dir.resolve("none").toString()));
      assertTrue(err.contains("refused the token"), err);
      assertEquals(0, route("ls", "4", "1"));
      assertEquals("", out, "nothing was written");

      Path tokenFile = dir.resolve("admin-token");
      Files.writeString(tokenFile, TOKEN + "\n");
      assertEquals(0, lars("route", "add", "4", "1", "10.0.0.4", "80", "--admin", admin,
          "--token-file", tokenFile.toString()), err);
    }

    @Test
    void badArgumentsAreUsageErrorsWithExitCode64() {
      assertEquals(64, route("add", "1", "1", "10.0.0", "80"));
      assertTrue(err.contains("not an IPv4 dotted quad"), err);
      assertEquals(64, route("add", "1", "1", "10.0.0.1", "0"));
      assertTrue(err.contains("port 0 is outside 1..65535"), err);
      assertEquals(64, route("rm", "1", "1", "10.0.0.1", "65536"));
      assertTrue(err.contains("65536"), err);
      assertEquals(64, route("add", "x", "1", "10.0.0.1", "80"));
      assertTrue(err.contains("MODID"), err);
      assertEquals(64, route("add", "1", "1", "10.0.0.1"));
      assertEquals(64, route("ls", "1"));
      assertTrue(err.contains("both MODID and CMDID"), err);
      assertEquals(64, lars("route"));
      assertTrue(err.contains("missing subcommand"), err);
      assertEquals(64, lars("route", "ls", "--admin", "ftp://x"));
      assertTrue(err.contains("--admin must be http://HOST:PORT"), err);
      assertEquals(64, lars("route", "ls", "--admin", admin, "--db", "jdbc:h2:mem:x"));
      assertTrue(err.contains("exclude each other"), err);
    }
  }

  @Test
  void anUnreachableAdminIsExitCode2WithOneLine() {
    String nowhere = "http://127.0.0.1:" + TestNodeConfig.freeTcpPort();
    assertEquals(2, lars("route", "ls", "--admin", nowhere));
    assertEquals("lars route ls: cannot reach the admin at " + nowhere + " (connection refused); "
        + "is a node with the admin role running there? (--admin URL)\n", err);
    assertEquals("", out);
  }

  @Nested
  class DirectDatabaseMode {

    @Test
    void addListAndRemoveOnAnExistingDatabase() {
      DbSettings settings = TestDatabases.h2();
      try (Database db = Database.open(settings)) {
        assertEquals(0, lars("route", "add", "5", "1", "10.0.0.5", "80", "--db", settings.url()), err);
        assertEquals("added 5 1 10.0.0.5 80 id=1\n", out);
        assertEquals(1, lars("route", "add", "5", "1", "10.0.0.5", "80", "--db", settings.url()));
        assertTrue(err.contains("already has host 10.0.0.5:80"), err);
        assertEquals(0, lars("route", "ls", "--db", settings.url()), err);
        assertEquals("5 1 10.0.0.5 80 id=1\n", out);
        assertEquals(0, lars("route", "rm", "5", "1", "10.0.0.5", "80", "--db", settings.url()), err);
        assertEquals(1, lars("route", "rm", "5", "1", "10.0.0.5", "80", "--db", settings.url()));
        assertTrue(err.contains("has no host 10.0.0.5:80"), err);
      }
    }

    @Test
    void refusesToCreateADatabase(@TempDir Path dir) {
      Path file = dir.resolve("lars");
      String url = "jdbc:h2:file:" + file + DbSettings.H2_FLAGS;
      assertEquals(2, lars("route", "add", "1", "1", "10.0.0.1", "80", "--db", url));
      assertTrue(err.startsWith("lars route add: cannot open database jdbc:h2:file:" + file), err);
      assertTrue(err.contains("not found"), err);
      assertEquals("", out);
      assertFalse(Files.exists(dir.resolve("lars.mv.db")), "no database file was created");

      assertEquals(64, lars("route", "ls", "--db", url + ";IFEXISTS=FALSE"));
      assertTrue(err.contains("never create"), err);
      assertEquals(64, lars("route", "ls", "--db", "jdbc:mysql://127.0.0.1:1/x?createDatabaseIfNotExist=true"));
      assertTrue(err.contains("never create"), err);
      assertFalse(Files.exists(dir.resolve("lars.mv.db")), "no database file was created");
    }

    @Test
    void aDatabaseWithoutLarsTablesIsRefused() throws Exception {
      String url = "jdbc:h2:mem:empty-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1" + DbSettings.H2_FLAGS;
      try (var keepOpen = java.sql.DriverManager.getConnection(url, "sa", "")) {
        assertEquals(2, lars("route", "ls", "--db", url));
        assertTrue(err.contains("has no Lars tables"), err);
      }
    }

    @Test
    void aPasswordInTheUrlIsNeverPrinted() {
      assertEquals(2, lars("route", "ls", "--db", "jdbc:mysql://lars:s3cret-pw@127.0.0.1:1/lars?connectTimeout=300"));
      assertFalse(err.contains("s3cret-pw"), err);
      assertTrue(err.contains("jdbc:mysql://lars:***@127.0.0.1:1/lars"), err);
    }
  }

  @Nested
  class Mapping {

    private final AdminRouteClient client = new AdminRouteClient("http://127.0.0.1:1", Optional.empty(),
        Duration.ofSeconds(1));

    private int exitCode(int status, String body) {
      return assertThrows(RouteTool.Failure.class, () -> client.answer("POST /api/routes", status, body)).exitCode();
    }

    @Test
    void statusCodesBecomeExitCodes() {
      assertEquals(1, exitCode(409, "{\"error\":\"module (1,1) already has host 10.0.0.1:80\"}"));
      assertEquals(1, exitCode(404, "{\"error\":\"unknown route id 7\"}"));
      assertEquals(64, exitCode(400, "{\"error\":\"leading zero\",\"field\":\"ip\"}"));
      assertEquals(2, exitCode(401, "{\"error\":\"wrong admin token\"}"));
      assertEquals(2, exitCode(503, "{\"error\":\"database unavailable\"}"));
      assertEquals(2, exitCode(502, "<html>bad gateway</html>"));
      assertEquals(2, exitCode(200, "<html>not the api</html>"));
      assertEquals("{}", client.answer("GET /api/routes", 200, "{}").toString());
    }

    @Test
    void theMessageNamesTheAdminsErrorAndField() {
      RouteTool.Failure f = assertThrows(RouteTool.Failure.class,
          () -> client.answer("POST /api/routes", 400, "{\"error\":\"leading zero in 010.0.0.8\",\"field\":\"ip\"}"));
      assertEquals("the admin refused the request: leading zero in 010.0.0.8 (field 'ip')", f.getMessage());
    }

    @Test
    void theTokenComesFromTheOptionThenTheEnvironmentThenTheFile(@TempDir Path dir) throws IOException {
      Path file = dir.resolve("admin-token");
      assertEquals(Optional.empty(), AdminRouteClient.resolveToken(null, Map.of(), file));
      Files.writeString(file, "from-file\n");
      assertEquals(Optional.of("from-file"), AdminRouteClient.resolveToken(null, Map.of(), file));
      assertEquals(Optional.of("from-env"), AdminRouteClient.resolveToken(null, Map.of("LARS_ADMIN_TOKEN", "from-env"), file));
      assertEquals(Optional.of("opt"), AdminRouteClient.resolveToken("opt", Map.of("LARS_ADMIN_TOKEN", "from-env"), file));
      Files.writeString(file, " \n");
      assertEquals(64, assertThrows(RouteTool.Failure.class,
          () -> AdminRouteClient.resolveToken(null, Map.of(), file)).exitCode());
    }
  }

  private static List<String> withoutIds(String lines) {
    return lines.lines().map(l -> l.replaceAll(" id=\\d+$", "")).toList();
  }
}
