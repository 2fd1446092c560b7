package io.lars.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.node.LarsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class NodeOverridesTest {

  @Test
  void clusterOptionsBecomeAkkaSettings() {
    Config c = LarsConfig.load(null, new NodeOverrides()
        .clusterHost("10.0.0.5")
        .clusterPort(2552)
        .seeds(List.of("127.0.0.1:2551", "akka://lars@10.0.0.1:2551"))
        .managementPort(8559)
        .toConfig());
    assertEquals("10.0.0.5", c.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(2552, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(List.of("akka://lars@127.0.0.1:2551", "akka://lars@10.0.0.1:2551"),
        c.getStringList("akka.cluster.seed-nodes"));
    assertEquals(8559, c.getInt("akka.management.http.port"));
  }

  @Test
  void rolePortsAndAddresses() {
    Config c = LarsConfig.load(null, new NodeOverrides()
        .agentPorts(List.of(9888, 9889, 9890))
        .dnsPort(7001)
        .reporterPort(7002)
        .adminPort(8081)
        .toConfig());
    assertEquals(List.of(9888, 9889, 9890), c.getIntList("lars.agent.ports"));
    assertEquals(7001, c.getInt("lars.dns.port"));
    assertEquals(7002, c.getInt("lars.reporter.port"));
    assertEquals(8081, c.getInt("lars.admin.port"));
    // Without --dns-addr/--reporter-addr the agent uses this node's own dns and reporter.
    assertEquals(7001, c.getInt("lars.agent.dns.port"));
    assertEquals(7002, c.getInt("lars.agent.reporter.port"));

    Config remote = LarsConfig.load(null, new NodeOverrides()
        .dnsPort(7001)
        .dnsAddr("10.0.0.1:7778")
        .reporterAddr("lars-reporter:7779")
        .toConfig());
    assertEquals("10.0.0.1", remote.getString("lars.agent.dns.host"));
    assertEquals(7778, remote.getInt("lars.agent.dns.port"));
    assertEquals("lars-reporter", remote.getString("lars.agent.reporter.host"));
    assertEquals(7779, remote.getInt("lars.agent.reporter.port"));
  }

  @Test
  void commandLineWinsOverTheFileAndSubstitutionsSeeIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, "akka.remote.artery.canonical.port = 3000\nlars.db.url = \"jdbc:h2:mem:from-file\"\n");
    Config c = LarsConfig.load(file, new NodeOverrides().clusterPort(3001).toConfig());
    assertEquals(3001, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals("jdbc:h2:mem:from-file", c.getString("akka-persistence-jdbc.shared-databases.default.db.url"));
  }

  @Test
  void defaultsHaveKeepMajorityAndRememberEntitiesInTheJournal() {
    Config c = ConfigFactory.load();
    assertEquals("keep-majority", c.getString("akka.cluster.split-brain-resolver.active-strategy"));
    assertEquals("jdbc-journal", c.getString("akka.persistence.journal.plugin"));
    assertEquals("jdbc-snapshot-store", c.getString("akka.persistence.snapshot-store.plugin"));
    assertTrue(c.getBoolean("akka.cluster.sharding.remember-entities"));
    assertEquals("eventsourced", c.getString("akka.cluster.sharding.remember-entities-store"));
    assertEquals("default", c.getString("jdbc-journal.use-shared-db"));
    // Inherited from the plugin's reference settings.
    assertEquals(10000, c.getInt("akka-persistence-jdbc.shared-databases.default.db.queueSize"));
    assertFalse(c.getStringList("akka.cluster.seed-nodes").iterator().hasNext());
  }

  @Test
  void badValuesNameTheOption() {
    assertMessage("--seed", () -> new NodeOverrides().seeds(List.of("127.0.0.1")));
    assertMessage("--seed", () -> new NodeOverrides().seeds(List.of("akka://other@127.0.0.1:2551")));
    assertMessage("--cluster-port", () -> new NodeOverrides().clusterPort(70000));
    assertMessage("--management-port", () -> new NodeOverrides().managementPort(0));
    assertMessage("--agent-ports", () -> new NodeOverrides().agentPorts(List.of()));
    assertMessage("--dns-addr", () -> new NodeOverrides().dnsAddr("host:x"));
    assertMessage("--reporter-addr", () -> new NodeOverrides().reporterAddr(":7779"));
  }

  private static void assertMessage(String option, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(option), e.getMessage());
  }
}
