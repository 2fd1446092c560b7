package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.Database;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HistoryKeepingStoreTest {

  private static final ModuleId M = new ModuleId(1, 1);
  private static final Host HOST = Host.of("10.0.0.1", 80);

  private Database db;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(100_000));
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  @BeforeEach
  void open() {
    db = TestDatabases.fresh(TestDatabases.h2());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static CallStatusRow row(long succ, long ts) {
    return new CallStatusRow(M, HOST, 1, succ, 0, ts, false);
  }

  @Test
  void keepsTheLatestRowAndEveryRowInTheHistoryAndPurgesOldHistoryOncePerMinute() {
    CallStatusRepository status = new CallStatusRepository(db.dataSource());
    CallHistoryRepository history = new CallHistoryRepository(db.dataSource());
    HistoryKeepingStore store = new HistoryKeepingStore(status, history, Duration.ofHours(1), clock);

    store.upsert(List.of(row(1, 97_000)));
    store.upsert(List.of(row(2, 99_000)));
    assertEquals(List.of(row(2, 99_000)), status.list(Optional.of(M)));
    assertEquals(List.of(row(1, 97_000), row(2, 99_000)), history.history(M, 0));

    now.set(Instant.ofEpochSecond(98_000 + 3600));
    store.upsert(List.of(row(3, 101_000)));
    assertEquals(List.of(row(2, 99_000), row(3, 101_000)), history.history(M, 0), "older than an hour purged");

    now.set(now.get().plusSeconds(1000));
    store.upsert(List.of(row(4, 102_000)));
    now.set(now.get().plusSeconds(30));
    history.append(List.of(row(0, 1)));
    store.upsert(List.of(row(5, 102_030)));
    assertEquals(5, history.history(M, 0).size(), "no second purge within a minute");
  }

  @Test
  void retentionMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new HistoryKeepingStore(new CallStatusRepository(db.dataSource()),
        new CallHistoryRepository(db.dataSource()), Duration.ZERO, clock));
  }
}
