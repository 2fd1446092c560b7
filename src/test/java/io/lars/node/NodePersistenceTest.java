package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.typesafe.config.ConfigFactory;
import io.lars.CborSerializable;
import io.lars.db.DbSettings;
import io.lars.kernel.Role;
import io.lars.testkit.TestNodeConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's journal is the node's own database: events written through akka-persistence-jdbc's
 * Slick pool are visible through the node's HikariCP pool, on a shared in-memory H2 (as in the
 * tests) and on an H2 file with AUTO_SERVER (the default of a single node).
 */
class NodePersistenceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Test
  void journalOnInMemoryH2IsTheNodeDatabase() throws Exception {
    persistRecoverAndCount(TestNodeConfig.create());
  }

  @Test
  void journalOnH2FileWithAutoServer(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("lars").toAbsolutePath() + DbSettings.H2_FLAGS + ";AUTO_SERVER=TRUE";
    persistRecoverAndCount(TestNodeConfig.create(ConfigFactory.parseMap(Map.of("lars.db.url", url))));
  }

  private static void persistRecoverAndCount(TestNodeConfig conf) throws Exception {
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      PersistenceId id = PersistenceId.ofUniqueId("counter-1");
      TestProbe<Long> probe = TestProbe.create(node.system());
      ActorRef<Counter.Command> counter = node.system().systemActorOf(Counter.create(id), "counter-a", Props.empty());
      for (int i = 0; i < 3; i++) {
        counter.tell(new Counter.Add(probe.getRef()));
        probe.expectMessage(TIMEOUT, (long) i + 1);
      }
      counter.tell(Counter.Stop.INSTANCE);
      probe.expectTerminated(counter, TIMEOUT);

      ActorRef<Counter.Command> recovered = node.system().systemActorOf(Counter.create(id), "counter-b", Props.empty());
      recovered.tell(new Counter.Add(probe.getRef()));
      probe.expectMessage(TIMEOUT, 4L);

      try (Connection c = node.database().orElseThrow().dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM event_journal WHERE persistence_id = ?")) {
        ps.setString(1, id.id());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertEquals(4, rs.getInt(1));
        }
      }
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Counts {@link Add}s; each one is an event. */
  static final class Counter extends EventSourcedBehavior<Counter.Command, Counter.Added, Long> {

    interface Command {}

    record Add(ActorRef<Long> replyTo) implements Command {}

    enum Stop implements Command { INSTANCE }

    record Added() implements CborSerializable {}

    static Behavior<Command> create(PersistenceId id) {
      return new Counter(id);
    }

    private Counter(PersistenceId id) {
      super(id);
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Command, Added, Long> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Add.class, (state, add) -> Effect().persist(new Added()).thenReply(add.replyTo(), s -> s))
          .onCommand(Stop.class, (state, stop) -> Effect().stop())
          .build();
    }

    @Override
    public EventHandler<Long, Added> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onEvent(Added.class, (state, e) -> state + 1).build();
    }
  }
}
