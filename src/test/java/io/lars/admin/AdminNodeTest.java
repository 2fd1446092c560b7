package io.lars.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.lars.client.ClientSettings;
import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import io.lars.testkit.Await;
import io.lars.testkit.TestNodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin on real nodes: with every role (live LoadBalance state, metrics of all roles) and alone (503). */
class AdminNodeTest {

  private static final String TOKEN = "node-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  private TestNodeConfig config() {
    return TestNodeConfig.create(ConfigFactory.parseString(
        "lars.admin.token = " + TOKEN + "\nlars.admin.data-dir = \"" + dataDir + "\""));
  }

  private static HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void allRolesServeTheLiveLoadBalanceStateAndEveryRolesMetrics() throws Exception {
    TestNodeConfig conf = config();
    LarsNode node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    int admin = conf.ports().admin();
    try (LarsClient client = LarsClient.create(node.system(),
        new ClientSettings("127.0.0.1", conf.ports().agent(), Duration.ofSeconds(2)))) {
      assertEquals(201, send(admin, "POST", "/api/routes", "{\"modid\":9,\"cmdid\":3,\"ip\":\"10.3.3.3\",\"port\":33}")
          .statusCode());
      // The first get_host may race the dns reload (NOEXIST); the agent is subscribed, so the push follows.
      Await.awaitAssert(node.system(), Duration.ofSeconds(20), () -> {
        assertEquals(new HostResult(RetCode.SUCC, Host.of("10.3.3.3", 33)),
            client.getHost(9, 3).toCompletableFuture().get(5, TimeUnit.SECONDS));
        return null;
      });

      HttpResponse<String> lb = send(admin, "GET", "/api/lb/9/3", null);
      assertEquals(200, lb.statusCode(), lb.body());
      JsonNode state = ApiJson.mapper().readTree(lb.body());
      assertTrue(state.get("routeKnown").asBoolean());
      assertEquals("10.3.3.3", state.get("idle").get(0).get("ip").asText());
      assertEquals(0, state.get("overload").size());

      JsonNode cluster = ApiJson.mapper().readTree(send(admin, "GET", "/api/cluster", null).body());
      assertTrue(cluster.get("clustered").asBoolean(), cluster.toString());
      JsonNode self = cluster.get("members").get(0);
      assertEquals("Up", self.get("status").asText(), cluster.toString());
      assertTrue(self.get("roles").toString().contains("agent"), cluster.toString());
      assertTrue(self.get("self").asBoolean());
      assertEquals("9/3", self.get("modules").get(0).asText(), "the entity's shard is on the only member: " + cluster);
      JsonNode overview = ApiJson.mapper().readTree(send(admin, "GET", "/api/overview", null).body());
      assertEquals(1, overview.get("modules").get(0).get("idle").asInt(), overview.toString());
      assertEquals("live", overview.get("modules").get(0).get("live").asText(), overview.toString());

      String metrics = send(admin, "GET", "/metrics", null).body();
      for (String name : List.of("lars_agent_get_host_total{retcode=\"SUCC\",} 1.0", "lars_agent_host_transitions_total",
          "lars_udp_datagrams_dropped_total{endpoint=\"agent-udp\",}", "lars_tcp_bad_frames_total{endpoint=\"dns\",}",
          "lars_tcp_bad_frames_total{endpoint=\"reporter\",}", "lars_reporter_rows_written_total",
          "lars_reporter_rows_dropped_total", "lars_database_errors_total{source=\"reporter\",}",
          "lars_admin_route_writes_total 1.0", "lars_frames_out_total{endpoint=\"dns\",}")) {
        assertTrue(metrics.contains(name), name + " in\n" + metrics);
      }
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutAnAgentInTheClusterTheLiveViewIs503() throws Exception {
    TestNodeConfig conf = config();
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      assertEquals(201, send(conf.ports().admin(), "POST", "/api/routes",
          "{\"modid\":1,\"cmdid\":1,\"ip\":\"10.1.1.1\",\"port\":1}").statusCode());
      HttpResponse<String> lb = send(conf.ports().admin(), "GET", "/api/lb/1/1", null);
      assertEquals(503, lb.statusCode(), lb.body());
      assertTrue(lb.body().contains("no agent role in the cluster"), lb.body());
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
