package io.lars.persisted;

import akka.persistence.typed.SnapshotAdapter;
import java.util.Objects;

/**
 * An entity's snapshot adapter for a store that may hold snapshots of the older Jackson-CBOR
 * format (DESIGN.md "Persisted data"): today's state is written and read as it is; a frozen
 * legacy record read from an old snapshot becomes today's state through {@link #fromLegacy}.
 *
 * @param <S> the entity's state type
 */
public abstract class LegacySnapshotAdapter<S> implements SnapshotAdapter<S> {

  private final Class<S> stateType;

  /**
   * @param stateType the entity's state type
   */
  protected LegacySnapshotAdapter(Class<S> stateType) {
    this.stateType = Objects.requireNonNull(stateType, "stateType");
  }

  /**
   * Turns a frozen legacy record into today's state.
   *
   * @param legacy what an old snapshot was read into
   * @return today's state
   * @throws IllegalArgumentException if it is not the role's legacy state record
   */
  protected abstract S fromLegacy(Object legacy);

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
    return stateType.isInstance(stored) ? stateType.cast(stored) : fromLegacy(stored);
  }
}
