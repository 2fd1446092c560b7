package io.lars.persisted;

import akka.persistence.typed.EventAdapter;
import akka.persistence.typed.EventSeq;
import java.util.Objects;

/**
 * An entity's event adapter for a journal that may hold rows of the older Jackson-CBOR format
 * (DESIGN.md "Persisted data"): today's events are written and read as they are; a frozen legacy
 * record read from an old row becomes today's event through {@link #fromLegacy}. The adapter
 * manifest stays empty, as without an adapter.
 *
 * @param <E> the entity's event type
 */
public abstract class LegacyEventAdapter<E> extends EventAdapter<E, Object> {

  private final Class<E> eventType;

  /**
   * @param eventType the entity's event type
   */
  protected LegacyEventAdapter(Class<E> eventType) {
    this.eventType = Objects.requireNonNull(eventType, "eventType");
  }

  /**
   * Turns a frozen legacy record into today's event.
   *
   * @param legacy what an old row was read into
   * @return today's event
   * @throws IllegalArgumentException if it is not one of the role's legacy records (the recovery
   *     fails and is retried)
   */
  protected abstract E fromLegacy(Object legacy);

  @Override
  public Object toJournal(E event) {
    return event;
  }

  /** @return empty, as without an adapter */
  @Override
  public String manifest(E event) {
    return "";
  }

  /**
   * @param stored an event as read from the journal
   * @param manifest the adapter manifest (empty)
   * @return the event in today's form
   * @throws IllegalArgumentException if it is neither today's event nor a legacy record
   */
  @Override
  public EventSeq<E> fromJournal(Object stored, String manifest) {
    return EventSeq.single(eventType.isInstance(stored) ? eventType.cast(stored) : fromLegacy(stored));
  }
}
