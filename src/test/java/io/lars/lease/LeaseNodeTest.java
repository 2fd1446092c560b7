package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.lars.admin.ApiJson;
import io.lars.agent.AgentStats;
import io.lars.cli.LarsMain;
import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import io.lars.client.LeaseException;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.pb.LeaseStatus;
import io.lars.testkit.Await;
import io.lars.testkit.TestNodeConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Self-registration end to end on one node with every role (issue 16): a lease registered through
 * the agent's UDP port reaches the agent's route through the dns push, a static row cannot be
 * registered, heartbeats keep a lease, a lease without heartbeats leaves the route after its TTL,
 * a drained host leaves the route at once, and old-style unknown ids are dropped and counted.
 * Conditions are awaited with generous limits (a busy machine only slows them).
 */
class LeaseNodeTest {

  private static final String TOKEN = "lease-token";
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static TestNodeConfig conf;
  private static LarsNode node;
  private static LarsClient client;

  @BeforeAll
  static void start() throws Exception {
    conf = TestNodeConfig.create(ConfigFactory.parseString("lars.admin.token = " + TOKEN
        + "\nlars.dns.leases.check-interval = 50ms\nlars.dns.leases.publish-interval = 300ms"
        + "\nlars.dns.leases.min-leases-for-protection = 5"));
    node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    client = LarsClient.create(new ClientSettings("127.0.0.1", conf.ports().agent(), Duration.ofSeconds(2)));
    assertEquals(201, send("POST", "/api/routes", "{\"modid\":11,\"cmdid\":1,\"ip\":\"10.0.0.1\",\"port\":80}").statusCode());
    awaitTrue("static route served", () -> route(11, 1).contains(Host.of("10.0.0.1", 80)));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRegisteredHostJoinsTheRouteStaysWhileHeartbeatingAndDrainsOutAtOnce() throws Exception {
    Host backend = Host.of("10.0.0.2", 90);
    Registration registration = client.register(11, 1, backend, LeaseOptions.ttl(Duration.ofSeconds(1))
        .withDrain(Duration.ofSeconds(3))).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertTrue(registration.leaseId().startsWith("11-1."), registration.leaseId());
    awaitTrue("registered host in the route", () -> route(11, 1).containsAll(List.of(Host.of("10.0.0.1", 80), backend)));

    JsonNode listed = ApiJson.mapper().readTree(send("GET", "/api/leases?modid=11&cmdid=1", null).body());
    assertEquals("registered", listed.get("leases").get(0).get("state").asText(), listed.toString());

    // Three TTLs with heartbeats: the lease is renewed, the host stays.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < until) {
      assertTrue(route(11, 1).contains(backend), "renewed lease stays in the route");
    }
    assertTrue(registration.heartbeatsSent() >= 3, "heartbeats " + registration.heartbeatsSent());

    registration.close();
    awaitTrue("draining host out of the route", () -> !route(11, 1).contains(backend));
    JsonNode draining = ApiJson.mapper().readTree(send("GET", "/api/leases?modid=11&cmdid=1", null).body());
    assertEquals("draining", draining.get("leases").get(0).get("state").asText(), draining.toString());
    awaitTrue("drained lease ended", () -> leaseCount(11, 1) == 0);
  }

  @Test
  void aLeaseWithoutHeartbeatsLeavesTheRouteAfterItsTtl() throws Exception {
    HttpResponse<String> added = send("POST", "/api/leases",
        "{\"modid\":12,\"cmdid\":1,\"ip\":\"10.0.0.3\",\"port\":91,\"ttl_s\":1}");
    assertEquals(201, added.statusCode(), added.body());
    HttpResponse<String> again = send("POST", "/api/leases",
        "{\"modid\":12,\"cmdid\":1,\"ip\":\"10.0.0.3\",\"port\":91,\"ttl_s\":1}");
    assertEquals(ApiJson.mapper().readTree(added.body()).get("leaseId"), ApiJson.mapper().readTree(again.body()).get("leaseId"),
        "registering a host again (a retry) keeps its lease");
    awaitTrue("registered host in the route", () -> route(12, 1).contains(Host.of("10.0.0.3", 91)));
    awaitTrue("expired host out of the route", () -> !route(12, 1).contains(Host.of("10.0.0.3", 91)));
    assertEquals(0, leaseCount(12, 1));
    assertTrue(LeaseStats.get(node.system()).expired() >= 1);
  }

  @Test
  void massMissedHeartbeatsSuspendExpiryUntilHeartbeatsReturn() throws Exception {
    List<String> ids = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> added = send("POST", "/api/leases",
            "{\"modid\":13,\"cmdid\":1,\"ip\":\"10.1.0." + (i + 1) + "\",\"port\":80,\"ttl_s\":3}");
        assertEquals(201, added.statusCode(), added.body());
        ids.add(ApiJson.mapper().readTree(added.body()).get("leaseId").asText());
      }
      long suspendedBefore = LeaseStats.get(node.system()).expirySuspended();
      // Every lease misses its heartbeats (a partition): at most max-expiry-fraction (0.3) of them
      // expire within one TTL, then expiry is suspended.
      awaitTrue("expiry suspended", () -> LeaseStats.get(node.system()).expirySuspended() > suspendedBefore);
      List<String> alive = leaseIds(13, 1);
      assertTrue(alive.size() >= 7, "at most 3 of 10 expired: " + alive);
      assertTrue(ApiJson.mapper().readTree(send("GET", "/api/leases", null).body()).get("expirySuspended").asBoolean());
      HttpResponse<String> details = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + conf.ports().management() + "/ready/details")).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode expiry = ApiJson.mapper().readTree(details.body()).get("dns").get("leaseExpiry");
      assertTrue(expiry.get("suspended").asBoolean(), details.body());
      assertTrue(expiry.get("due").asLong() >= 1 && !expiry.get("suspendedSince").isNull(), details.body());

      // Heartbeats return for all but 2 of them: once the expiries of the last TTL are out of the
      // window, 2 due of the rest is below the fraction and exactly those 2 expire.
      List<String> renewed = alive.subList(2, alive.size());
      long[] lastBeat = {0};
      awaitTrue("the 2 unrenewed leases expired, the renewed ones kept", () -> {
        if (System.nanoTime() - lastBeat[0] > TimeUnit.MILLISECONDS.toNanos(500)) {
          lastBeat[0] = System.nanoTime();
          renewed.forEach(id -> heartbeat(id));
        }
        return leaseIds(13, 1).equals(renewed);
      });
    } finally {
      for (String id : ids) {
        send("DELETE", "/api/leases/" + id, null);
      }
      awaitTrue("cleaned up", () -> leaseCount(13, 1) == 0);
    }
  }

  @Test
  void aStaticRowCannotBeRegistered() throws Exception {
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.register(11, 1, Host.of("10.0.0.1", 80), LeaseOptions.ttl(Duration.ofSeconds(5)))
            .toCompletableFuture().get(20, TimeUnit.SECONDS));
    LeaseException e = assertInstanceOf(LeaseException.class, refused.getCause());
    assertEquals(LeaseStatus.LEASE_CONFLICT, e.status());
    assertTrue(e.getMessage().contains("static RouteData row"), e.getMessage());
    HttpResponse<String> rest = send("POST", "/api/leases", "{\"modid\":11,\"cmdid\":1,\"ip\":\"10.0.0.1\",\"port\":80,\"ttl_s\":5}");
    assertEquals(409, rest.statusCode(), rest.body());
    String ports = conf.ports().agent().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    assertEquals(1, LarsMain.run("register", "11", "1", "10.0.0.1", "80", "--ttl", "5", "--agent-ports", ports),
        "lars register exits 1 when refused");
  }

  @Test
  void larsLeasesListsTheLeases() throws Exception {
    HttpResponse<String> added = send("POST", "/api/leases",
        "{\"modid\":14,\"cmdid\":2,\"ip\":\"10.0.0.4\",\"port\":94,\"ttl_s\":30}");
    assertEquals(201, added.statusCode(), added.body());
    String id = ApiJson.mapper().readTree(added.body()).get("leaseId").asText();
    awaitTrue("lease in the book", () -> leaseCount(14, 2) == 1);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.out;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit = LarsMain.run("leases", "14", "2", "--admin", "http://127.0.0.1:" + conf.ports().admin(), "--token", TOKEN);
    } finally {
      System.setOut(old);
    }
    assertEquals(0, exit);
    assertEquals("14 2 10.0.0.4 94 registered ttl=30s weight=100 id=" + id,
        out.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
    send("DELETE", "/api/leases/" + id, null);
  }

  @Test
  void ownerAnswersCompleteOnTheNodesDispatcherNotOnAThreadOfTheirOwn() throws Exception {
    HttpResponse<String> added = send("POST", "/api/leases",
        "{\"modid\":15,\"cmdid\":1,\"ip\":\"10.0.0.5\",\"port\":95,\"ttl_s\":30}");
    assertEquals(201, added.statusCode(), added.body());
    String id = ApiJson.mapper().readTree(added.body()).get("leaseId").asText();
    LeaseNode leases = LeaseNode.get(node.system());
    // A callback added before the answer runs where the answer completes the stage: it must be a
    // thread of the node, not the JDK's default async executor (a new "Thread-N" per answer with
    // fewer than 3 cores, else the common pool).
    for (int i = 0; i < 20; i++) {
      String thread = leases.heartbeat(id).thenApply(reply -> {
        assertEquals(LeaseReply.Status.OK, reply.status(), reply.error());
        return Thread.currentThread().getName();
      }).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertFalse(thread.startsWith("Thread-") || thread.startsWith("ForkJoinPool.commonPool"), thread);
    }
    send("DELETE", "/api/leases/" + id, null);
  }

  @Test
  void unknownIdsAreDroppedAndCounted() throws Exception {
    AgentStats stats = AgentStats.get(node.system());
    long before = stats.droppedDatagrams();
    try (DatagramSocket socket = new DatagramSocket()) {
      byte[] frame = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(15).putInt(0).array();
      socket.send(new DatagramPacket(frame, frame.length, new InetSocketAddress("127.0.0.1", conf.ports().agent().get(0))));
    }
    awaitTrue("id 15 counted as dropped", () -> stats.droppedDatagrams() > before);
    assertFalse(route(11, 1).isEmpty(), "the port still serves");
  }

  private static List<Host> route(int modid, int cmdid) {
    try {
      return client.getRoute(modid, cmdid).toCompletableFuture().get(10, TimeUnit.SECONDS).hosts();
    } catch (Exception e) {
      return List.of();
    }
  }

  private static List<String> leaseIds(int modid, int cmdid) {
    try {
      List<String> ids = new java.util.ArrayList<>();
      ApiJson.mapper().readTree(send("GET", "/api/leases?modid=" + modid + "&cmdid=" + cmdid, null).body())
          .get("leases").forEach(l -> ids.add(l.get("id").asText()));
      return ids;
    } catch (Exception e) {
      return List.of();
    }
  }

  private static void heartbeat(String leaseId) {
    try {
      send("POST", "/api/leases/" + leaseId + "/heartbeat", null);
    } catch (Exception e) {
      // the next turn tries again
    }
  }

  private static int leaseCount(int modid, int cmdid) {
    try {
      return ApiJson.mapper().readTree(send("GET", "/api/leases?modid=" + modid + "&cmdid=" + cmdid, null).body())
          .get("leases").size();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Await.awaitTrue(node.system(), what, LIMIT, condition);
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + conf.ports().admin() + path))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
