package io.lars.node;

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
 */
public record NodeContext(ActorSystem<?> system, Config config, Set<Role> roles, Optional<Database> database) {

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
