package io.lars.cli;

import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.client.LarsTimeoutException;
import io.lars.client.RouteResult;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The single-call client tools of the reference {@code run_lars}: gethost, getroute, report.
 * Exit codes: see {@link LarsMain}.
 */
final class ClientCommands {

  private ClientCommands() {}

  /**
   * Waits for a client stage on this (non-actor) thread.
   *
   * @throws LarsTimeoutException when the agent did not answer
   */
  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** The one stderr line for an agent that did not answer; returns {@link LarsMain#NO_ANSWER}. */
  static int noAnswer(String command, LarsTimeoutException e) {
    System.err.println(command + ": " + e.getMessage());
    return LarsMain.NO_ANSWER;
  }

  /** {@code lars gethost MODID CMDID}: prints {@code host is IP:PORT}; the exit code is the return code. */
  @Command(name = "gethost", mixinStandardHelpOptions = true, description = "Ask the agent for one host of a module.",
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {LarsMain.EXIT_0, LarsMain.EXIT_1, LarsMain.EXIT_2, LarsMain.EXIT_3, LarsMain.EXIT_4, LarsMain.EXIT_64})
  static final class GetHost implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODID", description = "module id") int modid;
    @Parameters(index = "1", paramLabel = "CMDID", description = "command id") int cmdid;
    @Mixin AgentOptions agent;

    @Override
    public Integer call() {
      try (LarsClient client = agent.client()) {
        HostResult r = await(client.getHost(modid, cmdid));
        if (r.isSucc()) {
          System.out.println("host is " + r.host());
        } else if (r.retCode() == RetCode.NOEXIST) {
          System.out.println("no hosts for module (" + modid + "," + cmdid + ")");
        } else {
          System.out.println("gethost (" + modid + "," + cmdid + "): " + r.retCode());
        }
        return r.retCode().code();
      } catch (LarsTimeoutException e) {
        return noAnswer("gethost", e);
      }
    }
  }

  /** {@code lars getroute MODID CMDID}: prints {@code ip = IP, port = PORT} per host. */
  @Command(name = "getroute", mixinStandardHelpOptions = true, description = "Ask the agent for every host of a module.",
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {LarsMain.EXIT_0, LarsMain.EXIT_3, LarsMain.EXIT_4, LarsMain.EXIT_64})
  static final class GetRoute implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODID", description = "module id") int modid;
    @Parameters(index = "1", paramLabel = "CMDID", description = "command id") int cmdid;
    @Mixin AgentOptions agent;

    @Override
    public Integer call() {
      try (LarsClient client = agent.client()) {
        RouteResult r = await(client.getRoute(modid, cmdid));
        if (r.hosts().isEmpty()) {
          System.out.println("no hosts for module (" + modid + "," + cmdid + ")");
          return LarsMain.NOEXIST;
        }
        for (Host h : r.hosts()) {
          System.out.println("ip = " + h.ipText() + ", port = " + h.port());
        }
        return LarsMain.SUCC;
      } catch (LarsTimeoutException e) {
        return noAnswer("getroute", e);
      }
    }
  }

  /**
   * {@code lars report MODID CMDID IP PORT 0|1 [--timecost-ms N]}: reports one call. A report has
   * no answer on the wire, so the command proves delivery: it asks the module's agent port for
   * the module's route first (no answer: nothing is sent, exit 4), sends the report, then asks
   * again on the same port; the agent reads a port's datagrams in order, so that second answer
   * means it has read the report. Only then does it print {@code reported ...} and exit 0.
   */
  @Command(name = "report", mixinStandardHelpOptions = true,
      description = {"Report the outcome of one call to the agent.",
          "Prints 'reported ...' only after the agent answered a get_route sent after the report on the same "
              + "port (the agent reads a port in order); with no agent answering it reports nothing and exits 4."},
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {LarsMain.EXIT_0, LarsMain.EXIT_4, LarsMain.EXIT_64})
  static final class Report implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODID", description = "module id") int modid;
    @Parameters(index = "1", paramLabel = "CMDID", description = "command id") int cmdid;
    @Parameters(index = "2", paramLabel = "IP", description = "host IPv4 address") String ip;
    @Parameters(index = "3", paramLabel = "PORT", description = "host port, 1-65535") int port;
    @Parameters(index = "4", paramLabel = "0|1", description = "0 = success, 1 = failure") int retcode;
    @Option(names = "--timecost-ms", paramLabel = "N", description = "How long the call took, ms (default: 0 = unknown).")
    int timecostMs;
    @Mixin AgentOptions agent;

    @Override
    public Integer call() {
      if (retcode != 0 && retcode != 1) {
        throw agent.usage("the outcome must be 0 (success) or 1 (failure), got " + retcode);
      }
      if (timecostMs < 0) {
        throw agent.usage("--timecost-ms must be 0 or more, got " + timecostMs);
      }
      Host host;
      try {
        host = Host.of(ip, port);
      } catch (IllegalArgumentException e) {
        throw agent.usage(e.getMessage());
      }
      try (LarsClient client = agent.client()) {
        try {
          await(client.getRoute(modid, cmdid));
        } catch (LarsTimeoutException e) {
          System.err.println("report: no agent answered at " + agent.agentFor(modid, cmdid) + "; nothing reported");
          return LarsMain.NO_ANSWER;
        }
        await(client.report(modid, cmdid, host, retcode == 0 ? RetCode.SUCC : RetCode.OVERLOAD,
            Duration.ofMillis(timecostMs)));
        try {
          await(client.getRoute(modid, cmdid));
        } catch (LarsTimeoutException e) {
          System.err.println("report: sent, but the agent at " + agent.agentFor(modid, cmdid)
              + " stopped answering; delivery not confirmed");
          return LarsMain.NO_ANSWER;
        }
        System.out.println("reported " + (retcode == 0 ? "success" : "failure") + " of " + host
            + " for (" + modid + "," + cmdid + ")");
        return LarsMain.SUCC;
      }
    }
  }
}
