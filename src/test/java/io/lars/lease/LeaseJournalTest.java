package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.lars.admin.ApiJson;
import io.lars.db.DbSettings;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.TestNodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lease owners' journal on each test database (H2 always; MySQL/MariaDB with {@code
 * LARS_TEST_DB_URL}): a lease registered on a node survives the node's stop and a start of a new
 * node on the same database, longer than its TTL, and comes back with a fresh TTL (DESIGN.md
 * "Self-registration with leases"): listed with the same id after the restart, then expired one TTL
 * later without heartbeats. Waits are generous; only the order of events is asserted.
 */
class LeaseJournalTest {

  private static final String TOKEN = "journal-token";
  private static final int TTL_S = 6;
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aLeaseIsRecoveredFromTheJournalWithAFreshTtl(DbSettings db) throws Exception {
    TestDatabases.fresh(db).close();
    TestNodeConfig first = config(db);
    LarsNode node = start(first);
    String leaseId;
    long registered;
    try {
      // The first registration may meet sharding still starting (503); the client would retry too.
      String[] id = {null};
      awaitTrue("lease granted", () -> {
        HttpResponse<String> added = send(first, "POST", "/api/leases",
            "{\"modid\":61,\"cmdid\":1,\"ip\":\"10.6.1.1\",\"port\":80,\"ttl_s\":" + TTL_S + "}");
        if (added == null || added.statusCode() != 201) {
          return false;
        }
        id[0] = json(added).get("leaseId").asText();
        return true;
      });
      leaseId = id[0];
      registered = System.nanoTime();
      awaitTrue("lease listed", () -> leaseIds(first).equals(List.of(leaseId)));
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    // Down for longer than the TTL: a lease that kept its old deadline would expire at once.
    while (System.nanoTime() - registered < TimeUnit.SECONDS.toNanos(TTL_S + 1)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }

    TestNodeConfig second = config(db);
    node = start(second);
    try {
      awaitTrue("lease recovered from the journal", () -> leaseIds(second).equals(List.of(leaseId)));
      JsonNode lease = json(send(second, "GET", "/api/leases?modid=61&cmdid=1", null)).get("leases").get(0);
      assertEquals("registered", lease.get("state").asText(), lease.toString());
      assertEquals(TTL_S, lease.get("ttlS").asInt());
      // Its old deadline passed while the node was down; with a fresh one it is still there a
      // second later (an old deadline would have it removed at the first expiry check, 100 ms).
      long seen = System.nanoTime();
      while (System.nanoTime() - seen < TimeUnit.SECONDS.toNanos(1)) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
      assertEquals(List.of(leaseId), leaseIds(second), "the recovered lease has a fresh TTL");
      // No heartbeats: it expires one (fresh) TTL after the recovery.
      awaitTrue("recovered lease expired", () -> leaseIds(second).isEmpty());
      assertTrue(LeaseStats.get(node.system()).expired() >= 1, "expired by the new owner");
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static TestNodeConfig config(DbSettings db) {
    return TestNodeConfig.create(TestDatabases.nodeConfig(db).withFallback(ConfigFactory.parseString(
        "lars.admin.token = " + TOKEN + "\nlars.dns.leases.check-interval = 100ms\nlars.dns.leases.publish-interval = 300ms")));
  }

  private static LarsNode start(TestNodeConfig conf) throws Exception {
    return LarsNode.start(conf.config(), EnumSet.of(Role.DNS, Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static List<String> leaseIds(TestNodeConfig conf) {
    HttpResponse<String> listed = send(conf, "GET", "/api/leases?modid=61&cmdid=1", null);
    if (listed == null || listed.statusCode() != 200) {
      return List.of("?");
    }
    List<String> ids = new java.util.ArrayList<>();
    json(listed).get("leases").forEach(l -> ids.add(l.get("id").asText()));
    return ids;
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return ApiJson.mapper().readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError(response.body(), e);
    }
  }

  /** @return the response, or null when the request failed (the node still starting) */
  private static HttpResponse<String> send(TestNodeConfig conf, String method, String path, String body) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + conf.ports().admin() + path))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + ": not within " + LIMIT.toSeconds() + " s");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
