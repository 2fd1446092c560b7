package io.lars.cli;

import io.lars.db.RouteRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lars route add|rm|ls}: route administration from the shell, through a running node's
 * admin HTTP API ({@code --admin URL}, default {@value AdminRouteClient#DEFAULT_ADMIN}). The admin
 * writes the route in one transaction ({@code RouteData} + {@code RouteVersion} +
 * {@code RouteChange}) and has the dns push it at once. The tools never open a database of their
 * own, unless {@code --db URL} asks for the direct mode ({@link DatabaseRouteTool}), which only
 * opens a database that already exists.
 *
 * <p>Token (writes need it; reads from loopback do not): {@code --token}, else
 * {@code LARS_ADMIN_TOKEN}, else the file {@code ./data/admin-token} a node started in this
 * directory wrote ({@code --token-file} names another).
 *
 * <p>Exit codes: {@value #OK} done; {@value #REFUSED} the module already has the host (add) or does
 * not have it (rm), the admin's 409 and 404; {@value #UNAVAILABLE} the admin or database cannot be
 * reached, refused the token, or failed (5xx); {@value #USAGE} bad usage (unknown option, IP not
 * a dotted quad, port outside 1..65535, a request the admin rejects with 400).
 */
@Command(name = "route", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = RouteCommand.USAGE,
    description = "Add, remove and list the hosts of modules, through a node's admin HTTP API.",
    subcommands = {RouteCommand.Add.class, RouteCommand.Remove.class, RouteCommand.Ls.class},
    footer = {"", "Exit codes: 0 done; 1 duplicate host / no such host; 2 the admin (or database) cannot be reached,",
        "refused the token or failed; 64 bad usage."})
public final class RouteCommand implements Runnable {

  /** Exit code of success. */
  static final int OK = 0;
  /** Exit code of a refused write: duplicate host on add, no such host on rm (HTTP 409/404). */
  static final int REFUSED = 1;
  /** Exit code when the admin or database cannot be reached, refuses the token or fails. */
  static final int UNAVAILABLE = 2;
  /** Exit code of bad usage ({@code EX_USAGE} of sysexits.h). */
  static final int USAGE = 64;

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: a usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, rm or ls");
  }

  /** Where the routes are: the admin API (default) or, with {@code --db}, a database. */
  static final class Target {
    @Option(names = "--admin", paramLabel = "URL",
        description = "The node's admin HTTP API (default: " + AdminRouteClient.DEFAULT_ADMIN + ").")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "Admin bearer token (default: $LARS_ADMIN_TOKEN, else the --token-file).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "Token file a node wrote (default: ./data/admin-token, used when it exists).")
    Path tokenFile;

    @Option(names = "--db", paramLabel = "JDBC_URL",
        description = "Direct mode: write to this existing Lars database instead of the admin "
            + "(user $LARS_DB_USER or --db-user, password $LARS_DB_PASSWORD). Never creates a database; "
            + "the dns serves the change after its next poll.")
    String db;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user of --db (default: $LARS_DB_USER, else sa).")
    String dbUser;

    /** The tool for the options given; the caller closes it. */
    RouteTool open(Map<String, String> env) {
      if (db != null) {
        if (admin != null || token != null || tokenFile != null) {
          throw new RouteTool.Failure(USAGE, "--db (direct mode) and --admin/--token/--token-file exclude each other");
        }
        String user = dbUser != null ? dbUser : env.getOrDefault("LARS_DB_USER", "sa");
        return DatabaseRouteTool.open(db, user, env.getOrDefault("LARS_DB_PASSWORD", ""));
      }
      if (dbUser != null) {
        throw new RouteTool.Failure(USAGE, "--db-user needs --db");
      }
      Optional<String> resolved = AdminRouteClient.resolveToken(token, env,
          tokenFile != null ? tokenFile : AdminRouteClient.DEFAULT_TOKEN_FILE);
      return new AdminRouteClient(admin != null ? admin : AdminRouteClient.DEFAULT_ADMIN, resolved, REQUEST_TIMEOUT);
    }

    /**
     * Opens the tool, runs the action and closes the tool; a {@link RouteTool.Failure} is printed
     * as one line on stderr.
     *
     * @return the action's exit code, or the failure's
     */
    int run(String command, Function<RouteTool, Integer> action) {
      try (RouteTool tool = open(System.getenv())) {
        return action.apply(tool);
      } catch (RouteTool.Failure e) {
        System.err.println(command + ": " + e.getMessage());
        return e.exitCode();
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

    /** @throws RouteTool.Failure with {@link #USAGE} saying what is wrong with the IP or port */
    Host host() {
      try {
        return Host.of(ip, port);
      } catch (IllegalArgumentException e) {
        throw new RouteTool.Failure(USAGE, e.getMessage());
      }
    }
  }

  private static String line(RouteRow row) {
    return row.module().modid() + " " + row.module().cmdid() + " " + row.host().ipText() + " " + row.host().port()
        + " id=" + row.id();
  }

  /** {@code lars route add MODID CMDID IP PORT}. */
  @Command(name = "add", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "Add a host to a module.",
      footer = {"", "Prints: added MODID CMDID IP PORT id=ID. Exit 1 if the module already has the host."})
  static final class Add implements Callable<Integer> {
    @Mixin
    HostArgs args;

    @Mixin
    Target target;

    /** Adds the host and prints the new row. */
    @Override
    public Integer call() {
      return target.run("lars route add", routes -> {
        RouteRow row = routes.add(args.module(), args.host());
        System.out.println("added " + line(row));
        return OK;
      });
    }
  }

  /** {@code lars route rm MODID CMDID IP PORT}. */
  @Command(name = "rm", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "Remove a host from a module.",
      footer = {"", "Prints: removed MODID CMDID IP PORT. Exit 1 if the module does not have the host."})
  static final class Remove implements Callable<Integer> {
    @Mixin
    HostArgs args;

    @Mixin
    Target target;

    /** Removes the host. */
    @Override
    public Integer call() {
      return target.run("lars route rm", routes -> {
        Host host = args.host();
        routes.remove(args.module(), host);
        System.out.println("removed " + args.modid + " " + args.cmdid + " " + host.ipText() + " " + host.port());
        return OK;
      });
    }
  }

  /** {@code lars route ls [MODID CMDID]}. */
  @Command(name = "ls", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "List hosts, of all modules or of one.",
      footer = {"", "Prints one line per host: MODID CMDID IP PORT id=ID."})
  static final class Ls implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODID", description = "Module id; with CMDID.")
    Integer modid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "CMDID", description = "Command id.")
    Integer cmdid;

    @Mixin
    Target target;

    /** Prints the rows, ordered by id. */
    @Override
    public Integer call() {
      if ((modid == null) != (cmdid == null)) {
        System.err.println("lars route ls: give both MODID and CMDID, or neither");
        return USAGE;
      }
      return target.run("lars route ls", routes -> {
        List<RouteRow> rows = routes.list(modid == null ? Optional.empty() : Optional.of(new ModuleId(modid, cmdid)));
        rows.forEach(row -> System.out.println(line(row)));
        return OK;
      });
    }
  }
}
