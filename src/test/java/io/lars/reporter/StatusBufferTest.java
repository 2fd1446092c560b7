package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.db.CallStatusRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class StatusBufferTest {

  static CallStatusRow row(int modid, int port, long succ) {
    return new CallStatusRow(new ModuleId(modid, 1), new Host(0x0a000001, port), 2130706433, succ, 0, 1000 + succ, false);
  }

  @Test
  void newerRowReplacesOlderForTheSameKey() {
    StatusBuffer buffer = new StatusBuffer(10);
    assertTrue(buffer.add(row(1, 80, 1)));
    assertTrue(buffer.add(row(2, 80, 1)));
    assertTrue(buffer.add(row(1, 80, 2)));
    assertEquals(2, buffer.pending());
    assertEquals(List.of(row(1, 80, 2), row(2, 80, 1)), buffer.takeBatch(10));
  }

  @Test
  void keyIsModuleHostAndCaller() {
    StatusBuffer buffer = new StatusBuffer(10);
    CallStatusRow base = row(1, 80, 1);
    buffer.add(base);
    buffer.add(new CallStatusRow(new ModuleId(1, 2), base.host(), base.caller(), 1, 0, 1, false));
    buffer.add(new CallStatusRow(base.module(), new Host(0x0a000002, 80), base.caller(), 1, 0, 1, false));
    buffer.add(new CallStatusRow(base.module(), new Host(0x0a000001, 81), base.caller(), 1, 0, 1, false));
    buffer.add(new CallStatusRow(base.module(), base.host(), 1, 1, 0, 1, false));
    buffer.add(new CallStatusRow(base.module(), base.host(), base.caller(), 9, 9, 9, true));
    assertEquals(5, buffer.pending());
  }

  @Test
  void batchesTakeTheOldestRowsFirstAndOnlyOneIsInFlight() {
    StatusBuffer buffer = new StatusBuffer(10);
    for (int m = 0; m < 5; m++) {
      buffer.add(row(m, 80, m));
    }
    assertEquals(List.of(row(0, 80, 0), row(1, 80, 1)), buffer.takeBatch(2));
    assertEquals(2, buffer.inFlight());
    assertEquals(3, buffer.pending());
    assertThrows(IllegalStateException.class, () -> buffer.takeBatch(2));
    buffer.batchWritten();
    assertEquals(0, buffer.inFlight());
    assertEquals(List.of(row(2, 80, 2), row(3, 80, 3), row(4, 80, 4)), buffer.takeBatch(10));
    buffer.batchWritten();
    assertEquals(List.of(), buffer.takeBatch(10));
  }

  @Test
  void failedBatchGoesBackInFrontWithoutOverwritingNewerRows() {
    StatusBuffer buffer = new StatusBuffer(10);
    buffer.add(row(1, 80, 1));
    buffer.add(row(2, 80, 1));
    buffer.takeBatch(10);
    buffer.add(row(2, 80, 2));
    buffer.add(row(3, 80, 1));
    assertEquals(1, buffer.batchFailed());
    assertEquals(0, buffer.inFlight());
    assertEquals(List.of(row(1, 80, 1), row(2, 80, 2), row(3, 80, 1)), buffer.takeBatch(10));
  }

  @Test
  void newKeysAreDroppedWhenFullButKnownKeysStillUpdate() {
    StatusBuffer buffer = new StatusBuffer(3);
    assertTrue(buffer.add(row(1, 80, 1)));
    assertTrue(buffer.add(row(2, 80, 1)));
    buffer.takeBatch(1);
    assertTrue(buffer.add(row(3, 80, 1)));
    assertFalse(buffer.add(row(4, 80, 1)), "pending plus in flight is at capacity");
    assertTrue(buffer.add(row(2, 80, 5)), "a pending key is replaced even when full");
    assertFalse(buffer.add(row(1, 80, 2)), "a key only in flight counts as new");
    buffer.batchFailed();
    assertEquals(3, buffer.pending());
    assertEquals(List.of(row(1, 80, 1), row(2, 80, 5), row(3, 80, 1)), buffer.takeBatch(10));
  }

  @Test
  void rejectsCapacityBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new StatusBuffer(0));
  }
}
