package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.CoordinatedShutdown;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.db.IncarnationRepository;
import io.lars.kernel.Role;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.TestNodeConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two clusters on one database (issue 19 item 13): a node that forms a second cluster on a
 * database another cluster heartbeats refuses to start; once the first stops (or its heartbeat is
 * stale) the second starts; a cluster that lost the database stops itself. On H2 and, when
 * {@code LARS_TEST_DB_URL} is set, on MariaDB/MySQL.
 */
class ClusterIncarnationTest {

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  /** A node of its own cluster (no seeds) on the shared database, on fresh ports. */
  private static Config nodeOn(DbSettings db, String extra) {
    return TestNodeConfig.create(TestDatabases.nodeConfig(db).withFallback(ConfigFactory.parseString(extra))).config();
  }

  private static LarsNode start(Config config) throws Exception {
    return LarsNode.start(config, EnumSet.of(Role.DNS)).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static void stop(LarsNode node) throws Exception {
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Opens the database once (wiping the MySQL scratch schema) so every test starts from an empty, migrated one. */
  private static void fresh(DbSettings db) {
    TestDatabases.fresh(db).close();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aSecondClusterRefusesToStartUntilTheFirstStops(DbSettings db) throws Exception {
    fresh(db);
    LarsNode first = start(nodeOn(db, ""));
    try {
      CompletionException e = assertThrows(CompletionException.class,
          () -> LarsNode.start(nodeOn(db, ""), EnumSet.of(Role.DNS)).toCompletableFuture().join());
      IllegalStateException refused = assertInstanceOf(IllegalStateException.class, e.getCause());
      assertTrue(refused.getMessage().startsWith("another Lars cluster is running on database " + db.safeUrl()
          + ": incarnation "), refused.getMessage());
      assertTrue(refused.getMessage().contains("Join it with --seed HOST:PORT"), refused.getMessage());

      // A node that joins the first cluster is not a new cluster: it starts.
      String seed = first.system().address().toString();
      LarsNode member = start(nodeOn(db, "akka.cluster.seed-nodes = [\"" + seed + "\"]"));
      stop(member);
    } finally {
      stop(first);
    }
    LarsNode second = start(nodeOn(db, ""));
    stop(second);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aClusterWhoseHeartbeatIsStaleIsTakenOver(DbSettings db) throws Exception {
    fresh(db);
    try (Database database = Database.open(db)) {
      // A cluster that died an hour ago without releasing the row.
      Clock anHourAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
      assertInstanceOf(IncarnationRepository.Claimed.class, new IncarnationRepository(database.dataSource(), anHourAgo)
          .claim("crashed-cluster", "akka://lars@10.0.0.9:2551 (pid 1)", Duration.ofSeconds(30)));
      LarsNode node = start(nodeOn(db, ""));
      try {
        IncarnationRepository.Holder holder = new IncarnationRepository(database.dataSource(), Clock.systemUTC())
            .current().orElseThrow();
        assertFalse(holder.incarnation().equals("crashed-cluster"), "the stale row was taken over");
      } finally {
        stop(node);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aClusterThatLostTheDatabaseStopsItself(DbSettings db) throws Exception {
    fresh(db);
    LarsNode node = start(nodeOn(db, "lars.cluster.incarnation { heartbeat-interval = 200ms, stale-after = 1s }"));
    try (Database database = Database.open(db)) {
      // Another cluster whose clock is far ahead sees our heartbeat as stale and takes over.
      Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
      assertInstanceOf(IncarnationRepository.Claimed.class, new IncarnationRepository(database.dataSource(), later)
          .claim("intruder", "akka://lars@10.0.0.8:2551 (pid 2)", Duration.ofSeconds(1)));
      node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertEquals(CoordinatedShutdown.Reason.class.cast(ClusterIncarnation.LOST),
          CoordinatedShutdown.get(node.system()).getShutdownReason().orElseThrow());
      IncarnationRepository intruder = new IncarnationRepository(database.dataSource(), later);
      assertEquals("intruder", intruder.current().orElseThrow().incarnation(),
          "the stopping node does not release the other cluster's row");
      // Its heartbeat is an hour ahead: release it, or the shared scratch database stays claimed.
      assertTrue(intruder.release("intruder"));
    }
  }
}
