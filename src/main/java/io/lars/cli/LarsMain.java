package io.lars.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code target/lars.jar}: dispatches to the subcommands. */
@Command(name = "lars", mixinStandardHelpOptions = true, version = "lars 0.1.0",
    description = "Lars on Akka: load balancing and service routing.",
    subcommands = {NodeCommand.class, ClientCommands.GetHost.class, ClientCommands.GetRoute.class,
        ClientCommands.Report.class, SimulateCommand.class, QpsCommand.class, RouteCommand.class,
        DemoCommand.class})
public final class LarsMain implements Runnable {

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  /**
   * Runs the command line and exits with its code.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command line without exiting, for tests.
   *
   * @param args command-line arguments
   * @return the exit code: 0 success, 2 bad usage, otherwise the subcommand's code
   */
  public static int run(String... args) {
    return new CommandLine(new LarsMain()).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }
}
