package io.lars.kernel;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one incarnation of a node's actor system leaves to the next one in the same process
 * (DESIGN.md "Robustness rules", H12): an agent-only node that was removed from the cluster starts a new actor system while
 * the old one still serves, and the new one's roles take over the old one's state through here
 * (the agent: its node views). One per {@link io.lars.node.LarsNode}, shared by all its incarnations through
 * {@link NodeContext#handOver()}. Thread-safe.
 */
public final class HandOver {

  /**
   * A typed slot.
   *
   * @param <T> the type of what is handed over
   */
  public static final class Key<T> {
    private final String name;

    /** @param name a name for messages, e.g. {@code agent-views} */
    public Key(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final ConcurrentHashMap<Key<?>, Object> values = new ConcurrentHashMap<>();

  /** Creates an empty hand-over: a node's first incarnation finds nothing in it. */
  public HandOver() {}

  /**
   * Leaves this incarnation's value and takes the previous incarnation's, in one step.
   *
   * @param key the slot
   * @param value this incarnation's value, not null
   * @param <T> the slot's type
   * @return the value the previous incarnation left, empty in the first one
   */
  @SuppressWarnings("unchecked") // a Key<T> slot only ever holds a T
  public <T> Optional<T> swap(Key<T> key, T value) {
    return Optional.ofNullable((T) values.put(key, Objects.requireNonNull(value, "value")));
  }
}
