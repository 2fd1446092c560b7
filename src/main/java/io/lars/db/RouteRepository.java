package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The routes: {@code RouteData}, {@code RouteVersion} and {@code RouteChange}.
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}. Failures of the database
 * surface as {@link DatabaseException} naming the operation.
 *
 * <p>Every write is one transaction that changes {@code RouteData}, raises
 * {@code RouteVersion.version} (row id 1) and inserts one {@code RouteChange} row with that version
 * per changed module, so the dns role sees the new version and pushes just those modules
 * (reference: the admin's SQL, {@code UPDATE RouteVersion SET version = UNIX_TIMESTAMP(NOW())}).
 * The new version is {@code max(unix seconds now, old version + 1)}: the reference's plain unix
 * time would leave the version unchanged for a second write within the same second, and the dns
 * would miss that write. Writes that change nothing leave the version alone.
 */
public interface RouteRepository {

  /**
   * @return every {@code RouteData} row, ordered by id
   * @throws DatabaseException if the query fails
   */
  List<RouteRow> loadAll();

  /**
   * @return every module with its hosts, both sorted; immutable. Modules without hosts are absent.
   * @throws DatabaseException if the query fails
   */
  Map<ModuleId, SortedSet<Host>> loadRoutes();

  /**
   * @param module the module
   * @return the rows of that module, ordered by id; empty when it has none
   * @throws DatabaseException if the query fails
   */
  List<RouteRow> list(ModuleId module);

  /**
   * @param id a {@code RouteData} id
   * @return the row, or empty when there is none
   * @throws DatabaseException if the query fails
   */
  Optional<RouteRow> find(long id);

  /**
   * @return {@code RouteVersion.version} of row id 1 (0 on a fresh database)
   * @throws DatabaseException if the query fails or the row is missing
   */
  long readVersion();

  /**
   * @param upToVersion the highest version to include
   * @return the distinct modules of {@code RouteChange} rows with {@code version <= upToVersion}, sorted
   * @throws DatabaseException if the query fails
   */
  List<ModuleId> readChanges(long upToVersion);

  /**
   * Deletes the {@code RouteChange} rows with {@code version <= upToVersion}.
   *
   * @param upToVersion the highest version to delete
   * @return the number of rows deleted
   * @throws DatabaseException if the delete fails
   */
  int deleteChanges(long upToVersion);

  /**
   * Deletes every {@code RouteChange} row (the dns does this at start).
   *
   * @return the number of rows deleted
   * @throws DatabaseException if the delete fails
   */
  int clearChanges();

  /**
   * Adds a host to a module, in one route-write transaction.
   *
   * @param module the module
   * @param host the host: ip not 0.0.0.0, port 1..65535
   * @return the new row
   * @throws IllegalArgumentException if the ip is 0 or the port is out of range (naming the field)
   * @throws DuplicateHostException if the module already has the host; nothing is written
   * @throws RouteTooLargeException if the module already has {@link RouteLimits#MAX_HOSTS_PER_MODULE}
   *     hosts; nothing is written
   * @throws DatabaseException if the database fails; nothing is written
   */
  RouteRow addHost(ModuleId module, Host host);

  /**
   * Removes a host from a module, in one route-write transaction.
   *
   * @param module the module
   * @param host the host
   * @return true if the host was removed, false if the module did not have it (nothing written)
   * @throws DatabaseException if the database fails; nothing is written
   */
  boolean removeHost(ModuleId module, Host host);

  /**
   * Removes a row by id, in one route-write transaction.
   *
   * @param id a {@code RouteData} id
   * @return true if the row was removed, false if there was none (nothing written)
   * @throws DatabaseException if the database fails; nothing is written
   */
  boolean removeRoute(long id);

  /**
   * Rewrites a row, in one route-write transaction with a {@code RouteChange} row for the old and
   * (when different) the new module. Rewriting a row with its current values writes nothing.
   *
   * @param id a {@code RouteData} id
   * @param module the new module
   * @param host the new host: ip not 0.0.0.0, port 1..65535
   * @return the row as it is now
   * @throws IllegalArgumentException if the ip is 0 or the port is out of range (naming the field)
   * @throws NoSuchElementException if there is no row with that id
   * @throws DuplicateHostException if another row already gives the new module that host
   * @throws RouteTooLargeException if the row moves to another module that already has
   *     {@link RouteLimits#MAX_HOSTS_PER_MODULE} hosts; nothing is written
   * @throws DatabaseException if the database fails; nothing is written
   */
  RouteRow updateRoute(long id, ModuleId module, Host host);
}
