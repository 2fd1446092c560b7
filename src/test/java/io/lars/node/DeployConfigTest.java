package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.lars.db.DbSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example configurations under {@code deploy/} parse and resolve over the defaults and say
 * what they claim. They are not run against real machines here (see deploy/README.md).
 */
class DeployConfigTest {

  private static final Path DEPLOY = Path.of("deploy");

  @Test
  void productionConfigUsesSeedsMySqlAndKeepMajority() {
    Config c = LarsConfig.load(DEPLOY.resolve("config/production.conf"));
    assertEquals(3, c.getStringList("akka.cluster.seed-nodes").size());
    assertTrue(c.getStringList("akka.cluster.seed-nodes").stream().allMatch(s -> s.startsWith("akka://lars@")));
    assertEquals("keep-majority", c.getString("akka.cluster.split-brain-resolver.active-strategy"));
    assertFalse(c.getBoolean("lars.cluster.bootstrap"));
    if (System.getenv("LARS_DB_URL") == null) {
      assertFalse(DbSettings.fromConfig(c).isH2());
    }
  }

  @Test
  void bootstrapConfigTurnsBootstrapOnWithoutSeeds() {
    Config c = LarsConfig.load(DEPLOY.resolve("config/bootstrap-kubernetes.conf"));
    assertTrue(c.getBoolean("lars.cluster.bootstrap"));
    assertTrue(c.getStringList("akka.cluster.seed-nodes").isEmpty());
    assertEquals("akka-dns", c.getString("akka.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
  }

  @Test
  void kubernetesConfigMapResolves(@TempDir Path dir) throws Exception {
    List<String> lines = Files.readAllLines(DEPLOY.resolve("kubernetes/lars.yaml"));
    int start = lines.indexOf("  lars.conf: |") + 1;
    assertTrue(start > 0, "lars.conf in the ConfigMap");
    String conf = lines.subList(start, lines.size()).stream()
        .takeWhile(l -> l.startsWith("    ") || l.isBlank())
        .map(l -> l.length() >= 4 ? l.substring(4) : l)
        .collect(Collectors.joining("\n"));
    Path file = dir.resolve("lars.conf");
    Files.writeString(file, conf);
    Config c = LarsConfig.load(file);
    assertTrue(c.getBoolean("lars.cluster.bootstrap"));
    assertEquals("0.0.0.0", c.getString("lars.agent.bind"));
    assertEquals(8558, c.getInt("akka.management.http.port"));
    String yaml = String.join("\n", lines);
    assertTrue(yaml.contains("path: /ready") && yaml.contains("path: /alive"), "probes on /ready and /alive");
  }
}
