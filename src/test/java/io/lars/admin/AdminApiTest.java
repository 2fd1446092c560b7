package io.lars.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.lars.agent.LoadBalance;
import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.Database;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.NameRepository;
import io.lars.db.RouteChangeLog;
import io.lars.node.Metrics;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestDatabases;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every endpoint of {@link AdminApi} over real HTTP: one server that trusts loopback readers (as
 * the node runs it) and one that trusts nobody, both on free ports, on a fresh H2 database.
 */
class AdminApiTest {

  private static final String TOKEN = "s3cret-token";
  private static final long NOW = 1_700_000_000L;
  private static final ModuleId KNOWN_LB = new ModuleId(5, 5);

  private static ActorTestKit testKit;
  private static Database db;
  private static ServerBinding trusting;
  private static ServerBinding strict;
  private static final AtomicInteger reloads = new AtomicInteger();
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("AdminApiTest",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
    db = TestDatabases.fresh(TestDatabases.h2());
    trusting = bind(InetAddress::isLoopbackAddress);
    strict = bind(address -> false);
  }

  private static ServerBinding bind(Predicate<InetAddress> trustedReader) throws Exception {
    AdminSettings settings = new AdminSettings("127.0.0.1", 0, Optional.of(TOKEN), Path.of("target"),
        Duration.ofSeconds(1), 100, 120);
    LoadBalanceView lb = module -> module.equals(KNOWN_LB)
        ? CompletableFuture.completedFuture(new LoadBalance.Snapshot(module, true,
            List.of(new LoadBalance.HostSnapshot(Host.of("10.0.0.1", 80), false, 180, 0, 3, 1, 3, 0, 1000, 0)),
            List.of(new LoadBalance.HostSnapshot(Host.of("10.0.0.2", 81), true, 0, 5, 0, 0, 0, 0, 1000, 2000)),
            4, LoadBalance.PullStatus.NEW, 1234))
        : CompletableFuture.failedFuture(new LoadBalanceUnavailableException("no agent role in the cluster"));
    AdminApi api = new AdminApi(new AdminApi.Dependencies(new JdbcRouteRepository(db.dataSource()),
        new NameRepository(db.dataSource()), new RouteChangeLog(db.dataSource()),
        new CallStatusRepository(db.dataSource()), new CallHistoryRepository(db.dataSource()), lb,
        reloads::incrementAndGet, Database.jdbcExecutor(testKit.system()), AdminToken.resolve(Optional.of(TOKEN), Path.of("target")),
        trustedReader, Metrics.get(testKit.system()), settings, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC)));
    return Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(api.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    trusting.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    strict.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
    db.close();
  }

  @BeforeEach
  void emptyTables() throws Exception {
    try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
      for (String table : List.of("RouteData", "RouteChange", "ServerCallStatus", "ServerCallHistory", "ModIDConfig",
          "CmdIDConfig")) {
        s.executeUpdate("DELETE FROM " + table);
      }
    }
    reloads.set(0);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private record Reply(int status, JsonNode json, String text) {}

  private static Reply call(ServerBinding server, String method, String path, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
      json = ApiJson.mapper().readTree(r.body());
    }
    return new Reply(r.statusCode(), json, r.body());
  }

  private static Reply read(String path) throws Exception {
    return call(trusting, "GET", path, null, null);
  }

  private static Reply write(String method, String path, String body) throws Exception {
    return call(trusting, method, path, body, TOKEN);
  }

  private static String route(int modid, int cmdid, String ip, int port) {
    return "{\"modid\":" + modid + ",\"cmdid\":" + cmdid + ",\"ip\":\"" + ip + "\",\"port\":" + port + "}";
  }

  private static void assertError(Reply reply, int status, String fragment) {
    assertEquals(status, reply.status(), reply.text());
    assertTrue(reply.json().get("error").asText().contains(fragment), reply.text());
  }

  // ---- routes --------------------------------------------------------------------------------------

  @Test
  void routesCanBeAddedListedEditedAndDeleted() throws Exception {
    assertEquals(200, write("PUT", "/api/modules/1", "{\"name\":\"订单\"}").status());
    assertEquals(200, write("PUT", "/api/commands/2", "{\"name\":\"get\"}").status());

    Reply added = write("POST", "/api/routes", route(1, 2, "192.168.1.177", 7777));
    assertEquals(201, added.status(), added.text());
    long id = added.json().get("id").asLong();
    assertEquals("192.168.1.177", added.json().get("ip").asText());
    assertEquals(3232235953L, added.json().get("serverip").asLong());
    assertEquals("订单", added.json().get("moduleName").asText());
    assertEquals(1, reloads.get());
    write("POST", "/api/routes", route(3, 4, "10.0.0.1", 80));

    Reply all = read("/api/routes");
    assertEquals(200, all.status());
    assertEquals(2, all.json().size());
    Reply one = read("/api/routes?modid=1&cmdid=2");
    assertEquals(1, one.json().size());
    assertEquals(7777, one.json().get(0).get("port").asInt());
    assertEquals("get", one.json().get(0).get("commandName").asText());
    assertTrue(one.json().get(0).get("moduleName") != null);

    Reply edited = write("PUT", "/api/routes/" + id, route(1, 2, "192.168.1.178", 8888));
    assertEquals(200, edited.status(), edited.text());
    assertEquals("192.168.1.178", read("/api/routes?modid=1&cmdid=2").json().get(0).get("ip").asText());

    Reply deleted = write("DELETE", "/api/routes/" + id, null);
    assertEquals(200, deleted.status(), deleted.text());
    assertEquals(0, read("/api/routes?modid=1&cmdid=2").json().size());
    assertEquals(4, reloads.get());
  }

  @Test
  void versionAndChangesFollowWrites() throws Exception {
    long before = read("/api/version").json().get("version").asLong();
    write("POST", "/api/routes", route(7, 1, "10.1.1.1", 1000));
    write("POST", "/api/routes", route(7, 2, "10.1.1.1", 1000));
    long after = read("/api/version").json().get("version").asLong();
    assertTrue(after > before, before + " -> " + after);

    JsonNode changes = read("/api/changes").json();
    assertEquals(2, changes.size());
    assertEquals(2, changes.get(0).get("cmdid").asInt(), "newest first");
    assertEquals(after, changes.get(0).get("version").asLong());
  }

  @ParameterizedTest(name = "{0} {1}: {3}")
  @CsvSource(delimiter = '|', value = {
      "POST | /api/routes    | {\"modid\":1,\"cmdid\":2,\"ip\":\"300.1.1.1\",\"port\":80}   | field 'ip'",
      "POST | /api/routes    | {\"modid\":1,\"cmdid\":2,\"ip\":\"0.0.0.0\",\"port\":80}     | field 'ip'",
      "POST | /api/routes    | {\"modid\":1,\"cmdid\":2,\"ip\":17,\"port\":80}              | field 'ip'",
      "POST | /api/routes    | {\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":0}      | field 'port'",
      "POST | /api/routes    | {\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":65536}  | field 'port'",
      "POST | /api/routes    | {\"modid\":1,\"ip\":\"1.2.3.4\",\"port\":80}                 | missing field 'cmdid'",
      "POST | /api/routes    | {\"modid\":\"x\",\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80} | field 'modid'",
      "POST | /api/routes    | {\"modid\":1.5,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80}   | field 'modid'",
      "POST | /api/routes    | not json                                                     | not valid JSON",
      "POST | /api/routes    | [1,2]                                                        | JSON object",
      "PUT  | /api/routes/999999 | {\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80} | unknown route id 999999",
      "DELETE | /api/routes/999999 |                                                         | unknown route id 999999",
      "PUT  | /api/modules/1 | {\"name\":\"\"}                                              | field 'name'",
      "PUT  | /api/modules/1 | {}                                                           | missing field 'name'",
      "PUT  | /api/commands/1 | {\"name\":42}                                               | field 'name'",
      "DELETE | /api/modules/404 |                                                           | modid 404 has no name",
      "DELETE | /api/commands/404 |                                                          | cmdid 404 has no name",
  })
  void invalidRequestsAre400NamingTheField(String method, String path, String body, String fragment) throws Exception {
    assertError(write(method, path, body), 400, fragment);
    assertEquals(0, reloads.get());
  }

  @Test
  void aDuplicateHostIs400() throws Exception {
    assertEquals(201, write("POST", "/api/routes", route(1, 1, "1.2.3.4", 80)).status());
    assertError(write("POST", "/api/routes", route(1, 1, "1.2.3.4", 80)), 400, "already has host 1.2.3.4:80");
    long other = write("POST", "/api/routes", route(1, 1, "1.2.3.4", 81)).json().get("id").asLong();
    assertError(write("PUT", "/api/routes/" + other, route(1, 1, "1.2.3.4", 80)), 400, "already has host");
    assertEquals(2, read("/api/routes").json().size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "/api/routes?modid=1, parameters 'modid' and 'cmdid' go together",
      "/api/routes?modid=a&cmdid=1, parameter 'modid' must be an integer",
      "/api/status?cmdid=1, parameters 'modid' and 'cmdid' go together",
      "/api/status/history, parameters 'modid' and 'cmdid' are required",
      "/api/status/history?modid=1&cmdid=1&minutes=0, parameter 'minutes' must be 1..120",
      "/api/status/history?modid=1&cmdid=1&minutes=121, parameter 'minutes' must be 1..120",
      "/api/status/history?modid=1&cmdid=1&minutes=x, parameter 'minutes' must be an integer",
  })
  void badQueryParametersAre400(String path, String fragment) throws Exception {
    assertError(read(path), 400, fragment);
  }

  // ---- names ---------------------------------------------------------------------------------------

  @Test
  void moduleAndCommandNamesCanBeSetListedAndDeleted() throws Exception {
    write("PUT", "/api/modules/2", "{\"name\":\"pay\"}");
    write("PUT", "/api/modules/1", "{\"name\":\"user\"}");
    write("PUT", "/api/modules/1", "{\"name\":\"users\"}");
    write("PUT", "/api/commands/9", "{\"name\":\"login\"}");
    JsonNode modules = read("/api/modules").json();
    assertEquals(2, modules.size());
    assertEquals(1, modules.get(0).get("modid").asInt());
    assertEquals("users", modules.get(0).get("name").asText());
    assertEquals("login", read("/api/commands").json().get(0).get("name").asText());

    assertEquals(200, write("DELETE", "/api/modules/1", null).status());
    assertEquals(1, read("/api/modules").json().size());
    assertEquals(200, write("DELETE", "/api/commands/9", null).status());
    assertEquals(0, read("/api/commands").json().size());
    assertEquals(0, reloads.get(), "names do not touch routes");
  }

  // ---- statistics ----------------------------------------------------------------------------------

  @Test
  void statusAndHistoryShowReadableAddresses() throws Exception {
    ModuleId m = new ModuleId(1, 1);
    int caller = Ipv4.parse("127.0.0.1");
    CallStatusRow a = new CallStatusRow(m, Host.of("10.0.0.1", 80), caller, 90, 10, NOW - 120, false);
    CallStatusRow b = new CallStatusRow(m, Host.of("10.0.0.2", 80), caller, 5, 50, NOW - 120, true);
    CallStatusRow c = new CallStatusRow(m, Host.of("10.0.0.1", 80), caller, 100, 0, NOW - 60, false);
    CallStatusRow old = new CallStatusRow(m, Host.of("10.0.0.1", 80), caller, 1, 1, NOW - 7200, false);
    new CallStatusRepository(db.dataSource()).upsert(List.of(a, b, c,
        new CallStatusRow(new ModuleId(2, 2), Host.of("10.0.0.9", 9), caller, 1, 0, NOW, false)));
    new CallHistoryRepository(db.dataSource()).append(List.of(old, a, b, c));

    JsonNode status = read("/api/status?modid=1&cmdid=1").json();
    assertEquals(2, status.size());
    assertEquals("10.0.0.2", status.get(1).get("ip").asText());
    assertEquals("127.0.0.1", status.get(1).get("caller").asText());
    assertTrue(status.get(1).get("overload").asBoolean());
    assertEquals(3, read("/api/status").json().size());

    JsonNode history = read("/api/status/history?modid=1&cmdid=1&minutes=5").json();
    assertEquals(NOW - 300, history.get("since").asLong());
    JsonNode points = history.get("points");
    assertEquals(2, points.size());
    assertEquals(NOW - 120, points.get(0).get("ts").asLong());
    assertEquals(95, points.get(0).get("succ").asLong());
    assertEquals(60, points.get(0).get("err").asLong());
    assertEquals(1, points.get(0).get("overloaded").asInt());
    assertEquals(3, history.get("rows").size());
    assertEquals(4, read("/api/status/history?modid=1&cmdid=1&minutes=120").json().get("rows").size());
    assertEquals(3, read("/api/status/history?modid=1&cmdid=1").json().get("rows").size(), "default 60 minutes");
  }

  // ---- live load balance ---------------------------------------------------------------------------

  @Test
  void liveLoadBalanceStateOr503() throws Exception {
    Reply lb = read("/api/lb/5/5");
    assertEquals(200, lb.status(), lb.text());
    assertEquals("10.0.0.1", lb.json().get("idle").get(0).get("ip").asText());
    assertEquals(180, lb.json().get("idle").get(0).get("vsucc").asLong());
    assertEquals("10.0.0.2", lb.json().get("overload").get(0).get("ip").asText());
    assertEquals("NEW", lb.json().get("pullStatus").asText());
    assertEquals(4, lb.json().get("access").asInt());
    assertError(read("/api/lb/6/6"), 503, "no agent");
    assertEquals(404, read("/api/lb/x/6").status());
  }

  // ---- auth ----------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "POST   | /api/routes    | {\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80}",
      "PUT    | /api/routes/1  | {\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80}",
      "DELETE | /api/routes/1  | ",
      "PUT    | /api/modules/1 | {\"name\":\"x\"}",
      "DELETE | /api/modules/1 | ",
      "PUT    | /api/commands/1 | {\"name\":\"x\"}",
      "DELETE | /api/commands/1 | ",
  })
  void writesNeedTheTokenEvenFromLoopback(String method, String path, String body) throws Exception {
    assertError(call(trusting, method, path, body, null), 401, "Authorization: Bearer");
    assertError(call(trusting, method, path, body, "wrong"), 401, "wrong admin token");
    assertEquals(0, read("/api/routes").json().size());
    assertEquals(0, read("/api/modules").json().size());
    assertEquals(0, reloads.get());
  }

  @Test
  void nonLoopbackReadsNeedTheToken() throws Exception {
    for (String path : List.of("/api/routes", "/api/modules", "/api/commands", "/api/version", "/api/changes",
        "/api/status", "/api/status/history?modid=1&cmdid=1", "/api/lb/5/5", "/metrics")) {
      assertError(call(strict, "GET", path, null, null), 401, "Authorization");
      assertError(call(strict, "GET", path, null, "nope"), 401, "wrong admin token");
      assertEquals(200, call(strict, "GET", path, null, TOKEN).status(), path);
      assertEquals(200, call(trusting, "GET", path, null, null).status(), path);
    }
  }

  @Test
  void basicSchemeIsNotABearerToken() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + trusting.localAddress().getPort() + "/api/routes"))
        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("x:" + TOKEN).getBytes()))
        .POST(HttpRequest.BodyPublishers.ofString(route(1, 1, "1.1.1.1", 1))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
  }

  // ---- page and metrics ----------------------------------------------------------------------------

  @Test
  void thePageAndItsAssetsAreServed() throws Exception {
    Reply page = call(strict, "GET", "/", null, null);
    assertEquals(200, page.status());
    assertTrue(page.text().contains("<title>Lars admin</title>"), page.text());
    assertEquals(200, call(strict, "GET", "/app.js", null, null).status());
    assertEquals(200, call(strict, "GET", "/app.css", null, null).status());
    assertEquals(404, call(strict, "GET", "/nothing.js", null, null).status());
    assertError(read("/api/nothing"), 404, "no such API");
  }

  @Test
  void metricsAreLarsPrefixedPrometheusText() throws Exception {
    Reply metrics = read("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.text().contains("# TYPE jvm_memory_used_bytes gauge"), metrics.text());
    assertFalse(metrics.text().isBlank());
  }
}
