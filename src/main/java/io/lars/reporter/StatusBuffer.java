package io.lars.reporter;

import io.lars.db.CallStatusRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The rows one writer has not stored yet: at most one row per primary key of
 * {@code ServerCallStatus}, where a newer row replaces the older one (last write wins), and at
 * most one batch in flight.
 *
 * <p>The capacity bounds pending plus in-flight rows, so a failed batch always fits back. A row
 * with a new key that finds the buffer full is refused; a row for a key already pending always
 * replaces it. Rows leave in arrival order of their key, oldest first.
 *
 * <p>Plain class, not thread-safe: owned by one {@link StatusWriter}.
 */
public final class StatusBuffer {

  /**
   * The primary key of {@code ServerCallStatus}.
   *
   * @param module modid and cmdid
   * @param host ip and port of the called host
   * @param caller the reporting agent's IPv4 in Lars int32 form
   */
  public record Key(ModuleId module, Host host, int caller) {

    /**
     * @param row a statistics row
     * @return its primary key
     */
    public static Key of(CallStatusRow row) {
      return new Key(row.module(), row.host(), row.caller());
    }
  }

  private final int capacity;
  private LinkedHashMap<Key, CallStatusRow> pending = new LinkedHashMap<>();
  private List<CallStatusRow> inFlight = List.of();

  /**
   * @param capacity most rows kept, pending and in flight together, at least 1
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public StatusBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Adds a row, replacing a pending row with the same key.
   *
   * @param row the newest row for its key
   * @return false if the row was dropped: its key is not pending and the buffer is full
   */
  public boolean add(CallStatusRow row) {
    Key key = Key.of(row);
    if (pending.containsKey(key)) {
      pending.put(key, row);
      return true;
    }
    if (pending.size() + inFlight.size() >= capacity) {
      return false;
    }
    pending.put(key, row);
    return true;
  }

  /**
   * Moves up to {@code max} of the oldest pending rows into flight.
   *
   * @param max most rows in the batch, at least 1
   * @return the batch (immutable), empty when nothing is pending
   * @throws IllegalStateException if a batch is already in flight
   */
  public List<CallStatusRow> takeBatch(int max) {
    if (!inFlight.isEmpty()) {
      throw new IllegalStateException("a batch of " + inFlight.size() + " rows is already in flight");
    }
    List<CallStatusRow> batch = new ArrayList<>(Math.min(max, pending.size()));
    Iterator<CallStatusRow> it = pending.values().iterator();
    while (batch.size() < max && it.hasNext()) {
      batch.add(it.next());
      it.remove();
    }
    inFlight = List.copyOf(batch);
    return inFlight;
  }

  /** The batch in flight was stored: forget it. */
  public void batchWritten() {
    inFlight = List.of();
  }

  /**
   * The batch in flight was not stored: put its rows back in front of the pending ones, except
   * where a newer row for the same key arrived meanwhile (that one wins).
   *
   * @return rows put back
   */
  public int batchFailed() {
    LinkedHashMap<Key, CallStatusRow> merged = new LinkedHashMap<>();
    for (CallStatusRow row : inFlight) {
      Key key = Key.of(row);
      if (!pending.containsKey(key)) {
        merged.put(key, row);
      }
    }
    int restored = merged.size();
    merged.putAll(pending);
    pending = merged;
    inFlight = List.of();
    return restored;
  }

  /** @return rows waiting to be written, in flight not included */
  public int pending() {
    return pending.size();
  }

  /** @return rows of the batch in flight, 0 when none */
  public int inFlight() {
    return inFlight.size();
  }

  /** @return the most rows kept, pending and in flight together */
  public int capacity() {
    return capacity;
  }
}
