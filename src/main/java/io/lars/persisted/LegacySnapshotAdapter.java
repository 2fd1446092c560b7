package io.lars.persisted;

import akka.persistence.typed.SnapshotAdapter;
import java.util.Objects;
import java.util.function.Function;

/**
 * An entity's snapshot adapter for a store that may hold snapshots of the older Jackson-CBOR
 * format (DESIGN.md "Persisted data"): today's state is written and read as it is; a frozen
 * legacy record read from an old snapshot becomes today's state through the role's conversion.
 *
 * @param <S> the entity's state type
 */
public final class LegacySnapshotAdapter<S> implements SnapshotAdapter<S> {

  private final Class<S> stateType;
  private final Function<Object, S> fromLegacy;

  /**
   * @param stateType the entity's state type
   * @param fromLegacy turns the frozen legacy state record into today's state; throws
   *     {@link IllegalArgumentException} for anything else
   */
  public LegacySnapshotAdapter(Class<S> stateType, Function<Object, S> fromLegacy) {
    this.stateType = Objects.requireNonNull(stateType, "stateType");
    this.fromLegacy = Objects.requireNonNull(fromLegacy, "fromLegacy");
  }

  @Override
  public Object toJournal(S state) {
    return state;
  }

  /**
   * @param stored a snapshot as read from the store
   * @return the state in today's form
   * @throws IllegalArgumentException if it is neither today's state nor the legacy record
   */
  @Override
  public S fromJournal(Object stored) {
    return stateType.isInstance(stored) ? stateType.cast(stored) : fromLegacy.apply(stored);
  }
}
