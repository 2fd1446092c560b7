package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-port report batcher: order per module, a full batch at once, a bounded buffer with counted drops. */
class ReportBatcherTest {

  private static final ModuleId M1 = new ModuleId(1, 1);
  private static final ModuleId M2 = new ModuleId(2, 1);
  private static final Host H = Host.of("10.0.0.1", 80);

  private static LoadBalanceEntity.ReportItem item(int timecost) {
    return new LoadBalanceEntity.ReportItem(H, timecost % 2, timecost);
  }

  @Test
  void batchesKeepArrivalOrderPerModuleAndAFullBatchIsHandedOutAtOnce() {
    ReportBatcher batcher = new ReportBatcher(3, 100);
    assertNull(batcher.add(M1, item(1)));
    assertNull(batcher.add(M2, item(10)));
    assertNull(batcher.add(M1, item(2)));
    assertEquals(List.of(item(1), item(2), item(3)), batcher.add(M1, item(3)));
    assertNull(batcher.add(M1, item(4)));
    Map<ModuleId, List<LoadBalanceEntity.ReportItem>> rest = batcher.drain();
    assertEquals(List.of(M2, M1), List.copyOf(rest.keySet()));
    assertEquals(List.of(item(10)), rest.get(M2));
    assertEquals(List.of(item(4)), rest.get(M1));
    assertTrue(batcher.isEmpty());
    assertEquals(Map.of(), batcher.drain());
  }

  @Test
  void aFullBufferDropsAndCountsUntilItIsDrained() {
    ReportBatcher batcher = new ReportBatcher(10, 10);
    for (int i = 0; i < 9; i++) {
      assertNull(batcher.add(i % 2 == 0 ? M1 : M2, item(i)));
    }
    // The tenth completes no batch of 10 (5 + 5), so the buffer is full: the next ones are dropped.
    assertNull(batcher.add(M2, item(9)));
    assertNull(batcher.add(M1, item(100)));
    assertNull(batcher.add(M2, item(101)));
    assertEquals(2, batcher.dropped());
    Map<ModuleId, List<LoadBalanceEntity.ReportItem>> drained = batcher.drain();
    assertEquals(List.of(item(0), item(2), item(4), item(6), item(8)), drained.get(M1));
    assertEquals(List.of(item(1), item(3), item(5), item(7), item(9)), drained.get(M2));
    assertNull(batcher.add(M1, item(102)));
    assertEquals(2, batcher.dropped());
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ReportBatcher(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new ReportBatcher(10, 9));
  }
}
