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
import io.lars.db.AuditRepository;
import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.Database;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.ModuleTrafficQuery;
import io.lars.db.NameRepository;
import io.lars.db.RouteChangeLog;
import io.lars.kernel.Metrics;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 * the node runs it) and one that trusts nobody, both on free ports, on a fresh H2 database. The
 * live LoadBalance view is a stub that answers for every module but {@link #UNAVAILABLE_LB} and
 * counts its calls.
 */
class AdminApiTest {

  private static final String TOKEN = "s3cret-token";
  private static final long NOW = 1_700_000_000L;
  private static final ModuleId KNOWN_LB = new ModuleId(5, 5);
  private static final ModuleId UNAVAILABLE_LB = new ModuleId(6, 6);
  private static final AtomicInteger lbAsks = new AtomicInteger();
  private static AdminApi trustingApi;

  private static ActorTestKit testKit;
  private static Database db;
  private static ServerBinding trusting;
  private static ServerBinding strict;
  private static final AtomicInteger reloads = new AtomicInteger();
  private static final FakeLeases LEASES = new FakeLeases();

  /**
   * The lease owners as the API sees them: registers any host but 10.9.9.9 (a "static row"),
   * knows the leases it issued, and lists them.
   */
  private static final class FakeLeases implements LeaseAccess {
    private final java.util.Map<String, io.lars.lease.Lease> leases = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public java.util.concurrent.CompletionStage<io.lars.lease.LeaseReply> register(io.lars.lease.LeaseRequest request) {
      if (request.host().equals(Host.of("10.9.9.9", 80))) {
        return CompletableFuture.completedFuture(io.lars.lease.LeaseReply.failed(io.lars.lease.LeaseReply.Status.CONFLICT,
            "host 10.9.9.9:80 is a static RouteData row"));
      }
      io.lars.lease.Lease lease = new io.lars.lease.Lease(request.module().entityId() + "." + next.incrementAndGet(),
          request.host(), request.ttlS(), request.weight(), request.metadata(), NOW * 1000, 0);
      leases.put(lease.id(), lease);
      return CompletableFuture.completedFuture(io.lars.lease.LeaseReply.ok(lease));
    }

    @Override
    public java.util.concurrent.CompletionStage<io.lars.lease.LeaseReply> heartbeat(String leaseId) {
      io.lars.lease.Lease lease = leases.get(leaseId);
      return CompletableFuture.completedFuture(lease == null
          ? io.lars.lease.LeaseReply.failed(io.lars.lease.LeaseReply.Status.UNKNOWN, "lease " + leaseId + " is unknown")
          : io.lars.lease.LeaseReply.ok(lease));
    }

    @Override
    public java.util.concurrent.CompletionStage<io.lars.lease.LeaseReply> deregister(String leaseId, int drainS) {
      io.lars.lease.Lease lease = leases.get(leaseId);
      if (lease == null) {
        return heartbeat(leaseId);
      }
      if (drainS > 0) {
        leases.put(leaseId, lease.drainingUntil(NOW * 1000 + drainS * 1000L));
      } else {
        leases.remove(leaseId);
      }
      return CompletableFuture.completedFuture(io.lars.lease.LeaseReply.ok(leases.getOrDefault(leaseId, lease)));
    }

    @Override
    public java.util.concurrent.CompletionStage<io.lars.lease.LeaseBook.Listing> list(Optional<ModuleId> module) {
      java.util.Map<ModuleId, List<io.lars.lease.Lease>> byModule = new java.util.TreeMap<>();
      leases.values().forEach(l -> byModule.computeIfAbsent(io.lars.lease.LeaseRequest.moduleOf(l.id()),
          m -> new java.util.ArrayList<>()).add(l));
      List<io.lars.lease.LeaseSet> sets = byModule.entrySet().stream()
          .filter(e -> module.isEmpty() || module.get().equals(e.getKey()))
          .map(e -> new io.lars.lease.LeaseSet(e.getKey(), 1, e.getValue(), 0, 0)).toList();
      return CompletableFuture.completedFuture(new io.lars.lease.LeaseBook.Listing(sets, false));
    }
  }
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
    AdminSettings settings = AdminSettings.of(0, TOKEN, Path.of("target"), 120);
    LoadBalanceView lb = module -> {
      lbAsks.incrementAndGet();
      return module.equals(UNAVAILABLE_LB)
          ? CompletableFuture.failedFuture(new LoadBalanceUnavailableException("no agent role in the cluster"))
          : CompletableFuture.completedFuture(new LoadBalance.Snapshot(module, true,
              List.of(new LoadBalance.HostSnapshot(Host.of("10.0.0.1", 80), false, 180, 0, 3, 1, 3, 0, 1000, 0)),
              List.of(new LoadBalance.HostSnapshot(Host.of("10.0.0.2", 81), true, 0, 5, 0, 0, 0, 0, 1000, 2000)),
              4, LoadBalance.PullStatus.NEW, 1234));
    };
    ClusterStateView cluster = modules -> CompletableFuture.completedFuture(new ApiJson.ClusterView(true,
        "akka://lars@127.0.0.1:1", "akka://lars@127.0.0.1:1", List.of(new ApiJson.MemberView("akka://lars@127.0.0.1:1",
            "Up", List.of("admin", "agent"), true, true, true, Map.of("3", 1),
            modules.stream().map(m -> m.modid() + "/" + m.cmdid()).toList())), null));
    Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    AdminApi api = new AdminApi(new AdminApi.Dependencies(new JdbcRouteRepository(db.dataSource(), clock, "admin"),
        new NameRepository(db.dataSource()), new RouteChangeLog(db.dataSource()), new AuditRepository(db.dataSource()),
        new CallStatusRepository(db.dataSource()), new CallHistoryRepository(db.dataSource()),
        new ModuleTrafficQuery(db.dataSource()), lb, cluster, LEASES, reloads::incrementAndGet,
        Database.jdbcExecutor(testKit.system()), AdminToken.resolve(Optional.of(TOKEN), Path.of("target")),
        trustedReader, Metrics.get(testKit.system()), settings, clock));
    if (trustingApi == null) {
      trustingApi = api;
    }
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
      for (String table : List.of("RouteData", "RouteChange", "RouteAudit", "ServerCallStatus", "ServerCallHistory",
          "ModIDConfig", "CmdIDConfig")) {
        s.executeUpdate("DELETE FROM " + table);
      }
    }
    reloads.set(0);
    lbAsks.set(0);
    LEASES.leases.clear();
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
      "PUT  | /api/modules/1 | {\"name\":\"\"}                                              | field 'name'",
      "PUT  | /api/modules/1 | {}                                                           | missing field 'name'",
      "PUT  | /api/commands/1 | {\"name\":42}                                               | field 'name'",
  })
  void invalidRequestsAre400NamingTheField(String method, String path, String body, String fragment) throws Exception {
    assertError(write(method, path, body), 400, fragment);
    assertEquals(0, reloads.get());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "PUT    | /api/routes/999999 | {\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80} | unknown route id 999999",
      "DELETE | /api/routes/999999 |                                                         | unknown route id 999999",
      "GET    | /api/routes/999999 |                                                         | unknown route id 999999",
      "DELETE | /api/modules/404   |                                                         | modid 404 has no name",
      "DELETE | /api/commands/404  |                                                         | cmdid 404 has no name",
  })
  void unknownIdsAre404(String method, String path, String body, String fragment) throws Exception {
    assertError(write(method, path, body), 404, fragment);
    assertEquals(0, reloads.get());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80,\"weight\":5} | weight",
      "{\"modid\":1,\"cmdid\":2,\"ip\":\"1.2.3.4\",\"port\":80,\"Port\":81}  | Port",
      "{\"modid\":1,\"cmdid\":2,\"host\":\"1.2.3.4\",\"port\":80}             | host",
  })
  void unknownFieldsAre400NamingTheField(String body, String field) throws Exception {
    Reply reply = write("POST", "/api/routes", body);
    assertError(reply, 400, "unknown field '" + field + "'");
    assertEquals(field, reply.json().get("field").asText());
    assertError(write("PUT", "/api/modules/1", "{\"name\":\"x\",\"" + field + "\":1}"), 400, "unknown field");
    assertEquals(0, read("/api/routes").json().size(), "nothing stored");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "010.0.0.8       | leading zero",
      "10.0.0.08       | leading zero",
      "0.0.0.0         | unspecified",
      "255.255.255.255 | broadcast",
      "256.1.1.1       | above 255",
      "1.2.3           | four parts",
      "1.2.3.4.5       | four parts",
      "0x7f.0.0.1      | digits",
      "'1.2.3.4 '      | digits",
      "+1.2.3.4        | digits",
  })
  void hostAddressesAreStrictDottedQuadsWithTheReason(String ip, String reason) throws Exception {
    Reply reply = write("POST", "/api/routes", route(1, 2, ip, 80));
    assertError(reply, 400, reason);
    assertEquals("ip", reply.json().get("field").asText());
    assertEquals(201, write("POST", "/api/routes", route(1, 2, "10.0.0.8", 80)).status());
    assertEquals("10.0.0.8", read("/api/routes").json().get(0).get("ip").asText());
  }

  // ---- leases (issue 16) ------------------------------------------------------------------------

  @Test
  void leasesCanBeRegisteredListedRenewedDrainedAndConflictWithStaticRowsIs409() throws Exception {
    Reply added = write("POST", "/api/leases", "{\"modid\":7,\"cmdid\":1,\"ip\":\"10.0.0.5\",\"port\":9000,"
        + "\"ttl_s\":10,\"metadata\":{\"zone\":\"a\"}}");
    assertEquals(201, added.status(), added.text());
    String id = added.json().get("leaseId").asText();
    assertTrue(id.startsWith("7-1."), id);
    assertEquals(10, added.json().get("ttlS").asInt());

    Reply listed = read("/api/leases?modid=7&cmdid=1");
    assertEquals(200, listed.status(), listed.text());
    JsonNode lease = listed.json().get("leases").get(0);
    assertEquals("10.0.0.5", lease.get("ip").asText());
    assertEquals("registered", lease.get("state").asText());
    assertEquals(100, lease.get("weight").asInt());
    assertEquals("a", lease.get("metadata").get("zone").asText());
    assertEquals(false, listed.json().get("expirySuspended").asBoolean());

    assertEquals(200, write("POST", "/api/leases/" + id + "/heartbeat", null).status());
    Reply drained = write("DELETE", "/api/leases/" + id + "?drain_s=5", null);
    assertEquals(200, drained.status(), drained.text());
    assertTrue(drained.json().get("draining").asBoolean(), drained.text());
    assertEquals("draining", read("/api/leases").json().get("leases").get(0).get("state").asText());

    assertError(write("POST", "/api/leases", "{\"modid\":7,\"cmdid\":1,\"ip\":\"10.9.9.9\",\"port\":80,"
        + "\"ttl_s\":10}"), 409, "static RouteData row");
    assertError(write("POST", "/api/leases", "{\"modid\":7,\"cmdid\":1,\"ip\":\"10.0.0.5\",\"port\":80,"
        + "\"ttl_s\":0}"), 400, "ttl_s must be 1..3600");
    assertError(write("POST", "/api/leases/7-1.nope/heartbeat", null), 404, "unknown");
    assertError(write("POST", "/api/leases", "{\"modid\":7,\"cmdid\":1,\"ip\":\"10.0.0.5\",\"port\":80}"),
        400, "ttl_s");
    assertEquals(401, call(trusting, "POST", "/api/leases", "{}", null).status());
    write("DELETE", "/api/leases/" + id, null);
  }

  @Test
  void aDuplicateHostIs409() throws Exception {
    assertEquals(201, write("POST", "/api/routes", route(1, 1, "1.2.3.4", 80)).status());
    assertError(write("POST", "/api/routes", route(1, 1, "1.2.3.4", 80)), 409, "already has host 1.2.3.4:80");
    long other = write("POST", "/api/routes", route(1, 1, "1.2.3.4", 81)).json().get("id").asLong();
    assertError(write("PUT", "/api/routes/" + other, route(1, 1, "1.2.3.4", 80)), 409, "already has host");
    assertEquals(2, read("/api/routes").json().size());
  }

  @Test
  void aHostBeyondWhatOneRouteFrameCarriesIs409() throws Exception {
    try (java.sql.Connection c = db.dataSource().getConnection();
        java.sql.PreparedStatement insert = c.prepareStatement(
            "INSERT INTO RouteData (modid, cmdid, serverip, serverport) VALUES (7, 7, ?, 80)")) {
      for (int i = 0; i < io.lars.db.RouteLimits.MAX_HOSTS_PER_MODULE; i++) {
        insert.setLong(1, 0x0A000000L + i + 1);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    Reply reply = write("POST", "/api/routes", route(7, 7, "192.168.0.1", 80));
    assertError(reply, 409, String.valueOf(io.lars.db.RouteLimits.MAX_HOSTS_PER_MODULE));
    assertEquals("modid", reply.json().get("field").asText());
    assertEquals(201, write("POST", "/api/routes", route(7, 8, "192.168.0.1", 80)).status(), "other modules unaffected");
  }

  @Test
  void deeplyNestedJsonIsRefusedWithoutEchoAndTheServerKeepsServing() throws Exception {
    for (String body : List.of("[".repeat(10_000), "{\"a\":".repeat(5_000), "[".repeat(17) + "]".repeat(17))) {
      Reply reply = write("POST", "/api/routes", body);
      assertError(reply, 400, "body");
      assertTrue(reply.text().length() < 600, "the error does not echo the input: " + reply.text().length());
    }
    assertEquals(201, write("POST", "/api/routes", route(1, 1, "1.2.3.4", 80)).status());
  }

  @Test
  void errorMessagesNeverEchoUnboundedInput() throws Exception {
    String huge = "9".repeat(20_000);
    for (String body : List.of("{\"modid\":" + huge + "}", "{\"" + "w".repeat(20_000) + "\":1}",
        "{\"modid\":1,\"cmdid\":1,\"ip\":\"" + "1".repeat(20_000) + "\",\"port\":1}", "x".repeat(20_000))) {
      Reply reply = write("POST", "/api/routes", body);
      assertEquals(400, reply.status(), reply.text());
      assertTrue(reply.text().length() < 600, reply.text());
    }
    Reply param = read("/api/routes?modid=" + "x".repeat(1_500) + "&cmdid=1");
    assertError(param, 400, "parameter 'modid'");
    assertTrue(param.text().length() < 600, param.text());
  }

  @Test
  void oversizeBodiesAre413() throws Exception {
    String big = "{\"name\":\"" + "n".repeat(70 * 1024) + "\"}";
    assertError(write("PUT", "/api/modules/1", big), 413, "above the limit");
    // Without a declared length (chunked): refused while reading. Raw socket: the whole request is
    // written before the answer is read, so the server's close cannot cut the client's send.
    String name = "{\"name\":\"" + "n".repeat(64 * 1024) + "\"}";
    try (Socket socket = new Socket("127.0.0.1", trusting.localAddress().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /api/modules/1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(name.length()) + "\r\n" + name + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertEquals("HTTP/1.1 413 Payload Too Large", status);
    }
    assertEquals(0, read("/api/modules").json().size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"'a\\nb'", "'tab\\there'", "'nul\\u0000'", "'del\\u007f'", "'c1\\u0085'"})
  void controlCharactersInNamesAreRefused(String jsonEscaped) throws Exception {
    Reply reply = write("PUT", "/api/modules/1", "{\"name\":\"" + jsonEscaped + "\"}");
    assertError(reply, 400, "control characters");
    assertEquals("name", reply.json().get("field").asText());
    assertError(write("PUT", "/api/commands/1", "{\"name\":\"" + jsonEscaped + "\"}"), 400, "control characters");
    assertEquals(200, write("PUT", "/api/modules/1", "{\"name\":\"订单 service-1\"}").status());
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
    write("POST", "/api/routes", route(5, 5, "10.0.0.1", 80));
    write("POST", "/api/routes", route(6, 6, "10.0.0.1", 80));
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

  @Test
  void aModuleNobodyKnowsIs404WithoutAskingTheView() throws Exception {
    assertError(read("/api/lb/42/42"), 404, "module 42/42 is unknown");
    assertEquals(0, lbAsks.get(), "no entity is asked (and so started) for a read of an unknown module");
    new CallStatusRepository(db.dataSource()).upsert(List.of(
        new CallStatusRow(new ModuleId(42, 42), Host.of("10.0.0.9", 9), Ipv4.parse("127.0.0.1"), 1, 0, NOW, false)));
    assertEquals(200, read("/api/lb/42/42").status(), "an agent reported it");
    assertEquals(1, lbAsks.get());
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
    write("POST", "/api/routes", route(5, 5, "10.0.0.1", 80));
    for (String path : List.of("/api/audit", "/api/overview", "/api/cluster", "/api/routes/1","/api/routes", "/api/modules", "/api/commands", "/api/version", "/api/changes",
        "/api/status", "/api/status/history?modid=1&cmdid=1", "/api/lb/5/5", "/metrics")) {
      assertError(call(strict, "GET", path, null, null), 401, "Authorization");
      assertError(call(strict, "GET", path, null, "nope"), 401, "wrong admin token");
      int status = call(trusting, "GET", path, null, null).status();
      assertEquals(status, call(strict, "GET", path, null, TOKEN).status(), path);
      assertTrue(status == 200 || path.equals("/api/routes/1"), path + " " + status);
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

  // ---- DNS rebinding, framing, methods -------------------------------------------------------------

  /** A raw HTTP/1.1 GET with a chosen Host header (java.net.http does not let a caller set Host). */
  private static String rawGet(ServerBinding server, String path, String host) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
  }

  @Test
  void tokenLessReadsNeedALoopbackOrConfiguredHostName() throws Exception {
    int port = trusting.localAddress().getPort();
    for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "127.1.2.3", "[::1]:" + port, "LOCALHOST")) {
      assertEquals("HTTP/1.1 200 OK", rawGet(trusting, "/api/routes", host), host);
    }
    for (String host : List.of("evil.example:" + port, "localhost.evil.example", "127.0.0.1.nip.io", "10.0.0.1")) {
      assertTrue(rawGet(trusting, "/api/routes", host).startsWith("HTTP/1.1 401"), host);
      assertTrue(rawGet(trusting, "/metrics", host).startsWith("HTTP/1.1 401"), host);
    }
    assertTrue(rawGet(trusting, "/", "evil.example").startsWith("HTTP/1.1 200"), "the page itself holds no data");
  }

  @Test
  void everyAnswerForbidsFramingAndForeignContent() throws Exception {
    for (String path : List.of("/", "/app.js", "/api/routes", "/api/nothing")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + trusting.localAddress().getPort() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""), path);
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      for (String directive : List.of("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")) {
        assertTrue(csp.contains(directive), path + ": " + csp);
      }
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
    }
  }

  @Test
  void aMethodAPathDoesNotTakeIs405WithAllow() throws Exception {
    Reply reply = write("PATCH", "/api/routes", "{}");
    assertError(reply, 405, "method not allowed");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + trusting.localAddress().getPort() + "/api/version"))
        .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, r.statusCode());
    assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
  }

  // ---- audit, overview, cluster --------------------------------------------------------------------

  @Test
  void everyRouteWriteIsInTheAuditLogWithTheTokenName() throws Exception {
    long id = write("POST", "/api/routes", route(3, 1, "10.0.0.1", 80)).json().get("id").asLong();
    write("PUT", "/api/routes/" + id, route(3, 2, "10.0.0.2", 81));
    write("DELETE", "/api/routes/" + id, null);
    write("POST", "/api/routes", route(4, 1, "10.0.0.4", 80));
    JsonNode audit = read("/api/audit").json();
    assertEquals(4, audit.size());
    JsonNode update = audit.get(2);
    assertEquals("update", update.get("action").asText());
    assertEquals("admin", update.get("actor").asText());
    assertEquals(NOW * 1000, update.get("ts").asLong());
    assertEquals("2023-11-14T22:13:20Z", update.get("time").asText());
    assertEquals("10.0.0.2", update.get("ip").asText());
    assertEquals("10.0.0.1", update.get("before").get("ip").asText());
    assertEquals(2, read("/api/audit?modid=3&cmdid=1").json().size(), "the add and the update away from 3/1");
    assertEquals(2, read("/api/audit?modid=3&cmdid=2").json().size(), "the update to 3/2 and the delete");
    assertEquals(1, read("/api/audit?limit=1").json().size());
    assertError(read("/api/audit?limit=0"), 400, "parameter 'limit'");
    write("DELETE", "/api/routes/999", null);
    assertEquals(4, read("/api/audit").json().size(), "a failed write leaves no entry");
  }

  @Test
  void theOverviewCountsHostsLiveStatesAndTheLastMinutesCalls() throws Exception {
    write("PUT", "/api/modules/5", "{\"name\":\"pay\"}");
    write("POST", "/api/routes", route(5, 5, "10.0.0.1", 80));
    write("POST", "/api/routes", route(5, 5, "10.0.0.2", 81));
    write("POST", "/api/routes", route(6, 6, "10.0.0.3", 80));
    int caller = Ipv4.parse("127.0.0.1");
    ModuleId m = new ModuleId(5, 5);
    new CallHistoryRepository(db.dataSource()).append(List.of(
        new CallStatusRow(m, Host.of("10.0.0.1", 80), caller, 100, 20, NOW - 30, false),
        new CallStatusRow(m, Host.of("10.0.0.2", 81), caller, 50, 10, NOW - 10, false),
        new CallStatusRow(m, Host.of("10.0.0.2", 81), caller, 999, 999, NOW - 61, false)));
    new CallStatusRepository(db.dataSource()).upsert(List.of(
        new CallStatusRow(new ModuleId(7, 7), Host.of("10.0.0.7", 7), caller, 6, 0, NOW - 5, false)));
    JsonNode overview = read("/api/overview").json();
    assertEquals(60, overview.get("windowSeconds").asInt());
    JsonNode modules = overview.get("modules");
    assertEquals(3, modules.size(), "two routed modules and one only reported: " + modules);
    JsonNode five = modules.get(0);
    assertEquals("pay", five.get("moduleName").asText());
    assertEquals(2, five.get("hosts").asInt());
    assertEquals("live", five.get("live").asText());
    assertEquals(1, five.get("idle").asInt());
    assertEquals(1, five.get("overloaded").asInt());
    assertEquals(180, five.get("calls").asLong());
    assertEquals(3.0, five.get("callsPerSecond").asDouble(), 1e-9);
    assertEquals(30 / 180.0, five.get("errorRate").asDouble(), 1e-9);
    assertEquals("unavailable", modules.get(1).get("live").asText());
    assertTrue(modules.get(1).get("idle").isNull());
    assertEquals(0, modules.get(2).get("hosts").asInt());
    assertTrue(overview.get("version").get("time").asText().endsWith("Z"));
  }

  @Test
  void theOverviewListsModulesThatOnlyHaveRegisteredHosts() throws Exception {
    write("POST", "/api/routes", route(5, 5, "10.0.0.1", 80));
    assertEquals(201, write("POST", "/api/leases", "{\"modid\":5,\"cmdid\":5,\"ip\":\"10.0.0.2\",\"port\":80,\"ttl_s\":5}")
        .status());
    for (String ip : List.of("10.0.0.3", "10.0.0.4", "10.0.0.5")) {
      assertEquals(201, write("POST", "/api/leases", "{\"modid\":9,\"cmdid\":2,\"ip\":\"" + ip + "\",\"port\":80,\"ttl_s\":5}")
          .status());
    }
    String draining = read("/api/leases?modid=9&cmdid=2").json().get("leases").get(2).get("id").asText();
    assertEquals(200, write("DELETE", "/api/leases/" + draining + "?drain_s=30", null).status());

    JsonNode modules = read("/api/overview").json().get("modules");
    assertEquals(2, modules.size(), modules.toString());
    assertEquals(1, modules.get(0).get("hosts").asInt(), "5/5: one static row");
    assertEquals(1, modules.get(0).get("registered").asInt(), "5/5: and one registered host");
    JsonNode leaseOnly = modules.get(1);
    assertEquals(9, leaseOnly.get("modid").asInt(), "a module with leases only is listed: " + modules);
    assertEquals(0, leaseOnly.get("hosts").asInt());
    assertEquals(2, leaseOnly.get("registered").asInt(), "the draining host is not in the route");
    assertEquals(200, read("/api/lb/9/2").status(), "its live state can be read");
  }

  @Test
  void theClusterViewPlacesTheRoutedModules() throws Exception {
    write("POST", "/api/routes", route(8, 1, "10.0.0.1", 80));
    JsonNode cluster = read("/api/cluster").json();
    assertTrue(cluster.get("clustered").asBoolean());
    assertEquals("8/1", cluster.get("members").get(0).get("modules").get(0).asText());
    assertEquals("Up", cluster.get("members").get(0).get("status").asText());
  }

  // ---- the OpenAPI document against the real routes --------------------------------------------------

  @Test
  void theOpenApiDocumentDescribesExactlyTheServedOperations() throws Exception {
    Reply doc = read("/api/openapi.json");
    assertEquals(200, doc.status());
    assertEquals("3.0.3", doc.json().get("openapi").asText());
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.json().get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey()));
    }
    assertEquals(new TreeSet<>(trustingApi.operations()), documented, "every route is documented and nothing else");
    assertEquals(trustingApi.operations().size(), new TreeSet<>(trustingApi.operations()).size(), "no duplicates");

    // Every documented operation answers with a documented 2xx, in an order that makes each succeed.
    write("PUT", "/api/commands/5", "{\"name\":\"c\"}");
    long id = write("POST", "/api/routes", route(5, 5, "10.0.0.1", 80)).json().get("id").asLong();
    String leaseId = LEASES.register(new io.lars.lease.LeaseRequest(new ModuleId(5, 5), Host.of("10.0.0.9", 99), 10, 100,
        Map.of())).toCompletableFuture().join().leaseId();
    List<String> ordered = new ArrayList<>(documented);
    ordered.sort((a, b) -> Integer.compare(order(a), order(b)));
    for (String operation : ordered) {
      String method = operation.substring(0, operation.indexOf(' '));
      String template = operation.substring(operation.indexOf(' ') + 1);
      JsonNode spec = doc.json().get("paths").get(template).get(method.toLowerCase());
      StringBuilder query = new StringBuilder();
      if (spec.has("parameters")) {
        for (JsonNode p : spec.get("parameters")) {
          if (p.get("in").asText().equals("query") && p.get("required").asBoolean()) {
            query.append(query.length() == 0 ? "?" : "&").append(p.get("name").asText()).append("=5");
          }
        }
      }
      String path = template.replace("{id}", template.startsWith("/api/leases/") ? leaseId : String.valueOf(id)).replace("{modid}", "5").replace("{cmdid}", "5") + query;
      String body = !spec.has("requestBody") ? null
          : spec.get("requestBody").toString().contains("RouteInput") ? route(5, 5, "10.0.0.9", 90 + order(operation))
          : spec.get("requestBody").toString().contains("LeaseInput")
              ? "{\"modid\":5,\"cmdid\":5,\"ip\":\"10.0.0.8\",\"port\":90,\"ttl_s\":5}"
          : "{\"name\":\"n\"}";
      Reply reply = call(trusting, method, path, body, TOKEN);
      assertTrue(spec.get("responses").has(String.valueOf(reply.status())), operation + " answered an undocumented "
          + reply.status() + ": " + reply.text());
      assertTrue(reply.status() / 100 == 2, operation + " -> " + reply.status() + " " + reply.text());
    }
  }

  /** GETs first, then POST, PUT and DELETE, so the writes find what they need. */
  private static int order(String operation) {
    return List.of("GET", "POST", "PUT", "DELETE").indexOf(operation.substring(0, operation.indexOf(' ')));
  }
}
