package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.lars.dns.Poller;
import io.lars.kernel.Role;
import io.lars.protocol.Ipv4;
import io.lars.testkit.Await;
import io.lars.testkit.TestNodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code /ready/details} of a real dns node: every readiness check listed with its result, and a
 * partial load (a module's RouteData rows deleted by SQL, no RouteChange rows) shown as a held
 * route while {@code /ready} stays 200; the hold is gone once the load passes again.
 */
class ReadyDetailsRouteTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MODID = 51;

  @Test
  void aRouteHeldBackByTheShrinkLimitIsShownWhileTheNodeStaysReady() throws Exception {
    // Reloads only when asked (full reload and polls far apart), so every step is one reload.
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.dns.poll-interval = 1h\nlars.dns.full-reload-interval = 1h"));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      int management = conf.ports().management();
      Await.awaitTrue(node.system(), "member Up", WAIT,
          () -> Cluster.get(node.system()).selfMember().status() == MemberStatus.up());
      ActorRef<Poller.Command> poller = poller(node);

      JsonNode fine = details(management, 200);
      assertTrue(fine.get("ready").asBoolean(), fine.toString());
      assertTrue(hasCheck(fine, "lars-database", true), fine.toString());
      assertTrue(hasCheck(fine, "lars-listeners", true), fine.toString());
      assertTrue(hasCheck(fine, "cluster-membership", true), fine.toString());
      assertEquals(0.5, fine.get("dns").get("maxShrinkFraction").asDouble());
      assertEquals(0, fine.get("dns").get("heldRoutes").size(), fine.toString());
      assertFalse(fine.get("dns").get("leaseExpiry").get("suspended").asBoolean(), fine.toString());

      for (int i = 1; i <= 4; i++) {
        insert(node, "10.5.0." + i);
      }
      reload(node, poller);
      // The partial load: the module's rows vanish without RouteChange rows.
      deleteAll(node);
      reload(node, poller);

      JsonNode held = details(management, 200);
      assertTrue(held.get("ready").asBoolean(), "a held route does not make the node unready: " + held);
      assertEquals(200, get(management, "/ready").statusCode());
      JsonNode route = held.get("dns").get("heldRoutes").get(0);
      assertEquals(MODID, route.get("modid").asInt(), held.toString());
      assertEquals(1, route.get("cmdid").asInt());
      assertEquals("shrink", route.get("reason").asText());
      assertEquals(4, route.get("hostsKept").asInt());
      assertEquals(0, route.get("hostsLoaded").asInt());
      Instant since = Instant.parse(route.get("since").asText());

      // Still refused on the next reload: the same hold, since unchanged.
      reload(node, poller);
      assertEquals(since.toString(), details(management, 200).get("dns").get("heldRoutes").get(0).get("since").asText());

      // Three of the four rows back: a loss of one quarter passes, the hold ends.
      for (int i = 1; i <= 3; i++) {
        insert(node, "10.5.0." + i);
      }
      reload(node, poller);
      assertEquals(0, details(management, 200).get("dns").get("heldRoutes").size());
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNodeWithoutTheDnsRoleListsItsChecksAndNoDnsPart() throws Exception {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.db.url = \"jdbc:mysql://127.0.0.1:1/nowhere\"\nlars.db.migrate = off\nlars.db.connection-timeout = 250ms\n"
            + "lars.admin.token = t"));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.ADMIN)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      int management = conf.ports().management();
      Await.awaitTrue(node.system(), "member Up", WAIT,
          () -> Cluster.get(node.system()).selfMember().status() == MemberStatus.up());
      JsonNode unready = details(management, 500);
      assertFalse(unready.get("ready").asBoolean(), unready.toString());
      assertTrue(hasCheck(unready, "lars-database", false), unready.toString());
      assertTrue(hasCheck(unready, "lars-listeners", true), unready.toString());
      assertTrue(unready.get("dns").isNull(), unready.toString());
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static boolean hasCheck(JsonNode details, String name, boolean ok) {
    for (JsonNode check : details.get("checks")) {
      if (check.get("name").asText().equals(name)) {
        return check.get("ok").asBoolean() == ok && (ok == check.get("failure").isNull());
      }
    }
    return false;
  }

  private static JsonNode details(int port, int status) throws Exception {
    HttpResponse<String> response = get(port, "/ready/details");
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The node's poller, once the Receptionist lists it (the route finds it the same way). */
  private static ActorRef<Poller.Command> poller(LarsNode node) {
    return Await.awaitAssert(node.system(), WAIT, () -> {
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
          node.system().receptionist(), replyTo -> Receptionist.find(Poller.SERVICE_KEY, replyTo),
          Duration.ofSeconds(10), node.system().scheduler()).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertFalse(listing.getServiceInstances(Poller.SERVICE_KEY).isEmpty(),
          "the poller is not registered with the Receptionist");
      return listing.getServiceInstances(Poller.SERVICE_KEY).iterator().next();
    });
  }

  /** One reload, finished (its table handed to the registry) when this returns. */
  private static void reload(LarsNode node, ActorRef<Poller.Command> poller) throws Exception {
    AskPattern.<Poller.Command, Done>ask(poller, Poller.Reload::new, Duration.ofSeconds(20), node.system().scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Adds a host to module {@link #MODID} as a plain SQL tool would: no version, no RouteChange row. */
  private static void insert(LarsNode node, String ip) throws Exception {
    try (Connection c = node.database().orElseThrow().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO RouteData (modid, cmdid, serverip, serverport) VALUES (?, 1, ?, 80)")) {
      ps.setInt(1, MODID);
      ps.setLong(2, Ipv4.toUnsigned(Ipv4.parse(ip)));
      assertEquals(1, ps.executeUpdate());
    }
  }

  /** Empties module {@link #MODID} as a failed restore would: no RouteChange row. */
  private static void deleteAll(LarsNode node) throws Exception {
    try (Connection c = node.database().orElseThrow().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM RouteData WHERE modid = ? AND cmdid = 1")) {
      ps.setInt(1, MODID);
      assertEquals(4, ps.executeUpdate());
    }
  }
}
