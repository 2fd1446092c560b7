package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.Objects;

/**
 * One {@code RouteData} row: a host serving a module.
 *
 * @param id the row id ({@code RouteData.id}), positive
 * @param module the module ({@code modid}, {@code cmdid})
 * @param host the host; {@code serverip} is stored unsigned (see {@link io.lars.protocol.Ipv4})
 */
public record RouteRow(long id, ModuleId module, Host host) {

  /** @throws NullPointerException if module or host is null */
  public RouteRow {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(host, "host");
  }
}
