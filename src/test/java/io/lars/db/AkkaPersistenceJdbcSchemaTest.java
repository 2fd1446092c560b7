package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.jdbc.state.javadsl.JdbcDurableStateStore;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.state.DurableStateStoreRegistry;
import akka.persistence.state.javadsl.GetObjectResult;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.stream.javadsl.Sink;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.testkit.TestDatabases;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The migrated schema works with akka-persistence-jdbc 5.2.1 itself: its Slick profiles quote
 * identifiers, so a mismatch in table or column names only shows when the plugin runs.
 */
class AkkaPersistenceJdbcSchemaTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void journalSnapshotsAndQueriesRunOnTheMigratedSchema(DbSettings settings) throws Exception {
    Database db = TestDatabases.fresh(settings);
    try {
      ActorTestKit testKit = ActorTestKit.create("AkkaPersistenceJdbcSchemaTest", pluginConfig(settings));
      try {
        PersistenceId id = PersistenceId.ofUniqueId("recorder-1");
        TestProbe<Done> done = testKit.createTestProbe();
        ActorRef<Recorder.Command> recorder = testKit.spawn(Recorder.create(id));
        for (String word : List.of("a", "b", "c")) {
          recorder.tell(new Recorder.Append(word, done.getRef()));
          done.expectMessage(TIMEOUT, Done.getInstance());
        }
        testKit.stop(recorder, TIMEOUT);

        TestProbe<String> state = testKit.createTestProbe();
        ActorRef<Recorder.Command> recovered = testKit.spawn(Recorder.create(id));
        recovered.tell(new Recorder.Get(state.getRef()));
        state.expectMessage(TIMEOUT, "abc");

        JdbcReadJournal journal = PersistenceQuery.get(testKit.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        List<EventEnvelope> byId = journal.currentEventsByPersistenceId(id.id(), 0, Long.MAX_VALUE)
            .runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(List.of("a", "b", "c"), byId.stream().map(EventEnvelope::event).toList());
        List<EventEnvelope> byTag = journal.currentEventsByTag(Recorder.TAG, Offset.noOffset())
            .runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(3, byTag.size());

        // akka-persistence-jdbc 5.2.1 has a durable state store for H2 and PostgreSQL only.
        if (settings.isH2()) {
          @SuppressWarnings("unchecked")
          JdbcDurableStateStore<String> store = DurableStateStoreRegistry.get(testKit.system())
              .getDurableStateStoreFor(JdbcDurableStateStore.class, "jdbc-durable-state-store");
          store.upsertObject("state-1", 1, "first", "t").toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          store.upsertObject("state-1", 2, "second", "t").toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          GetObjectResult<String> result =
              store.getObject("state-1").toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          assertEquals(Optional.of("second"), result.value());
          assertEquals(2, result.revision());
        }
      } finally {
        testKit.shutdownTestKit();
      }
    } finally {
      db.close();
    }
  }

  private static Config pluginConfig(DbSettings settings) {
    Config db = ConfigFactory.parseMap(Map.of(
        "akka-persistence-jdbc.shared-databases.slick.profile",
        settings.isH2() ? "slick.jdbc.H2Profile$" : "slick.jdbc.MySQLProfile$",
        "akka-persistence-jdbc.shared-databases.slick.db.url", settings.url(),
        "akka-persistence-jdbc.shared-databases.slick.db.user", settings.user(),
        "akka-persistence-jdbc.shared-databases.slick.db.password", settings.password(),
        "akka-persistence-jdbc.shared-databases.slick.db.driver",
        settings.isH2() ? "org.h2.Driver" : "com.mysql.cj.jdbc.Driver"));
    return db.withFallback(ConfigFactory.parseString("""
        akka.actor.provider = local
        akka.persistence.journal.plugin = "jdbc-journal"
        akka.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
        akka.persistence.state.plugin = "jdbc-durable-state-store"
        akka-persistence-jdbc.shared-databases.slick.db {
          numThreads = 2
          maxConnections = 2
          minConnections = 1
        }
        jdbc-journal.use-shared-db = "slick"
        jdbc-snapshot-store.use-shared-db = "slick"
        jdbc-read-journal.use-shared-db = "slick"
        jdbc-durable-state-store.use-shared-db = "slick"
        """)).withFallback(ConfigFactory.load());
  }

  /** Appends words to a string; tags every event and snapshots every second event. */
  static final class Recorder extends EventSourcedBehavior<Recorder.Command, String, String> {

    static final String TAG = "recorded";

    interface Command {}

    record Append(String word, ActorRef<Done> replyTo) implements Command {}

    record Get(ActorRef<String> replyTo) implements Command {}

    static Behavior<Command> create(PersistenceId id) {
      return new Recorder(id);
    }

    private Recorder(PersistenceId id) {
      super(id);
    }

    @Override
    public String emptyState() {
      return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Append.class, (state, cmd) -> Effect().persist(cmd.word()).thenReply(cmd.replyTo(), s -> Done.getInstance()))
          .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
          .build();
    }

    @Override
    public EventHandler<String, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, word) -> state + word);
    }

    @Override
    public Set<String> tagsFor(String event) {
      return Set.of(TAG);
    }

    @Override
    public boolean shouldSnapshot(String state, String event, long sequenceNr) {
      return sequenceNr % 2 == 0;
    }
  }
}
