package io.lars.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings given on the command line of {@code lars node} (DESIGN.md "Cluster"), turned into a
 * config overlay that wins over the config file, system properties and defaults.
 *
 * <p>Each setter validates its value at once and names the option in the failure. Only what was
 * set appears in {@link #toConfig()}; everything else keeps its configured value.
 */
public final class NodeOverrides {

  /** The name of the cluster's actor system; seed addresses must carry it. */
  public static final String SYSTEM_NAME = "lars";

  private final Map<String, Object> values = new HashMap<>();
  private boolean dnsAddrSet;
  private boolean reporterAddrSet;
  private Integer dnsPort;
  private Integer reporterPort;

  /** Creates an empty overlay. */
  public NodeOverrides() {}

  /**
   * The host name other members reach this node's remoting at ({@code akka.remote.artery.canonical.hostname}).
   *
   * @param host a host name or IP address, not blank
   * @return this
   * @throws IllegalArgumentException if blank
   */
  public NodeOverrides clusterHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--cluster-host must not be empty");
    }
    values.put("akka.remote.artery.canonical.hostname", host.strip());
    return this;
  }

  /**
   * The Akka remoting port ({@code akka.remote.artery.canonical.port}).
   *
   * @param port 0..65535; 0 picks a free port
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public NodeOverrides clusterPort(int port) {
    values.put("akka.remote.artery.canonical.port", checkPort("--cluster-port", port, true));
    return this;
  }

  /**
   * The seed nodes ({@code akka.cluster.seed-nodes}). An empty list makes the node form a cluster
   * of its own.
   *
   * @param seeds each {@code host:port} of a member's remoting, or a full {@code akka://lars@host:port}
   * @return this
   * @throws IllegalArgumentException naming the malformed seed
   */
  public NodeOverrides seeds(List<String> seeds) {
    values.put("akka.cluster.seed-nodes", seeds.stream().map(NodeOverrides::seedAddress).toList());
    return this;
  }

  /**
   * The Akka Management HTTP port ({@code akka.management.http.port}): health checks and
   * {@code /cluster/members}.
   *
   * @param port 1..65535
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public NodeOverrides managementPort(int port) {
    values.put("akka.management.http.port", checkPort("--management-port", port, false));
    return this;
  }

  /**
   * The agent's UDP ports ({@code lars.agent.ports}).
   *
   * @param ports the ports, not empty, each 1..65535 (the agent role checks that there are three)
   * @return this
   * @throws IllegalArgumentException if empty or a port is out of range
   */
  public NodeOverrides agentPorts(List<Integer> ports) {
    if (ports.isEmpty()) {
      throw new IllegalArgumentException("--agent-ports must list the agent's UDP ports, e.g. 8888,8889,8890");
    }
    values.put("lars.agent.ports", ports.stream().map(p -> checkPort("--agent-ports", p, false)).toList());
    return this;
  }

  /**
   * The dns role's TCP port ({@code lars.dns.port}). Unless {@link #dnsAddr} is given too, the
   * agent of this node is pointed at it on 127.0.0.1 (a node running both roles talks to itself).
   *
   * @param port 1..65535
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public NodeOverrides dnsPort(int port) {
    dnsPort = checkPort("--dns-port", port, false);
    values.put("lars.dns.port", dnsPort);
    return this;
  }

  /**
   * The reporter role's TCP port ({@code lars.reporter.port}). Unless {@link #reporterAddr} is
   * given too, the agent of this node is pointed at it on 127.0.0.1.
   *
   * @param port 1..65535
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public NodeOverrides reporterPort(int port) {
    reporterPort = checkPort("--reporter-port", port, false);
    values.put("lars.reporter.port", reporterPort);
    return this;
  }

  /**
   * The admin role's HTTP port ({@code lars.admin.port}).
   *
   * @param port 1..65535
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public NodeOverrides adminPort(int port) {
    values.put("lars.admin.port", checkPort("--admin-port", port, false));
    return this;
  }

  /**
   * Where this node's agent finds the dns role ({@code lars.agent.dns.host/port}).
   *
   * @param hostPort {@code host:port}
   * @return this
   * @throws IllegalArgumentException if not {@code host:port} with a port 1..65535
   */
  public NodeOverrides dnsAddr(String hostPort) {
    putHostPort("--dns-addr", "lars.agent.dns", hostPort);
    dnsAddrSet = true;
    return this;
  }

  /**
   * Where this node's agent finds the reporter role ({@code lars.agent.reporter.host/port}).
   *
   * @param hostPort {@code host:port}
   * @return this
   * @throws IllegalArgumentException if not {@code host:port} with a port 1..65535
   */
  public NodeOverrides reporterAddr(String hostPort) {
    putHostPort("--reporter-addr", "lars.agent.reporter", hostPort);
    reporterAddrSet = true;
    return this;
  }

  /**
   * @return the overlay: unresolved, holding only the settings given; put it over the rest with
   *     {@code toConfig().withFallback(...)} before resolving
   */
  public Config toConfig() {
    Map<String, Object> all = new HashMap<>(values);
    if (dnsPort != null && !dnsAddrSet) {
      all.put("lars.agent.dns.host", "127.0.0.1");
      all.put("lars.agent.dns.port", dnsPort);
    }
    if (reporterPort != null && !reporterAddrSet) {
      all.put("lars.agent.reporter.host", "127.0.0.1");
      all.put("lars.agent.reporter.port", reporterPort);
    }
    Config config = ConfigFactory.empty();
    for (Map.Entry<String, Object> e : all.entrySet()) {
      config = config.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "lars node command line"));
    }
    return config;
  }

  /**
   * Turns a seed given as {@code host:port} into the address of a cluster member.
   *
   * @param seed {@code host:port}, or an address that already starts with {@code akka://lars@}
   * @return {@code akka://lars@host:port}
   * @throws IllegalArgumentException if it is neither, or the port is not 1..65535
   */
  public static String seedAddress(String seed) {
    String prefix = "akka://" + SYSTEM_NAME + "@";
    String s = seed == null ? "" : seed.strip();
    String hostPort = s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    if (hostPort.contains("/") || hostPort.contains("@")) {
      throw new IllegalArgumentException("--seed '" + s + "' must be host:port or " + prefix + "host:port");
    }
    String[] parts = splitHostPort("--seed", hostPort);
    return prefix + parts[0] + ":" + parts[1];
  }

  private void putHostPort(String option, String prefix, String hostPort) {
    String[] parts = splitHostPort(option, hostPort == null ? "" : hostPort.strip());
    values.put(prefix + ".host", parts[0]);
    values.put(prefix + ".port", Integer.parseInt(parts[1]));
  }

  private static String[] splitHostPort(String option, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(option + " '" + hostPort + "' must be host:port, e.g. 127.0.0.1:2551");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " '" + hostPort + "': the port is not a number");
    }
    checkPort(option, port, false);
    return new String[] {hostPort.substring(0, colon), Integer.toString(port)};
  }

  private static int checkPort(String option, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new IllegalArgumentException(option + " must be " + (zeroAllowed ? "0" : "1") + "..65535, got " + port);
    }
    return port;
  }
}
