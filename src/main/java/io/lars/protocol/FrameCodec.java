package io.lars.protocol;

import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import java.nio.ByteOrder;

/**
 * Encodes and decodes Lars frames: an 8-byte header of int32 msgid and int32 msglen (body length),
 * both little-endian, then the body (reference: lars_reactor {@code msg_head}; wire-captures
 * section 1).
 *
 * <p>TCP carries frames back to back (the stream stages in {@code io.lars.transport.FrameStreams}
 * handle partial and coalesced frames); UDP carries exactly one frame per datagram
 * ({@link #decodeDatagram}). A length is always checked before anything is buffered for it.
 * This class needs only akka-actor's {@code ByteString}: the thin client jar ships it without
 * Akka Streams.
 */
public final class FrameCodec {

  /** Header size in bytes. */
  public static final int HEADER_LENGTH = 8;
  /** Largest body in bytes: 65535 - 8 = 65527 (reference: MESSAGE_LENGTH_LIMIT). */
  public static final int MAX_BODY_LENGTH = 65535 - HEADER_LENGTH;

  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private FrameCodec() {}

  /**
   * Encodes a frame with its header.
   *
   * @param frame the frame; its body must be at most {@link #MAX_BODY_LENGTH} bytes
   * @return header and body
   * @throws FrameException with {@code OVERSIZE_LENGTH} if the body is too long
   */
  public static ByteString encode(Frame frame) {
    int len = frame.body().size();
    if (len > MAX_BODY_LENGTH) {
      throw new FrameException(FrameException.Reason.OVERSIZE_LENGTH, len,
          "frame body of " + len + " bytes is above " + MAX_BODY_LENGTH);
    }
    ByteStringBuilder b = ByteString.createBuilder();
    b.sizeHint(HEADER_LENGTH + len);
    b.putInt(frame.msgId(), LE);
    b.putInt(len, LE);
    b.append(frame.body());
    return b.result();
  }

  /**
   * Decodes one datagram that must hold exactly one frame.
   *
   * @param datagram the whole UDP payload
   * @return the frame (its body shares the datagram's bytes)
   * @throws FrameException {@code LENGTH_MISMATCH} if the size is not 8 + msglen,
   *     {@code NEGATIVE_LENGTH} or {@code OVERSIZE_LENGTH} for a msglen out of range
   */
  public static Frame decodeDatagram(ByteString datagram) {
    int size = datagram.size();
    if (size < HEADER_LENGTH) {
      throw new FrameException(FrameException.Reason.LENGTH_MISMATCH, size,
          "datagram of " + size + " bytes is shorter than the 8-byte header");
    }
    int msgId = readIntLe(datagram, 0);
    int len = checkedLength(readIntLe(datagram, 4));
    if (size != HEADER_LENGTH + len) {
      throw new FrameException(FrameException.Reason.LENGTH_MISMATCH, len,
          "datagram of " + size + " bytes does not match header msglen " + len);
    }
    return new Frame(msgId, datagram.drop(HEADER_LENGTH));
  }

  /**
   * Checks a header's msglen before anything is buffered for it.
   *
   * @param len the msglen field of a header
   * @return {@code len}, when within 0..{@link #MAX_BODY_LENGTH}
   * @throws FrameException {@code NEGATIVE_LENGTH} or {@code OVERSIZE_LENGTH}
   */
  public static int checkedBodyLength(int len) {
    return checkedLength(len);
  }

  private static int checkedLength(int len) {
    if (len < 0) {
      throw new FrameException(FrameException.Reason.NEGATIVE_LENGTH, len, "msglen " + len + " is negative");
    }
    if (len > MAX_BODY_LENGTH) {
      throw new FrameException(FrameException.Reason.OVERSIZE_LENGTH, len,
          "msglen " + len + " is above " + MAX_BODY_LENGTH);
    }
    return len;
  }

  private static int readIntLe(ByteString bytes, int offset) {
    return (bytes.apply(offset) & 0xff)
        | (bytes.apply(offset + 1) & 0xff) << 8
        | (bytes.apply(offset + 2) & 0xff) << 16
        | (bytes.apply(offset + 3) & 0xff) << 24;
  }
}
