package io.lars.client;

import io.lars.protocol.Host;
import io.lars.protocol.RetCode;

/**
 * The agent's answer to get_host.
 *
 * @param retCode {@code SUCC} with a host, or {@code OVERLOAD}, {@code NOEXIST}, {@code SYSTEM_ERROR}
 * @param host the chosen host when {@code SUCC}, else {@code null}
 */
public record HostResult(RetCode retCode, Host host) {

  /** @return true when a host was chosen */
  public boolean isSucc() {
    return retCode == RetCode.SUCC && host != null;
  }
}
