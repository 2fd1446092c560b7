package io.lars.cli;

import io.lars.client.ClientSettings;
import io.lars.client.LarsClient;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every client command shares: where the agent is and how long to wait. */
final class AgentOptions {

  @Option(names = "--agent", description = "Agent address (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
  String agent;

  @Option(names = "--agent-ports", split = ",", description = "The agent's three UDP ports (default: ${DEFAULT-VALUE}).",
      defaultValue = "8888,8889,8890")
  List<Integer> agentPorts;

  @Option(names = "--timeout", description = "Milliseconds to wait for one answer; one retry follows (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  long timeoutMs;

  /** @return a client for these options; close it when done */
  LarsClient client() {
    return LarsClient.create(new ClientSettings(agent, agentPorts, Duration.ofMillis(timeoutMs)));
  }
}
