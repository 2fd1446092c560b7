package io.lars.cli;

import io.lars.db.RouteRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Optional;

/**
 * What {@code lars route} does to routes, wherever they live: through a node's admin HTTP API
 * ({@link AdminRouteClient}, the default) or, with an explicit {@code --db URL}, directly on an
 * existing route database ({@link DatabaseRouteTool}). Every call blocks (a CLI has nothing else
 * to do); failures are a {@link Failure} carrying the exit code of {@link RouteCommand}.
 */
interface RouteTool extends AutoCloseable {

  /**
   * @param module one module, or empty for all
   * @return the route rows, ordered by id
   * @throws Failure if the routes cannot be read
   */
  List<RouteRow> list(Optional<ModuleId> module);

  /**
   * Adds a host to a module.
   *
   * @param module the module
   * @param host the host
   * @return the new row
   * @throws Failure with {@link RouteCommand#REFUSED} if the module already has the host
   */
  RouteRow add(ModuleId module, Host host);

  /**
   * Removes a host from a module.
   *
   * @param module the module
   * @param host the host
   * @throws Failure with {@link RouteCommand#REFUSED} if the module does not have the host
   */
  void remove(ModuleId module, Host host);

  /** Releases what the tool holds (a database pool); never fails. */
  @Override
  void close();

  /**
   * A failed route operation: a one-line message for stderr and the exit code it ends with.
   */
  final class Failure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The exit code, one of {@link RouteCommand}'s constants. */
    private final int exitCode;

    /**
     * @param exitCode {@link RouteCommand#REFUSED}, {@link RouteCommand#UNAVAILABLE} or
     *     {@link RouteCommand#USAGE}
     * @param message one line saying what went wrong and, where it helps, what to do
     */
    Failure(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }

    /** @return the exit code the command ends with */
    int exitCode() {
      return exitCode;
    }
  }
}
