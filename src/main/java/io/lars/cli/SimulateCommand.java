package io.lars.cli;

import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.client.LarsTimeoutException;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code lars simulate MODID CMDID [ERR_RATE_0_10] [COUNT]}: the reference simulator. Each round
 * gets a host and reports a failure with probability ERR_RATE/10, then prints how often each
 * host was picked and how its calls went. Before printing, a get_route on the module's port
 * confirms the agent has read every report (it reads a port in order). Exit codes: see {@link LarsMain}.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {"Call a module COUNT times with random failures and print a per-host table.",
        "A module without hosts (NOEXIST before any host was picked) stops the run with exit 3."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {LarsMain.EXIT_0, LarsMain.EXIT_3, LarsMain.EXIT_4, LarsMain.EXIT_64})
final class SimulateCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "modid") int modid;
  @Parameters(index = "1", description = "cmdid") int cmdid;
  @Parameters(index = "2", arity = "0..1", defaultValue = "2", description = "failure rate in tenths, 0-10 (default: ${DEFAULT-VALUE})")
  int errRate;
  @Parameters(index = "3", arity = "0..1", defaultValue = "1000", description = "calls, 1-10000000 (default: ${DEFAULT-VALUE})")
  int count;
  @Mixin AgentOptions agent;

  private record Tally(long succ, long err) {}

  @Override
  public Integer call() {
    if (errRate < 0 || errRate > 10) {
      throw agent.usage("ERR_RATE must be 0..10 (tenths), got " + errRate);
    }
    if (count < 1 || count > 10_000_000) {
      throw agent.usage("COUNT must be 1..10000000, got " + count);
    }
    Map<Host, Tally> tallies = new TreeMap<>();
    Map<RetCode, Long> refusals = new TreeMap<>();
    try (LarsClient client = agent.client()) {
      for (int i = 0; i < count; i++) {
        HostResult r = ClientCommands.await(client.getHost(modid, cmdid));
        if (!r.isSucc()) {
          if (r.retCode() == RetCode.NOEXIST && tallies.isEmpty()) {
            System.out.println("no hosts for module (" + modid + "," + cmdid + ")");
            return LarsMain.NOEXIST;
          }
          refusals.merge(r.retCode(), 1L, Long::sum);
          continue;
        }
        boolean fail = ThreadLocalRandom.current().nextInt(10) < errRate;
        client.report(modid, cmdid, r.host(), fail ? RetCode.OVERLOAD : RetCode.SUCC, Duration.ZERO);
        Tally t = tallies.getOrDefault(r.host(), new Tally(0, 0));
        tallies.put(r.host(), fail ? new Tally(t.succ(), t.err() + 1) : new Tally(t.succ() + 1, t.err()));
      }
      // an answer on the module's port after the last report: the agent has read every report
      ClientCommands.await(client.getRoute(modid, cmdid));
    } catch (LarsTimeoutException e) {
      return ClientCommands.noAnswer("simulate", e);
    }
    System.out.printf("%-22s %10s %10s%n", "host", "succ", "err");
    tallies.forEach((host, t) -> System.out.printf("%-22s %10d %10d%n", host, t.succ(), t.err()));
    refusals.forEach((code, n) -> System.out.printf("%-22s %10d%n", code, n));
    return LarsMain.SUCC;
  }
}
