package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.ModuleId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Modules the dns does not know: remembered bounded and for the ttl only (issue 19 item 10). */
@Execution(ExecutionMode.CONCURRENT)
class NegativeCacheTest {

  @Test
  void entriesExpireAfterTheTtl() {
    NegativeCache cache = new NegativeCache(10, 1_000);
    cache.put(new ModuleId(1, 1), 0);
    assertTrue(cache.contains(new ModuleId(1, 1), 999));
    assertFalse(cache.contains(new ModuleId(1, 1), 1_000));
    assertEquals(0, cache.size());
  }

  @Test
  void theOldestEntryGoesWhenFullSoThousandsOfGarbageModulesStayBounded() {
    NegativeCache cache = new NegativeCache(100, 60_000);
    for (int i = 0; i < 2_000; i++) {
      cache.put(new ModuleId(i, 1), i);
    }
    assertEquals(100, cache.size());
    assertFalse(cache.contains(new ModuleId(0, 1), 2_000));
    assertTrue(cache.contains(new ModuleId(1_999, 1), 2_000));
    cache.expire(1_999 + 60_000);
    assertEquals(0, cache.size());
  }

  @Test
  void aModuleTheDnsNowKnowsIsRemoved() {
    NegativeCache cache = new NegativeCache(10, 60_000);
    cache.put(new ModuleId(5, 5), 0);
    cache.remove(new ModuleId(5, 5));
    assertFalse(cache.contains(new ModuleId(5, 5), 1));
  }
}
