package io.lars.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Building blocks of the fuzz benches' inputs: raw frames, random bytes, extreme integers. */
final class FuzzInputs {

  private FuzzInputs() {}

  /**
   * @param msgId the header's msgid, any value
   * @param body the body
   * @return a frame with the wire's little-endian header and the body's real length
   */
  static byte[] frame(int msgId, byte[] body) {
    return ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN).putInt(msgId).putInt(body.length)
        .put(body).array();
  }

  /**
   * @param random the source
   * @param max the largest length, bytes
   * @return 0..max random bytes
   */
  static byte[] randomBytes(SplittableRandom random, int max) {
    byte[] b = new byte[random.nextInt(max + 1)];
    random.nextBytes(b);
    return b;
  }

  /**
   * @param random the source
   * @param small whether small non-negative values (0..99, valid ids) are among the choices
   * @return an extreme or random int: MIN, MAX, -1, 0, just above 65535, (small), any
   */
  static int extreme(SplittableRandom random, boolean small) {
    int choice = random.nextInt(small ? 7 : 6);
    return switch (choice) {
      case 0 -> Integer.MIN_VALUE;
      case 1 -> Integer.MAX_VALUE;
      case 2 -> -1;
      case 3 -> 0;
      case 4 -> 65536 + random.nextInt(1000);
      case 5 -> small ? random.nextInt(100) : random.nextInt();
      default -> random.nextInt();
    };
  }
}
