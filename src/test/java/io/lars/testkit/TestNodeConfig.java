package io.lars.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.cli.LocalPorts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Configuration for a node under test: every listener on 127.0.0.1 on a free port, the agent
 * pointed at this node's dns and reporter, and a fresh in-memory H2 database of its own.
 */
public final class TestNodeConfig {

  /** The ports chosen for one node. */
  public record Ports(int dns, int reporter, List<Integer> agent, int admin, int management) {}

  private final Config config;
  private final Ports ports;

  private TestNodeConfig(Config config, Ports ports) {
    this.config = config;
    this.ports = ports;
  }

  /** @return a node config on fresh ports and a fresh H2 database */
  public static TestNodeConfig create() {
    return create(ConfigFactory.empty());
  }

  /**
   * @param overrides settings that win over the generated ones (e.g. a MySQL {@code lars.db})
   * @return a node config on fresh ports
   */
  public static TestNodeConfig create(Config overrides) {
    Ports ports = new Ports(freeTcpPort(), freeTcpPort(), List.of(freeUdpPort(), freeUdpPort(), freeUdpPort()),
        freeTcpPort(), freeTcpPort());
    Map<String, Object> m = new HashMap<>();
    m.put("lars.db.url", "jdbc:h2:mem:lars-" + UUID.randomUUID()
        + ";MODE=MySQL;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=FALSE;CASE_INSENSITIVE_IDENTIFIERS=TRUE");
    m.put("lars.dns.bind", "127.0.0.1");
    m.put("lars.dns.port", ports.dns());
    m.put("lars.reporter.bind", "127.0.0.1");
    m.put("lars.reporter.port", ports.reporter());
    m.put("lars.agent.bind", "127.0.0.1");
    m.put("lars.agent.ports", ports.agent());
    m.put("lars.agent.dns.host", "127.0.0.1");
    m.put("lars.agent.dns.port", ports.dns());
    m.put("lars.agent.reporter.host", "127.0.0.1");
    m.put("lars.agent.reporter.port", ports.reporter());
    m.put("lars.admin.bind", "127.0.0.1");
    m.put("lars.admin.port", ports.admin());
    // A generated admin token goes under target/, never into the working directory's ./data.
    m.put("lars.admin.data-dir", "target/admin-data-" + UUID.randomUUID());
    m.put("akka.management.http.port", ports.management());
    m.put("akka.remote.artery.canonical.port", 0);
    m.put("akka.cluster.seed-nodes", List.of());
    m.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    // A stopping agent node's shard region waits out this phase (10 s) when NodeViews keeps
    // re-subscribing to an entity being handed off; the tests do not wait for that (3 s is plenty
    // for a real hand-off of the few shards a test has).
    m.put("akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout", "3s");
    Config config = overrides.withFallback(ConfigFactory.parseMap(m)).withFallback(ConfigFactory.load()).resolve();
    return new TestNodeConfig(config, ports);
  }

  /** @return the resolved configuration, ready for {@code LarsNode.start} */
  public Config config() {
    return config;
  }

  /** @return the ports in this configuration */
  public Ports ports() {
    return ports;
  }

  /** @return a TCP port on 127.0.0.1 that was free a moment ago (see {@link LocalPorts}) */
  public static int freeTcpPort() {
    return LocalPorts.freeTcp();
  }

  /** @return a UDP port on 127.0.0.1 that was free a moment ago (see {@link LocalPorts}) */
  public static int freeUdpPort() {
    return LocalPorts.freeUdp();
  }
}
