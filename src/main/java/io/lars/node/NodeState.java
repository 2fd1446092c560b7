package io.lars.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.lars.db.Database;
import io.lars.kernel.Listener;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the node's health checks read: the node's database and whether all its listeners are bound.
 *
 * <p>The node guardian fills it in: the database before anything else starts, the listeners once
 * every role has bound them; coordinated shutdown marks them unbound before it unbinds, so
 * readiness turns false as soon as the node starts to stop. Thread-safe.
 */
public final class NodeState implements Extension {

  /** The extension id; use {@link #get}. */
  public static final ExtensionId<NodeState> ID = new ExtensionId<>() {
    @Override
    public NodeState createExtension(ActorSystem<?> system) {
      return new NodeState();
    }
  };

  private final AtomicReference<Optional<Database>> database = new AtomicReference<>(Optional.empty());
  /** Empty until bound, and again once unbinding started. */
  private final AtomicReference<Optional<List<Listener>>> listeners = new AtomicReference<>(Optional.empty());

  private NodeState() {}

  /**
   * @param system the node's actor system
   * @return the node state of that system
   */
  public static NodeState get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** @return the node's database, empty when none of its roles needs one */
  public Optional<Database> database() {
    return database.get();
  }

  /** @return the bound listeners, empty until every role bound them and after unbinding started */
  public Optional<List<Listener>> listeners() {
    return listeners.get();
  }

  /** @return true when every listener of the node's roles is bound and none is unbinding */
  public boolean listenersBound() {
    return listeners.get().isPresent();
  }

  /** @param db the database the node opened, or empty */
  void databaseOpened(Optional<Database> db) {
    database.set(Objects.requireNonNull(db, "db"));
  }

  /** @param bound every listener of the node, management included */
  void listenersBound(List<Listener> bound) {
    listeners.set(Optional.of(List.copyOf(bound)));
  }

  /** Coordinated shutdown has started unbinding. */
  void unbinding() {
    listeners.set(Optional.empty());
  }
}
