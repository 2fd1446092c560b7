package io.lars.kernel;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.lars.db.Database;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * What a node shares with its roles.
 *
 * @param system the node's actor system
 * @param config the whole resolved configuration ({@code lars.*} and {@code akka.*})
 * @param roles the roles this node runs
 * @param database the migrated database, present when a role of this node needs it
 * @param handOver what the previous incarnation of this node's actor system left to this one
 */
public record NodeContext(ActorSystem<?> system, Config config, Set<Role> roles, Optional<Database> database,
    HandOver handOver) {

  /**
   * A node's only incarnation: nothing handed over.
   *
   * @param system the node's actor system
   * @param config the whole resolved configuration
   * @param roles the roles this node runs
   * @param database the migrated database, if any
   */
  public NodeContext(ActorSystem<?> system, Config config, Set<Role> roles, Optional<Database> database) {
    this(system, config, roles, database, new HandOver());
  }

  /**
   * @return the database
   * @throws IllegalStateException if this node opened none
   */
  public Database requireDatabase() {
    return database.orElseThrow(() -> new IllegalStateException("this node has no database; roles " + roles));
  }

  /** @return the executor for blocking JDBC work ({@code lars-jdbc-dispatcher}) */
  public Executor jdbcExecutor() {
    return Database.jdbcExecutor(system);
  }
}
