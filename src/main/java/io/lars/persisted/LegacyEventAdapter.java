package io.lars.persisted;

import akka.persistence.typed.EventAdapter;
import akka.persistence.typed.EventSeq;
import java.util.Objects;
import java.util.function.Function;

/**
 * An entity's event adapter for a journal that may hold rows of the older Jackson-CBOR format
 * (DESIGN.md "Persisted data"): today's events are written and read as they are; a frozen legacy
 * record read from an old row becomes today's event through the role's conversion. The adapter
 * manifest stays empty, as without an adapter.
 *
 * @param <E> the entity's event type
 */
public final class LegacyEventAdapter<E> extends EventAdapter<E, Object> {

  private final Class<E> eventType;
  private final Function<Object, E> fromLegacy;

  /**
   * @param eventType the entity's event type
   * @param fromLegacy turns a frozen legacy record into today's event; throws
   *     {@link IllegalArgumentException} for anything else (the recovery fails and is retried)
   */
  public LegacyEventAdapter(Class<E> eventType, Function<Object, E> fromLegacy) {
    this.eventType = Objects.requireNonNull(eventType, "eventType");
    this.fromLegacy = Objects.requireNonNull(fromLegacy, "fromLegacy");
  }

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
    return EventSeq.single(eventType.isInstance(stored) ? eventType.cast(stored) : fromLegacy.apply(stored));
  }
}
