package io.lars.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Where the agent is and how long to wait for it ({@code lars.client}).
 *
 * @param agentHost the agent's address, normally 127.0.0.1
 * @param agentPorts the agent's three UDP ports; a module's requests go to index
 *     {@code (modid + cmdid) % 3} (reference: lars_api port choice)
 * @param timeout time to wait for one answer, 10 ms..60 s; one retry follows, so a call fails
 *     after at most twice this
 */
public record ClientSettings(String agentHost, List<Integer> agentPorts, Duration timeout) {

  /** Validates and copies the port list. */
  public ClientSettings {
    if (agentPorts == null || agentPorts.size() != 3) {
      throw new IllegalArgumentException("lars.client.agent-ports must list exactly 3 ports, got " + agentPorts);
    }
    for (int p : agentPorts) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("lars.client.agent-ports: port " + p + " is outside 1..65535");
      }
    }
    if (timeout.toMillis() < 10 || timeout.toSeconds() > 60) {
      throw new IllegalArgumentException("lars.client.timeout must be 10ms..60s, got " + timeout);
    }
    agentPorts = List.copyOf(agentPorts);
  }

  /**
   * Reads {@code lars.client}.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException naming the wrong key
   */
  public static ClientSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig("lars.client");
      return new ClientSettings(c.getString("agent-host"), c.getIntList("agent-ports"), c.getDuration("timeout"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("lars.client: " + e.getMessage(), e);
    }
  }

  /**
   * The agent port for a module.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the UDP address of the agent port serving that module
   */
  public InetSocketAddress agentFor(int modid, int cmdid) {
    return new InetSocketAddress(agentHost, agentPorts.get(Math.floorMod(modid + cmdid, 3)));
  }
}
