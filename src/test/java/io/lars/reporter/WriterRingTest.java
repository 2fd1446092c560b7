package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.ModuleId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class WriterRingTest {

  private static List<ModuleId> modules(int n) {
    List<ModuleId> modules = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      modules.add(new ModuleId(i / 10, i % 10 - 3));
    }
    return modules;
  }

  @Test
  void sameModuleAlwaysGoesToTheSameWriter() {
    WriterRing ring = WriterRing.of(3);
    WriterRing other = WriterRing.of(3);
    for (ModuleId m : modules(1000)) {
      int w = ring.writerFor(m);
      assertTrue(w >= 0 && w < 3);
      assertEquals(w, ring.writerFor(new ModuleId(m.modid(), m.cmdid())));
      assertEquals(w, other.writerFor(m), "independent of the instance");
    }
  }

  @Test
  void writersGetSimilarShares() {
    WriterRing ring = WriterRing.of(3);
    int[] counts = new int[3];
    modules(10_000).forEach(m -> counts[ring.writerFor(m)]++);
    for (int c : counts) {
      assertTrue(c > 10_000 / 3 * 0.75 && c < 10_000 / 3 * 1.25, "share " + c + " of 10000 over 3 writers");
    }
  }

  @Test
  void addingAWriterMovesAboutOneNthOfTheModulesAndOnlyToTheNewWriter() {
    for (int n = 1; n <= 6; n++) {
      WriterRing before = WriterRing.of(n);
      WriterRing after = WriterRing.of(n + 1);
      int moved = 0;
      for (ModuleId m : modules(10_000)) {
        int from = before.writerFor(m);
        int to = after.writerFor(m);
        if (from != to) {
          moved++;
          assertEquals(n, to, "a moved module goes to the new writer");
        }
      }
      double expected = 10_000.0 / (n + 1);
      assertTrue(Math.abs(moved - expected) < expected * 0.25,
          "adding writer " + (n + 1) + " moved " + moved + ", expected about " + (int) expected);
    }
  }

  @Test
  void needsAtLeastOneWriter() {
    assertThrows(IllegalArgumentException.class, () -> WriterRing.of(0));
    assertEquals(0, WriterRing.of(1).writerFor(new ModuleId(7, 7)));
  }
}
