package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.testkit.EveryDatabaseTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The ClusterIncarnation row (migration V7) on H2 and, when configured, MariaDB/MySQL. */
class IncarnationRepositoryTest extends EveryDatabaseTest {

  private static final Duration STALE = Duration.ofSeconds(30);

  private final AtomicLong nowMs = new AtomicLong(1_700_000_000_000L);
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(nowMs.get());
    }
  };

  @BeforeEach
  void emptyTheRow() {
    databases().forEach(db -> execute(db.dataSource(), "DELETE FROM ClusterIncarnation"));
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("databases")
  void aFreshHeartbeatRefusesASecondClusterAndAStaleOneIsTakenOver(Database db) {
    IncarnationRepository repo = new IncarnationRepository(db.dataSource(), clock);
    assertEquals(new IncarnationRepository.Claimed(Optional.empty()), repo.claim("first", "node-a", STALE));
    assertTrue(repo.heartbeat("first"));

    nowMs.addAndGet(STALE.toMillis() - 1);
    IncarnationRepository.Refused refused = assertInstanceOf(IncarnationRepository.Refused.class,
        repo.claim("second", "node-b", STALE));
    assertEquals("first", refused.holder().incarnation());
    assertEquals("node-a", refused.holder().owner());
    assertEquals(STALE.toMillis() - 1, refused.heartbeatAgeMs());
    assertEquals("first", repo.current().orElseThrow().incarnation(), "a refused claim writes nothing");

    assertTrue(repo.heartbeat("first"));
    nowMs.addAndGet(STALE.toMillis());
    IncarnationRepository.Claimed claimed = assertInstanceOf(IncarnationRepository.Claimed.class,
        repo.claim("second", "node-b", STALE));
    assertEquals("first", claimed.previous().orElseThrow().incarnation());
    assertFalse(repo.heartbeat("first"), "the first cluster sees it lost the database");
    assertFalse(repo.release("first"), "and cannot release what is not its own");
    assertEquals("second", repo.current().orElseThrow().incarnation());
    assertEquals("node-b", repo.current().orElseThrow().owner());
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("databases")
  void aReleasedRowMayBeClaimedAtOnce(Database db) {
    IncarnationRepository repo = new IncarnationRepository(db.dataSource(), clock);
    assertInstanceOf(IncarnationRepository.Claimed.class, repo.claim("first", "node-a", STALE));
    assertInstanceOf(IncarnationRepository.Refused.class, repo.claim("second", "node-b", STALE));
    assertTrue(repo.release("first"));
    assertEquals(0, repo.current().orElseThrow().heartbeatAtMs());
    assertInstanceOf(IncarnationRepository.Claimed.class, repo.claim("second", "node-b", STALE));
    assertTrue(repo.heartbeat("second"));
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("databases")
  void reclaimingItsOwnRowKeepsTheStartTime(Database db) {
    IncarnationRepository repo = new IncarnationRepository(db.dataSource(), clock);
    long started = nowMs.get();
    repo.claim("first", "node-a", STALE);
    nowMs.addAndGet(1_000);
    assertEquals(new IncarnationRepository.Claimed(Optional.empty()), repo.claim("first", "node-a", STALE));
    assertEquals(started, repo.current().orElseThrow().startedAtMs());
    assertEquals(nowMs.get(), repo.current().orElseThrow().heartbeatAtMs());
  }
}
