package io.lars.cli;

import io.lars.db.Database;
import io.lars.db.DatabaseException;
import io.lars.db.DbSettings;
import io.lars.db.DuplicateHostException;
import io.lars.db.RouteTooLargeException;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.JdbcUrls;
import io.lars.db.RouteRepository;
import io.lars.db.RouteRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code lars route --db URL}: the route tools on an existing Lars database, without a node. The
 * write is the same one-transaction route write the admin uses, so a running dns serves it within
 * one poll interval ({@code lars.dns.poll-interval}); the admin's immediate push does not happen.
 *
 * <p>It never creates or migrates a database: an H2 URL gets {@code ;IFEXISTS=TRUE}, a MySQL URL
 * with {@code createDatabaseIfNotExist} is refused, and a database without the Lars tables is an
 * error naming the URL (password masked). Failures to reach or read the database end with
 * {@link RouteCommand#UNAVAILABLE}.
 */
final class DatabaseRouteTool implements RouteTool {

  private static final int POOL_SIZE = 1;
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private final Database database;
  private final RouteRepository routes;

  private DatabaseRouteTool(Database database) {
    this.database = database;
    this.routes = new JdbcRouteRepository(database.dataSource());
  }

  /**
   * Opens an existing Lars database.
   *
   * @param url a {@code jdbc:h2:} or {@code jdbc:mysql:} URL
   * @param user the database user
   * @param password the password, may be empty
   * @return the tool; close it when done
   * @throws RouteTool.Failure with {@link RouteCommand#USAGE} for a URL that is not H2/MySQL or
   *     asks to create the database; with {@link RouteCommand#UNAVAILABLE} if the database does
   *     not exist, cannot be reached or has no Lars tables
   */
  static DatabaseRouteTool open(String url, String user, String password) {
    DbSettings settings;
    try {
      settings = new DbSettings(existingOnly(url), user, password, POOL_SIZE, CONNECTION_TIMEOUT, false);
    } catch (IllegalArgumentException e) {
      throw new Failure(RouteCommand.USAGE, "--db: " + e.getMessage().replace("lars.db.url (or LARS_DB_URL)", "the URL"));
    }
    // One plain connection first: it fails at once with the driver's reason (a pool would only time out).
    DriverManager.setLoginTimeout((int) CONNECTION_TIMEOUT.toSeconds());
    try (Connection c = DriverManager.getConnection(settings.url(), user, password)) {
      if (!hasRouteTable(c)) {
        throw new Failure(RouteCommand.UNAVAILABLE, "database " + settings.safeUrl()
            + " has no Lars tables (RouteData); start a node on it once to create them");
      }
    } catch (SQLException e) {
      throw new Failure(RouteCommand.UNAVAILABLE, "cannot open database " + settings.safeUrl() + " as user '" + user
          + "': " + JdbcUrls.maskIn(firstLine(e.getMessage())));
    }
    Database db = Database.open(settings);
    return new DatabaseRouteTool(db);
  }

  /** The URL with database creation switched off, or a usage failure if it asks for creation. */
  static String existingOnly(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:h2:")) {
      if (lower.contains(";ifexists=false")) {
        throw new Failure(RouteCommand.USAGE, "--db: remove IFEXISTS=FALSE; the route tools never create a database");
      }
      return lower.contains(";ifexists=true") ? url : url + ";IFEXISTS=TRUE";
    }
    if (lower.contains("createdatabaseifnotexist=true")) {
      throw new Failure(RouteCommand.USAGE,
          "--db: remove createDatabaseIfNotExist; the route tools never create a database");
    }
    return url;
  }

  private static boolean hasRouteTable(Connection c) throws SQLException {
    for (String name : List.of("RouteData", "ROUTEDATA", "routedata")) {
      try (var rs = c.getMetaData().getTables(c.getCatalog(), null, name, null)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.strip().lines().findFirst().orElse("");
  }

  @Override
  public List<RouteRow> list(Optional<ModuleId> module) {
    return guarded(() -> module.map(routes::list).orElseGet(routes::loadAll));
  }

  @Override
  public RouteRow add(ModuleId module, Host host) {
    return guarded(() -> {
      try {
        return routes.addHost(module, host);
      } catch (DuplicateHostException | RouteTooLargeException e) {
        throw new Failure(RouteCommand.REFUSED, e.getMessage());
      }
    });
  }

  @Override
  public void remove(ModuleId module, Host host) {
    guarded(() -> {
      if (!routes.removeHost(module, host)) {
        throw new Failure(RouteCommand.REFUSED, "module " + module + " has no host " + host);
      }
      return null;
    });
  }

  private static <T> T guarded(Supplier<T> work) {
    try {
      return work.get();
    } catch (DatabaseException e) {
      throw new Failure(RouteCommand.UNAVAILABLE, JdbcUrls.maskIn(e.getMessage()));
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
