package io.lars.kernel;

import akka.actor.typed.javadsl.ActorContext;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Starts one role on a node: spawns its actors under the node guardian and binds its listeners.
 * Listeners register their own unbinding with {@code CoordinatedShutdown}.
 */
@FunctionalInterface
public interface RoleStarter {

  /**
   * Starts the role. Called once, from the guardian's setup.
   *
   * @param context the guardian's context, for spawning the role's actors
   * @param node what the node shares: settings, database, blocking executor
   * @return completes with the bound listeners, or fails with the reason the role cannot run
   */
  CompletionStage<List<Listener>> start(ActorContext<?> context, NodeContext node);
}
