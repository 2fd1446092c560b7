package io.lars.cli;

import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code target/lars.jar}: dispatches to the subcommands.
 *
 * <p>Exit codes of the client commands: {@value #SUCC} SUCC, {@value #OVERLOAD} OVERLOAD,
 * {@value #SYSTEM_ERROR} SYSTEM_ERROR, {@value #NOEXIST} NOEXIST (the reference return codes),
 * {@value #NO_ANSWER} no answer from the agent, and {@value #USAGE} for a usage error of any
 * subcommand (sysexits {@code EX_USAGE}), reported in one line on stderr.
 */
@Command(name = "lars", mixinStandardHelpOptions = true, version = "lars 0.1.0",
    description = "Lars on Akka: load balancing and service routing.",
    exitCodeListHeading = "Exit codes of the client commands (gethost, getroute, report, simulate, qps):%n",
    exitCodeList = {LarsMain.EXIT_0, LarsMain.EXIT_1, LarsMain.EXIT_2, LarsMain.EXIT_3, LarsMain.EXIT_4, LarsMain.EXIT_64},
    subcommands = {NodeCommand.class, ClientCommands.GetHost.class, ClientCommands.GetRoute.class,
        ClientCommands.Report.class, SimulateCommand.class, QpsCommand.class, RouteCommand.class,
        DemoCommand.class, LeaseCommands.Register.class, LeaseCommands.Leases.class})
public final class LarsMain implements Runnable {

  /** Exit code: success, or the agent answered SUCC. */
  public static final int SUCC = 0;
  /** Exit code: the agent answered OVERLOAD (every host of the module overloaded). */
  public static final int OVERLOAD = 1;
  /** Exit code: the agent answered SYSTEM_ERROR, or the client failed. */
  public static final int SYSTEM_ERROR = 2;
  /** Exit code: the agent answered NOEXIST (the module has no hosts). */
  public static final int NOEXIST = 3;
  /** Exit code: the agent did not answer (after one retry). */
  public static final int NO_ANSWER = 4;
  /** Exit code of a usage error (bad option or parameter), sysexits {@code EX_USAGE}. */
  public static final int USAGE = 64;

  static final String EXIT_0 = "0:SUCC: done; for gethost, a host was chosen";
  static final String EXIT_1 = "1:OVERLOAD: every host of the module is overloaded";
  static final String EXIT_2 = "2:SYSTEM_ERROR: the agent (or this client) failed";
  static final String EXIT_3 = "3:NOEXIST: the module has no hosts";
  static final String EXIT_4 = "4:no answer from the agent (after one retry)";
  static final String EXIT_64 = "64:usage error (EX_USAGE)";

  /** The JDK property that sizes the common fork-join pool; read once, when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  /**
   * Runs the command line and exits with its code. On a machine with fewer than 3 cores it first
   * gives the common fork-join pool 2 threads ({@link #commonPoolParallelism}).
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    commonPoolParallelism(System.getProperty(COMMON_POOL_PARALLELISM), Runtime.getRuntime().availableProcessors())
        .ifPresent(threads -> System.setProperty(COMMON_POOL_PARALLELISM, threads));
    System.exit(run(args));
  }

  /**
   * The common pool's size to set before anything uses it. With fewer than 3 cores the JDK gives
   * the pool one thread, and {@code CompletableFuture} then runs every async callback without an
   * executor on a thread of its own: Akka's Java futures complete there (49,804 threads started in
   * 64 s of lease heartbeats on 2 cores; docs/BENCHMARKS.md, issue 16).
   *
   * @param current the property's value, null when unset (an operator's choice is kept)
   * @param cores the available processors, at least 1
   * @return "2" when unset and {@code cores} is below 3, else empty
   */
  static Optional<String> commonPoolParallelism(String current, int cores) {
    return current == null && cores < 3 ? Optional.of("2") : Optional.empty();
  }

  /**
   * Runs the command line without exiting, for tests.
   *
   * @param args command-line arguments
   * @return the exit code: {@value #USAGE} for any usage error, otherwise the subcommand's code
   */
  public static int run(String... args) {
    return new CommandLine(new LarsMain())
        .setParameterExceptionHandler(LarsMain::usageError)
        .setExecutionExceptionHandler(LarsMain::failure)
        .execute(args);
  }

  /** One line on stderr naming the command and what is wrong, never a stack trace. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    cmd.getErr().println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
    cmd.getErr().flush();
    return USAGE;
  }

  /** An unexpected failure of a subcommand: one line on stderr, exit {@value #SYSTEM_ERROR}. */
  private static int failure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    cmd.getErr().flush();
    return SYSTEM_ERROR;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }
}
