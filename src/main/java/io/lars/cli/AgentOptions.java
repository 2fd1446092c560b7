package io.lars.cli;

import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every client command shares: where the agent is and how long to wait. The client
 * they build is the thin one: a UDP socket and two threads, no actor system, no database.
 */
final class AgentOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--agent", paramLabel = "HOST", description = "Agent address (default: ${DEFAULT-VALUE}).",
      defaultValue = "127.0.0.1")
  String agent;

  @Option(names = "--agent-ports", paramLabel = "PORT", split = ",",
      description = "The agent's three UDP ports (default: ${DEFAULT-VALUE}).", defaultValue = "8888,8889,8890")
  List<Integer> agentPorts;

  @Option(names = "--timeout", paramLabel = "MS",
      description = "Milliseconds to wait for one answer, 10-60000; one retry follows (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  long timeoutMs;

  /**
   * @return a client for these options; close it when done
   * @throws ParameterException (exit 64) for a bad agent address, port list or timeout
   */
  LarsClient client() {
    return LarsClient.create(settings());
  }

  ClientSettings settings() {
    if (agentPorts.size() != 3) {
      throw usage("--agent-ports must list exactly 3 ports, got " + agentPorts.size());
    }
    for (int p : agentPorts) {
      if (p < 1 || p > 65535) {
        throw usage("--agent-ports: port " + p + " is outside 1..65535");
      }
    }
    if (timeoutMs < 10 || timeoutMs > 60_000) {
      throw usage("--timeout must be 10..60000 ms, got " + timeoutMs);
    }
    try {
      InetAddress.getByName(agent);
    } catch (UnknownHostException e) {
      throw usage("--agent: unknown host " + agent);
    }
    return new ClientSettings(agent, agentPorts, Duration.ofMillis(timeoutMs));
  }

  /** @return "HOST:PORT" of the agent port serving a module */
  String agentFor(int modid, int cmdid) {
    return agent + ":" + agentPorts.get(Math.floorMod(modid + cmdid, 3));
  }

  /**
   * @param message what is wrong, naming the option
   * @return a usage error of the command these options belong to
   */
  ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
