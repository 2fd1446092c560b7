package io.lars.client;

import io.lars.protocol.RetCode;

/** {@link LarsClient#call} found no host to call: the agent answered OVERLOAD, NOEXIST or SYSTEM_ERROR. */
public final class NoHostException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final RetCode retCode;

  /**
   * @param retCode the agent's answer, never SUCC
   * @param modid module id
   * @param cmdid command id
   */
  public NoHostException(RetCode retCode, int modid, int cmdid) {
    super("no host for module (" + modid + "," + cmdid + "): " + retCode);
    this.retCode = retCode;
  }

  /** @return the agent's answer */
  public RetCode retCode() {
    return retCode;
  }
}
