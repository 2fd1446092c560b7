package io.lars.agent;

import io.lars.protocol.ModuleId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the reports of one agent port per module, in arrival order, until they are sent to the
 * module's {@link LoadBalanceEntity} as one {@link LoadBalanceEntity.ReportBatch}
 * (DESIGN.md "Agent views"). Bounded: at most {@code maxBuffered} reports in all; a report beyond
 * that is dropped and counted ({@link #dropped()}), never queued. Not thread-safe: owned by one
 * stream stage.
 */
final class ReportBatcher {

  private final int batchSize;
  private final int maxBuffered;
  private final Map<ModuleId, List<LoadBalanceEntity.ReportItem>> batches = new LinkedHashMap<>();
  private int buffered;
  private long dropped;

  /**
   * @param batchSize a module's batch is due once it holds this many reports, at least 1
   * @param maxBuffered reports held in all at most, at least {@code batchSize}
   */
  ReportBatcher(int batchSize, int maxBuffered) {
    if (batchSize < 1 || maxBuffered < batchSize) {
      throw new IllegalArgumentException("need 1 <= batchSize <= maxBuffered, got " + batchSize + ", " + maxBuffered);
    }
    this.batchSize = batchSize;
    this.maxBuffered = maxBuffered;
  }

  /**
   * Adds one report at the end of its module's batch.
   *
   * @param module the module
   * @param item the report
   * @return the module's batch when it is now full (it is taken out: send it), {@code null} when it
   *     is not full yet or the report was dropped because {@code maxBuffered} reports are held
   */
  List<LoadBalanceEntity.ReportItem> add(ModuleId module, LoadBalanceEntity.ReportItem item) {
    if (buffered >= maxBuffered) {
      dropped++;
      return null;
    }
    List<LoadBalanceEntity.ReportItem> batch = batches.computeIfAbsent(module, m -> new ArrayList<>());
    batch.add(item);
    buffered++;
    if (batch.size() >= batchSize) {
      batches.remove(module);
      buffered -= batch.size();
      return batch;
    }
    return null;
  }

  /**
   * Takes every batch, each in arrival order.
   *
   * @return module to its reports, modules in the order their first report came; empty when none
   */
  Map<ModuleId, List<LoadBalanceEntity.ReportItem>> drain() {
    if (batches.isEmpty()) {
      return Map.of();
    }
    Map<ModuleId, List<LoadBalanceEntity.ReportItem>> out = new LinkedHashMap<>(batches);
    batches.clear();
    buffered = 0;
    return out;
  }

  /** @return true when no report is held */
  boolean isEmpty() {
    return buffered == 0;
  }

  /** @return reports dropped because the buffer was full, since creation */
  long dropped() {
    return dropped;
  }
}
