package io.lars.agent;

import io.lars.protocol.ModuleId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Modules the dns said it does not know (an empty route), remembered for a while so that a
 * client asking again and again for such a module is answered NOEXIST without asking the dns each
 * time (DESIGN.md "Robustness rules", H10). Bounded (the oldest entry goes first) and expiring;
 * nothing else about these modules is kept, journaled or remembered. Not thread-safe; times are
 * milliseconds of the caller's clock.
 */
final class NegativeCache {

  private final int maxEntries;
  private final long ttlMs;
  /** Module to the time it expires, in insertion order, hence in expiry order. */
  private final LinkedHashMap<ModuleId, Long> entries = new LinkedHashMap<>();

  /**
   * @param maxEntries modules kept at most, at least 1
   * @param ttlMs how long an entry lives, positive
   */
  NegativeCache(int maxEntries, long ttlMs) {
    if (maxEntries < 1 || ttlMs <= 0) {
      throw new IllegalArgumentException("need maxEntries >= 1 and ttl > 0, got " + maxEntries + ", " + ttlMs);
    }
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
  }

  /**
   * Remembers a module as unknown from now on, for the ttl; evicts the oldest entry when full.
   *
   * @param module the module
   * @param nowMs the clock
   */
  void put(ModuleId module, long nowMs) {
    entries.remove(module);
    entries.put(module, nowMs + ttlMs);
    if (entries.size() > maxEntries) {
      Iterator<ModuleId> oldest = entries.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * @param module the module
   * @param nowMs the clock
   * @return true when the module is remembered as unknown and the entry has not expired
   */
  boolean contains(ModuleId module, long nowMs) {
    Long expires = entries.get(module);
    if (expires == null) {
      return false;
    }
    if (nowMs >= expires) {
      entries.remove(module);
      return false;
    }
    return true;
  }

  /**
   * Forgets a module, e.g. because the dns now has a route for it.
   *
   * @param module the module
   */
  void remove(ModuleId module) {
    entries.remove(module);
  }

  /**
   * Drops the expired entries.
   *
   * @param nowMs the clock
   */
  void expire(long nowMs) {
    for (Iterator<Map.Entry<ModuleId, Long>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      if (nowMs < it.next().getValue()) {
        break;
      }
      it.remove();
    }
  }

  /** @return the number of entries, expired ones not yet dropped included */
  int size() {
    return entries.size();
  }
}
