package io.lars.cli;

import io.lars.db.Database;
import io.lars.db.DatabaseException;
import io.lars.db.DbSettings;
import io.lars.db.DuplicateHostException;
import io.lars.db.JdbcRouteRepository;
import io.lars.db.RouteRepository;
import io.lars.db.RouteRow;
import io.lars.node.LarsConfig;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lars route add|rm|ls}: route administration from the shell, on the node's database
 * ({@code --config FILE}, {@code LARS_DB_URL} ...). Every write is the same one-transaction route
 * write the admin uses ({@code RouteData} + {@code RouteVersion} + {@code RouteChange}), so a
 * running dns pushes it within one poll interval.
 *
 * <p>Exit codes: 0 done; 1 the write was refused (duplicate host on add, no such host on rm) or
 * the database failed; 2 bad usage (unknown option, IP not a dotted quad, port outside 1..65535,
 * unreadable config).
 */
@Command(name = "route", mixinStandardHelpOptions = true,
    description = "Add, remove and list the hosts of modules in the route database.",
    subcommands = {RouteCommand.Add.class, RouteCommand.Remove.class, RouteCommand.Ls.class},
    footer = {"", "Exit codes: 0 done, 1 duplicate host / no such host / database error, 2 bad usage."})
public final class RouteCommand implements Runnable {

  /** Exit code of a refused write or a database failure. */
  static final int REFUSED = 1;
  /** Exit code of bad usage, as picocli uses for its own parse errors. */
  static final int USAGE = 2;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: a usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, rm or ls");
  }

  /** The database options shared by the subcommands. */
  static final class DbOptions {
    @Option(names = "--config", description = "HOCON file whose lars.db settings override the defaults.")
    Path config;

    /**
     * Opens the database (migrating it when {@code lars.db.migrate} is on), runs the action on the
     * route repository and closes the database.
     *
     * @return the action's exit code; {@link #USAGE} for a bad config, {@link #REFUSED} if the
     *     database fails
     */
    int withRoutes(String command, Function<RouteRepository, Integer> action) {
      DbSettings settings;
      try {
        settings = DbSettings.fromConfig(LarsConfig.load(config));
      } catch (IllegalArgumentException e) {
        System.err.println(command + ": " + e.getMessage());
        return USAGE;
      }
      try (Database db = Database.open(settings)) {
        return action.apply(new JdbcRouteRepository(db.dataSource()));
      } catch (DatabaseException e) {
        System.err.println(command + ": " + e.getMessage());
        return REFUSED;
      }
    }
  }

  /** The host arguments of add and rm. */
  static final class HostArgs {
    @Parameters(index = "0", paramLabel = "MODID", description = "Module id (int32).")
    int modid;

    @Parameters(index = "1", paramLabel = "CMDID", description = "Command id (int32).")
    int cmdid;

    @Parameters(index = "2", paramLabel = "IP", description = "IPv4 dotted quad, e.g. 10.0.0.1.")
    String ip;

    @Parameters(index = "3", paramLabel = "PORT", description = "TCP/UDP port 1..65535.")
    int port;

    ModuleId module() {
      return new ModuleId(modid, cmdid);
    }

    /** @throws IllegalArgumentException saying what is wrong with the IP or port */
    Host host() {
      return Host.of(ip, port);
    }
  }

  private static String line(RouteRow row) {
    return row.module().modid() + " " + row.module().cmdid() + " " + row.host().ipText() + " " + row.host().port()
        + " id=" + row.id();
  }

  /** {@code lars route add MODID CMDID IP PORT}. */
  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a host to a module.",
      footer = {"", "Prints: added MODID CMDID IP PORT id=ID. Exit 1 if the module already has the host."})
  static final class Add implements Callable<Integer> {
    @Mixin
    HostArgs args;

    @Mixin
    DbOptions db;

    /** Adds the host and prints the new row. */
    @Override
    public Integer call() {
      Host host;
      try {
        host = args.host();
      } catch (IllegalArgumentException e) {
        System.err.println("lars route add: " + e.getMessage());
        return USAGE;
      }
      return db.withRoutes("lars route add", routes -> {
        try {
          System.out.println("added " + line(routes.addHost(args.module(), host)));
          return 0;
        } catch (DuplicateHostException e) {
          System.err.println("lars route add: " + e.getMessage());
          return REFUSED;
        }
      });
    }
  }

  /** {@code lars route rm MODID CMDID IP PORT}. */
  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a host from a module.",
      footer = {"", "Prints: removed MODID CMDID IP PORT. Exit 1 if the module does not have the host."})
  static final class Remove implements Callable<Integer> {
    @Mixin
    HostArgs args;

    @Mixin
    DbOptions db;

    /** Removes the host. */
    @Override
    public Integer call() {
      Host host;
      try {
        host = args.host();
      } catch (IllegalArgumentException e) {
        System.err.println("lars route rm: " + e.getMessage());
        return USAGE;
      }
      return db.withRoutes("lars route rm", routes -> {
        if (!routes.removeHost(args.module(), host)) {
          System.err.println("lars route rm: module " + args.module() + " has no host " + host);
          return REFUSED;
        }
        System.out.println("removed " + args.modid + " " + args.cmdid + " " + host.ipText() + " " + host.port());
        return 0;
      });
    }
  }

  /** {@code lars route ls [MODID CMDID]}. */
  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List hosts, of all modules or of one.",
      footer = {"", "Prints one line per host: MODID CMDID IP PORT id=ID."})
  static final class Ls implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODID", description = "Module id; with CMDID.")
    Integer modid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "CMDID", description = "Command id.")
    Integer cmdid;

    @Mixin
    DbOptions db;

    /** Prints the rows, ordered by id. */
    @Override
    public Integer call() {
      if ((modid == null) != (cmdid == null)) {
        System.err.println("lars route ls: give both MODID and CMDID, or neither");
        return USAGE;
      }
      return db.withRoutes("lars route ls", routes -> {
        List<RouteRow> rows = modid == null ? routes.loadAll() : routes.list(new ModuleId(modid, cmdid));
        rows.forEach(row -> System.out.println(line(row)));
        return 0;
      });
    }
  }
}
