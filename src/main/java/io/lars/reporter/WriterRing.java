package io.lars.reporter;

import akka.routing.ConsistentHash;
import io.lars.protocol.ModuleId;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Chooses the writer of a module with a consistent hash of (modid, cmdid), so one module's rows
 * are always written in order by the same writer, and a change in the number of writers moves
 * only about 1/n of the modules (reference: lars_reporter hashes modid and cmdid with murmur
 * hash onto its store threads).
 *
 * <p>Uses Akka's {@link ConsistentHash} (MurmurHash ring with virtual nodes). Immutable and
 * thread-safe.
 */
public final class WriterRing {

  /** Virtual nodes per writer: enough to keep writers within about 15% of an even share. */
  static final int VIRTUAL_NODES = 200;

  private final int writers;
  private final ConsistentHash<Integer> ring;

  private WriterRing(int writers) {
    this.writers = writers;
    this.ring = ConsistentHash.create(IntStream.range(0, writers).boxed().collect(Collectors.toList()), VIRTUAL_NODES);
  }

  /**
   * Builds the ring of writers {@code 0..writers-1}. The ring of n+1 writers is the ring of n
   * with one writer added.
   *
   * @param writers number of writers, at least 1
   * @return the ring
   * @throws IllegalArgumentException if {@code writers < 1}
   */
  public static WriterRing of(int writers) {
    if (writers < 1) {
      throw new IllegalArgumentException("writers must be at least 1, got " + writers);
    }
    return new WriterRing(writers);
  }

  /** @return the number of writers on the ring */
  public int writers() {
    return writers;
  }

  /**
   * @param module the module of a report
   * @return the index of its writer, {@code 0..writers()-1}; always the same for the same module
   */
  public int writerFor(ModuleId module) {
    byte[] key = new byte[8];
    putInt(key, 0, module.modid());
    putInt(key, 4, module.cmdid());
    return ring.nodeFor(key);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
