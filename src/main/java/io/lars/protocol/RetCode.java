package io.lars.protocol;


/**
 * Lars return codes (reference: lars.proto {@code LarsRetCode}); the numbers are the wire values
 * and the exit codes of the {@code gethost} command.
 */
public enum RetCode {
  /** 0: a host was chosen, or the call succeeded. */
  SUCC(0),
  /** 1: every host of the module is overloaded and this was not a probe turn. */
  OVERLOAD(1),
  /** 2: the agent could not answer (timeout, internal failure). */
  SYSTEM_ERROR(2),
  /** 3: the module has no route. */
  NOEXIST(3);

  private final int code;

  RetCode(int code) {
    this.code = code;
  }

  /** @return the wire value, 0..3 */
  public int code() {
    return code;
  }

  /**
   * Maps a wire value.
   *
   * @param code a wire value
   * @return the return code, or {@link #SYSTEM_ERROR} for values this protocol does not define
   */
  public static RetCode of(int code) {
    return switch (code) {
      case 0 -> SUCC;
      case 1 -> OVERLOAD;
      case 3 -> NOEXIST;
      default -> SYSTEM_ERROR;
    };
  }
}
