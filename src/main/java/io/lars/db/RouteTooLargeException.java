package io.lars.db;

import io.lars.protocol.ModuleId;

/**
 * A route write would give a module more than {@link RouteLimits#MAX_HOSTS_PER_MODULE} hosts,
 * more than one {@code GetRouteResponse} can carry; nothing was written. The admin answers it as
 * a client error (the request is refused, not failed).
 */
public final class RouteTooLargeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ModuleId module;
  private final int hosts;

  /**
   * @param module the module that is full
   * @param hosts the hosts it has now
   */
  public RouteTooLargeException(ModuleId module, int hosts) {
    super("module " + module + " already has " + hosts + " hosts; at most " + RouteLimits.MAX_HOSTS_PER_MODULE
        + " fit one GetRouteResponse (split the service into several modules)");
    this.module = module;
    this.hosts = hosts;
  }

  /** @return the module that is full */
  public ModuleId module() {
    return module;
  }

  /** @return the hosts the module has now */
  public int hosts() {
    return hosts;
  }

  /** @return the most hosts a module may have, {@link RouteLimits#MAX_HOSTS_PER_MODULE} */
  public int maxHosts() {
    return RouteLimits.MAX_HOSTS_PER_MODULE;
  }
}
