package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.db.CallStatusRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Drives a buffer with random adds, batches, failures and successes against a model table: with
 * a capacity no run can exceed, the stored table ends with the last row of every key.
 */
class StatusBufferProperties {

  /** An operation: 0..9 add a row for key op, 10 take a batch, 11 the batch fails, 12 it is stored. */
  @Provide
  Arbitrary<List<Integer>> operations() {
    return Arbitraries.integers().between(0, 12).list().ofMaxSize(300);
  }

  @Property(tries = 300)
  void lastWriteWinsThroughFailures(@ForAll("operations") List<Integer> ops) {
    StatusBuffer buffer = new StatusBuffer(1000);
    Map<StatusBuffer.Key, CallStatusRow> stored = new HashMap<>();
    Map<StatusBuffer.Key, CallStatusRow> latest = new HashMap<>();
    List<CallStatusRow> batch = List.of();
    long seq = 0;
    for (int op : ops) {
      if (op < 10) {
        CallStatusRow row = StatusBufferTest.row(op, 80, ++seq);
        assertTrue(buffer.add(row));
        latest.put(StatusBuffer.Key.of(row), row);
      } else if (op == 10 && buffer.inFlight() == 0) {
        batch = buffer.takeBatch(3);
      } else if (op == 11) {
        batch = List.of();
        buffer.batchFailed();
      } else if (op == 12) {
        batch.forEach(r -> stored.put(StatusBuffer.Key.of(r), r));
        batch = List.of();
        buffer.batchWritten();
      }
      assertTrue(buffer.pending() <= 10 && buffer.inFlight() <= 3);
    }
    buffer.batchFailed();
    buffer.takeBatch(Integer.MAX_VALUE).forEach(r -> stored.put(StatusBuffer.Key.of(r), r));
    assertEquals(latest, stored);
  }
}
