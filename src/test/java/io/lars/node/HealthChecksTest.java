package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.javadsl.Adapter;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.ConfigFactory;
import io.lars.kernel.Role;
import io.lars.testkit.Await;
import io.lars.testkit.TestNodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness and liveness on the management port, and the metrics text, of real nodes. */
class HealthChecksTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dataDir;

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Cluster membership turns Up shortly after start. */
  private static void awaitUp(LarsNode node) {
    Await.awaitTrue(node.system(), "member Up", Duration.ofSeconds(20),
        () -> Cluster.get(node.system()).selfMember().status() == MemberStatus.up());
  }

  private static boolean check(Supplier<CompletionStage<Boolean>> check) {
    return check.get().toCompletableFuture().join();
  }

  @Test
  void aNodeWithItsDatabaseIsReadyAliveAndNotReadyOnceStopping() throws Exception {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.admin.token = t\nlars.admin.data-dir = \"" + dataDir + "\""));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      int management = conf.ports().management();
      awaitUp(node);
      assertEquals(200, get(management, "/ready").statusCode());
      assertEquals(200, get(management, "/alive").statusCode());
      assertTrue(NodeState.get(node.system()).listenersBound());
      assertTrue(NodeState.get(node.system()).database().isPresent());

      String metrics = get(conf.ports().admin(), "/metrics").body();
      assertTrue(metrics.contains("lars_admin_route_writes_total 0.0"), metrics);
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    assertFalse(NodeState.get(node.system()).listenersBound(), "unbinding clears readiness");
  }

  @Test
  void aNodeWhoseDatabaseIsUnreachableIsAliveButNotReady() throws Exception {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.db.url = \"jdbc:mysql://127.0.0.1:1/nowhere\"\nlars.db.migrate = off\nlars.db.connection-timeout = 250ms\n"
            + "lars.admin.token = t\nlars.admin.data-dir = \"" + dataDir + "\""));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      int management = conf.ports().management();
      awaitUp(node);
      akka.actor.ActorSystem classic = Adapter.toClassic(node.system());
      assertFalse(check(new HealthChecks.Database(classic)));
      assertTrue(check(new HealthChecks.Listeners(classic)));
      assertTrue(check(new HealthChecks.ActorSystemAlive(classic)));
      HttpResponse<String> ready = get(management, "/ready");
      assertEquals(500, ready.statusCode(), ready.body());
      assertEquals(200, get(management, "/alive").statusCode());
      assertTrue(node.listeners("admin", "http").size() == 1);
      String metrics = get(conf.ports().admin(), "/metrics").body();
      assertTrue(metrics.contains("lars_database_errors_total{source=\"health\",}"), metrics);
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
