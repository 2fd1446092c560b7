package io.lars.protocol;

/**
 * A frame that breaks the Lars framing rules. Carries the reason and the offending value so a
 * server can log it once and drop the datagram or close the connection.
 */
public final class FrameException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a frame was refused. */
  public enum Reason {
    /** msglen below 0. */
    NEGATIVE_LENGTH,
    /** msglen above {@link FrameCodec#MAX_BODY_LENGTH}. */
    OVERSIZE_LENGTH,
    /** a datagram whose size is not 8 + msglen, or shorter than a header. */
    LENGTH_MISMATCH,
    /** a msgid Lars does not define, or one this endpoint does not serve. */
    UNKNOWN_MSGID,
    /** a body that is not a valid protobuf message of its msgid. */
    BAD_BODY
  }

  private final Reason reason;
  private final long value;

  /**
   * @param reason why the frame was refused
   * @param value the offending length or msgid
   * @param message what happened, for the log
   */
  public FrameException(Reason reason, long value, String message) {
    super(message);
    this.reason = reason;
    this.value = value;
  }

  /**
   * @param reason why the frame was refused
   * @param value the offending length or msgid
   * @param message what happened, for the log
   * @param cause the parser's exception
   */
  public FrameException(Reason reason, long value, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.value = value;
  }

  /** @return why the frame was refused */
  public Reason reason() {
    return reason;
  }

  /** @return the offending length (bytes) or msgid */
  public long value() {
    return value;
  }
}
