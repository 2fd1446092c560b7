package io.lars.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.protocol.Ipv4;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * The settings of the {@code agent} role, read once at start from {@code lars.agent}
 * (see {@code lars-agent.conf}).
 *
 * @param bind the address the UDP API binds, e.g. {@code 127.0.0.1}
 * @param ports the UDP ports, one endpoint each, 1..65535 (0 only in tests: a free port); at least one
 * @param dnsHost host of the dns role the agent pulls routes from
 * @param dnsPort its TCP port, 1..65535
 * @param reporterHost host of the reporter role statistics go to
 * @param reporterPort its TCP port, 1..65535
 * @param callerIp this agent's IPv4 in Lars int32 form, sent as {@code ReportStatusReq.caller}
 * @param askTimeout longest wait of a request for its module's first view before the client gets SYSTEM_ERROR
 * @param passivateAfter a module no port used for this long is released; an entity without subscribers and messages for this long passivates
 * @param reconnectMinBackoff first reconnect delay of the dns and reporter clients
 * @param reconnectMaxBackoff longest reconnect delay of those clients
 * @param maxPendingFrames frames a disconnected dns/reporter client keeps at most, at least 1
 * @param loadBalance the load-balancing tuning ({@code lars.agent.load-balance})
 * @param maxWaitingRequests requests one port holds at most while their module's first view is
 *     built; more are answered SYSTEM_ERROR at once; 1..1000000
 * @param reportBatchSize a module's report batch is sent when it holds this many reports, 1..100000
 * @param reportBatchInterval a report batch is sent at the latest this long after its first report
 * @param maxBufferedReports reports one port buffers at most; more are dropped and counted;
 *     at least {@code reportBatchSize}
 * @param staleAfter a view no entity confirmed for this long counts as stale
 * @param resubscribeInterval how often a node subscribes again to an entity it lost, and the
 *     period of the node's view housekeeping
 * @param negativeCacheSize modules the dns does not know, remembered at most, 1..10000000
 * @param negativeCacheTtl how long such a module is answered NOEXIST without asking the dns again
 * @param portRestartBackoff wait before a stopped UDP port is bound again
 * @param metricsMaxModules modules with per-module metric series of their own at most; more are
 *     folded into {@code modid="other"} (API.md "Metrics"), 0..1000000
 * @param maxNewPullsPerSecond new modules the node asks the dns about per second at most,
 *     1..1000000; requests for more new modules in the same second get NOEXIST at once, counted
 *     (DESIGN.md "Robustness rules", H10)
 * @param reusePort bind the UDP ports with {@code SO_REUSEPORT} (on for agent-only nodes with
 *     {@code lars.cluster.agent-rejoin}, so that a new incarnation binds them beside the old one)
 * @param inJvmLinks connect the dns and reporter clients in memory when that server listens in this
 *     node ({@code in-jvm-links}; DESIGN.md "In-JVM links"), else over TCP as to any other node
 */
public record AgentSettings(String bind, List<Integer> ports, String dnsHost, int dnsPort, String reporterHost,
    int reporterPort, int callerIp, Duration askTimeout, Duration passivateAfter, Duration reconnectMinBackoff,
    Duration reconnectMaxBackoff, int maxPendingFrames, LoadBalanceSettings loadBalance, int maxWaitingRequests,
    int reportBatchSize, Duration reportBatchInterval, int maxBufferedReports, Duration staleAfter,
    Duration resubscribeInterval, int negativeCacheSize, Duration negativeCacheTtl, Duration portRestartBackoff,
    int metricsMaxModules, int maxNewPullsPerSecond, boolean reusePort, boolean inJvmLinks) {

  /** The configuration path these settings are read from. */
  public static final String PATH = "lars.agent";

  /**
   * Validates the values and copies the port list.
   *
   * @throws IllegalArgumentException naming the key ({@code lars.agent.*}) of the first wrong value
   */
  public AgentSettings {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException(PATH + ".bind must name an address, e.g. \"127.0.0.1\"");
    }
    if (ports == null || ports.isEmpty()) {
      throw new IllegalArgumentException(PATH + ".ports must list at least one UDP port, e.g. [8888, 8889, 8890]");
    }
    for (int port : ports) {
      checkPort("ports", port, 0);
    }
    ports = List.copyOf(ports);
    checkHost("dns.host", dnsHost);
    checkPort("dns.port", dnsPort, 1);
    checkHost("reporter.host", reporterHost);
    checkPort("reporter.port", reporterPort, 1);
    checkPositive("ask-timeout", askTimeout);
    checkPositive("passivate-after", passivateAfter);
    checkPositive("reconnect-min-backoff", reconnectMinBackoff);
    checkPositive("reconnect-max-backoff", reconnectMaxBackoff);
    if (reconnectMaxBackoff.compareTo(reconnectMinBackoff) < 0) {
      throw new IllegalArgumentException(PATH + ".reconnect-max-backoff (" + reconnectMaxBackoff
          + ") must not be below reconnect-min-backoff (" + reconnectMinBackoff + ")");
    }
    if (maxPendingFrames < 1) {
      throw new IllegalArgumentException(PATH + ".max-pending-frames must be at least 1, got " + maxPendingFrames);
    }
    if (loadBalance == null) {
      throw new IllegalArgumentException(LoadBalanceSettings.PATH + " is missing");
    }
    checkRange("max-waiting-requests", maxWaitingRequests, 1, 1_000_000);
    checkRange("report-batch-size", reportBatchSize, 1, 100_000);
    checkRange("max-buffered-reports", maxBufferedReports, reportBatchSize, Integer.MAX_VALUE);
    checkRange("negative-cache.max-modules", negativeCacheSize, 1, 10_000_000);
    checkRange("metrics.max-modules", metricsMaxModules, 0, 1_000_000);
    checkRange("max-new-pulls-per-second", maxNewPullsPerSecond, 1, 1_000_000);
    checkPositive("report-batch-interval", reportBatchInterval);
    checkPositive("stale-after", staleAfter);
    checkPositive("resubscribe-interval", resubscribeInterval);
    checkPositive("negative-cache.ttl", negativeCacheTtl);
    checkPositive("port-restart-backoff", portRestartBackoff);
    if (loadBalance.firstPullWait().compareTo(askTimeout) >= 0) {
      throw new IllegalArgumentException(LoadBalanceSettings.PATH + ".first-pull-wait (" + loadBalance.firstPullWait()
          + ") must be below " + PATH + ".ask-timeout (" + askTimeout + "), or first requests time out");
    }
  }

  /**
   * Reads and validates {@code lars.agent}. An empty {@code caller-ip} is replaced by the first
   * non-loopback IPv4 address of the machine's interfaces, else 127.0.0.1, without any DNS
   * lookup (DESIGN.md "Defects of the reference", D6: the reference agent blocked on DNS resolution
   * at start).
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException if a key is missing, has the wrong type or is out of range, naming the key
   */
  public static AgentSettings fromConfig(Config config) {
    LoadBalanceSettings loadBalance = LoadBalanceSettings.fromConfig(config);
    try {
      Config c = config.getConfig(PATH);
      String callerText = c.getString("caller-ip").trim();
      int callerIp;
      try {
        callerIp = callerText.isEmpty() ? discoverCallerIp() : Ipv4.parse(callerText);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PATH + ".caller-ip: " + e.getMessage(), e);
      }
      return new AgentSettings(c.getString("bind"), c.getIntList("ports"), c.getString("dns.host"),
          c.getInt("dns.port"), c.getString("reporter.host"), c.getInt("reporter.port"), callerIp,
          c.getDuration("ask-timeout"), c.getDuration("passivate-after"), c.getDuration("reconnect-min-backoff"),
          c.getDuration("reconnect-max-backoff"), c.getInt("max-pending-frames"), loadBalance,
          c.getInt("max-waiting-requests"), c.getInt("report-batch-size"), c.getDuration("report-batch-interval"),
          c.getInt("max-buffered-reports"), c.getDuration("stale-after"), c.getDuration("resubscribe-interval"),
          c.getInt("negative-cache.max-modules"), c.getDuration("negative-cache.ttl"),
          c.getDuration("port-restart-backoff"), c.getInt("metrics.max-modules"),
          c.getInt("max-new-pulls-per-second"), c.getBoolean("reuse-port"), c.getBoolean("in-jvm-links"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }

  /**
   * Finds this machine's IPv4 address without a DNS lookup.
   *
   * @return the first non-loopback IPv4 address of an interface that is up, in Lars int32 form,
   *     or 127.0.0.1 if there is none or the interfaces cannot be listed
   */
  public static int discoverCallerIp() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
            return Ipv4.of(address);
          }
        }
      }
    } catch (SocketException e) {
      // The interfaces cannot be listed: fall back to loopback rather than fail the start.
    }
    return Ipv4.parse("127.0.0.1");
  }

  private static void checkPort(String key, int port, int min) {
    if (port < min || port > 65535) {
      throw new IllegalArgumentException(PATH + "." + key + " must be " + min + "..65535, got " + port);
    }
  }

  /**
   * How often a port tells the node's views which modules it used: a quarter of
   * {@code passivate-after}, at most 10 s, at least 10 ms.
   *
   * @return the interval
   */
  public Duration usedInterval() {
    Duration quarter = passivateAfter.dividedBy(4);
    if (quarter.compareTo(Duration.ofSeconds(10)) > 0) {
      return Duration.ofSeconds(10);
    }
    return quarter.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : quarter;
  }

  private static void checkRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(PATH + "." + key + " must be " + min + ".." + max + ", got " + value);
    }
  }

  private static void checkHost(String key, String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(PATH + "." + key + " must name a host, e.g. \"127.0.0.1\"");
    }
  }

  private static void checkPositive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be a positive duration, got " + value);
    }
  }
}
