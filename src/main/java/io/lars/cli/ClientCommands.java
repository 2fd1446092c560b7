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

/** The single-call client tools of the reference {@code run_lars}: gethost, getroute, report. */
final class ClientCommands {

  private ClientCommands() {}

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** {@code lars gethost MODID CMDID}: prints {@code host is IP:PORT}; the exit code is the return code. */
  @Command(name = "gethost", mixinStandardHelpOptions = true, description = "Ask the agent for one host of a module.")
  static final class GetHost implements Callable<Integer> {
    @Parameters(index = "0", description = "modid") int modid;
    @Parameters(index = "1", description = "cmdid") int cmdid;
    @Mixin AgentOptions agent;

    @Override
    public Integer call() {
      try (LarsClient client = agent.client()) {
        HostResult r = await(client.getHost(modid, cmdid));
        if (r.isSucc()) {
          System.out.println("host is " + r.host());
        } else {
          System.out.println("gethost (" + modid + "," + cmdid + "): " + r.retCode());
        }
        return r.retCode().code();
      } catch (LarsTimeoutException e) {
        System.err.println("gethost: " + e.getMessage());
        return RetCode.SYSTEM_ERROR.code();
      }
    }
  }

  /** {@code lars getroute MODID CMDID}: prints {@code ip = IP, port = PORT} per host. */
  @Command(name = "getroute", mixinStandardHelpOptions = true, description = "Ask the agent for every host of a module.")
  static final class GetRoute implements Callable<Integer> {
    @Parameters(index = "0", description = "modid") int modid;
    @Parameters(index = "1", description = "cmdid") int cmdid;
    @Mixin AgentOptions agent;

    @Override
    public Integer call() {
      try (LarsClient client = agent.client()) {
        RouteResult r = await(client.getRoute(modid, cmdid));
        for (Host h : r.hosts()) {
          System.out.println("ip = " + h.ipText() + ", port = " + h.port());
        }
        return r.hosts().isEmpty() ? RetCode.NOEXIST.code() : 0;
      } catch (LarsTimeoutException e) {
        System.err.println("getroute: " + e.getMessage());
        return RetCode.SYSTEM_ERROR.code();
      }
    }
  }

  /** {@code lars report MODID CMDID IP PORT 0|1 [--timecost-ms N]}: reports one call. */
  @Command(name = "report", mixinStandardHelpOptions = true, description = "Report the outcome of one call to the agent.")
  static final class Report implements Callable<Integer> {
    @Parameters(index = "0", description = "modid") int modid;
    @Parameters(index = "1", description = "cmdid") int cmdid;
    @Parameters(index = "2", description = "host IPv4 address") String ip;
    @Parameters(index = "3", description = "host port, 1-65535") int port;
    @Parameters(index = "4", description = "0 = success, 1 = failure") int retcode;
    @Option(names = "--timecost-ms", description = "How long the call took, ms (default: 0 = unknown).") int timecostMs;
    @Mixin AgentOptions agent;

    @Override
    public Integer call() {
      if (retcode != 0 && retcode != 1) {
        System.err.println("report: the outcome must be 0 (success) or 1 (failure), got " + retcode);
        return 2;
      }
      if (timecostMs < 0) {
        System.err.println("report: --timecost-ms must be 0 or more, got " + timecostMs);
        return 2;
      }
      Host host;
      try {
        host = Host.of(ip, port);
      } catch (IllegalArgumentException e) {
        System.err.println("report: " + e.getMessage());
        return 2;
      }
      try (LarsClient client = agent.client()) {
        await(client.report(modid, cmdid, host, retcode == 0 ? RetCode.SUCC : RetCode.OVERLOAD,
            Duration.ofMillis(timecostMs)));
        System.out.println("reported " + (retcode == 0 ? "success" : "failure") + " of " + host
            + " for (" + modid + "," + cmdid + ")");
        return 0;
      }
    }
  }
}
