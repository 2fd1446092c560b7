package io.lars.node;

import akka.actor.typed.javadsl.Adapter;
import io.lars.db.JdbcUrls;
import io.lars.kernel.Metrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness and liveness checks served by Akka Management on {@code /ready} and {@code /alive}
 * (registered in {@code lars-akka.conf} under {@code akka.management.health-checks}). Cluster
 * membership ({@code Up}/{@code WeaklyUp}) is checked by Akka Management's own
 * {@code cluster-membership} check. Each check is created by Akka Management with the classic
 * actor system and answers within {@code akka.management.health-checks.check-timeout}.
 */
public final class HealthChecks {

  private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

  private HealthChecks() {}

  /**
   * Ready when the node has no database, or its database answers {@code SELECT 1} within
   * {@code lars.health.database-timeout}. The query runs on {@code lars-jdbc-dispatcher}.
   */
  public static final class Database implements Supplier<CompletionStage<Boolean>> {

    private final akka.actor.typed.ActorSystem<?> system;
    private final Duration timeout;

    /** @param system the node's classic actor system */
    public Database(akka.actor.ActorSystem system) {
      this.system = Adapter.toTyped(system);
      this.timeout = HealthSettings.fromConfig(this.system.settings().config()).databaseTimeout();
    }

    /** @return completes with true if the database answered in time, false otherwise; never fails */
    @Override
    public CompletionStage<Boolean> get() {
      return NodeState.get(system).database()
          .map(db -> CompletableFuture.supplyAsync(() -> selectOne(db), io.lars.db.Database.jdbcExecutor(system))
              .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS))
          .orElseGet(() -> CompletableFuture.completedFuture(true));
    }

    private boolean selectOne(io.lars.db.Database db) {
      try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1")) {
        ps.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
        ps.execute();
        return true;
      } catch (Exception e) {
        log.debug("readiness: database {} does not answer: {}", db, JdbcUrls.maskIn(e.toString()));
        Metrics.get(system).databaseError("health");
        return false;
      }
    }
  }

  /** Ready when every listener of the node's roles is bound and the node is not shutting down. */
  public static final class Listeners implements Supplier<CompletionStage<Boolean>> {

    private final NodeState state;

    /** @param system the node's classic actor system */
    public Listeners(akka.actor.ActorSystem system) {
      this.state = NodeState.get(Adapter.toTyped(system));
    }

    /** @return completes at once with whether all listeners are bound */
    @Override
    public CompletionStage<Boolean> get() {
      return CompletableFuture.completedFuture(state.listenersBound());
    }
  }

  /** Alive when the actor system runs tasks on its default dispatcher and has not terminated. */
  public static final class ActorSystemAlive implements Supplier<CompletionStage<Boolean>> {

    private final akka.actor.ActorSystem system;

    /** @param system the node's classic actor system */
    public ActorSystemAlive(akka.actor.ActorSystem system) {
      this.system = system;
    }

    /** @return completes with true once a task ran on the default dispatcher; false when terminated */
    @Override
    public CompletionStage<Boolean> get() {
      if (system.whenTerminated().isCompleted()) {
        return CompletableFuture.completedFuture(false);
      }
      return CompletableFuture.supplyAsync(() -> true, system.dispatcher());
    }
  }
}
