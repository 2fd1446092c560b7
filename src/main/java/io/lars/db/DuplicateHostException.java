package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;

/** A route write would give a module the same host twice; nothing was written. */
public final class DuplicateHostException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ModuleId module;
  private final transient Host host;

  /**
   * @param module the module that already has the host
   * @param host the host
   */
  public DuplicateHostException(ModuleId module, Host host) {
    super("module " + module + " already has host " + host);
    this.module = module;
    this.host = host;
  }

  /** @return the module that already has the host */
  public ModuleId module() {
    return module;
  }

  /** @return the duplicate host */
  public Host host() {
    return host;
  }
}
