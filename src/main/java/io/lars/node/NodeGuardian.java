package io.lars.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import io.lars.db.Database;
import io.lars.kernel.HandOver;
import io.lars.kernel.Listener;
import io.lars.kernel.NodeContext;
import io.lars.kernel.Role;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's guardian. It only wires: starts Akka Management and every role's starter, and
 * completes {@code ready} with all bound listeners (or the first failure).
 */
final class NodeGuardian {

  private NodeGuardian() {}

  static Behavior<Void> create(Config config, Set<Role> roles, Optional<Database> database, HandOver handOver,
      CompletableFuture<List<Listener>> ready) {
    return Behaviors.setup(context -> {
      NodeState state = NodeState.get(context.getSystem());
      state.databaseOpened(database);
      CoordinatedShutdown.get(context.getSystem()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
          "lars-readiness-down", () -> {
            state.unbinding();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      NodeContext node = new NodeContext(context.getSystem(), config, roles, database, handOver);
      List<CompletableFuture<List<Listener>>> starts = new ArrayList<>();
      starts.add(startManagement(node));
      for (Role role : node.roles()) {
        starts.add(RoleStarters.of(role).start(context, node).toCompletableFuture());
      }
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
        if (failure != null) {
          ready.completeExceptionally(failure);
        } else {
          List<Listener> all = new ArrayList<>();
          starts.forEach(s -> all.addAll(s.getNow(List.of()))); // all complete here
          state.listenersBound(all);
          ready.complete(List.copyOf(all));
        }
      });
      return Behaviors.empty();
    });
  }

  private static CompletableFuture<List<Listener>> startManagement(NodeContext node) {
    CompletionStage<akka.http.javadsl.model.Uri> bound = AkkaManagement.get(node.system()).start();
    return bound.thenApply(uri -> List.of(new Listener("management", "http",
        InetSocketAddress.createUnresolved(uri.host().address(), uri.port())))).toCompletableFuture();
  }
}
