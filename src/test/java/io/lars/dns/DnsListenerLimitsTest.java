package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import io.lars.kernel.Metrics;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.ModuleId;
import io.lars.testkit.TestNodeConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dns role reads its listener limits from {@code lars.dns} and exports them as metrics: a
 * node whose allow-list leaves out loopback closes loopback agents and counts them (issue 19,
 * item 14).
 */
class DnsListenerLimitsTest {

  @Test
  void aNodeWhoseAllowListExcludesLoopbackClosesLoopbackConnectionsAndCountsThem() throws Exception {
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString("lars.dns.allow = [\"10.0.0.0/8\"]"));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.of(Role.DNS)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      InetSocketAddress dns = node.listeners("dns", "tcp").get(0).address();
      try (RawDnsClient client = new RawDnsClient(dns)) {
        client.request(new ModuleId(1, 1));
        assertTrue(client.closedWithin(Duration.ofSeconds(10)), "the loopback connection was closed");
      }
      TestProbe<Void> probe = TestProbe.create(node.system());
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        String metrics = Metrics.get(node.system()).scrape();
        assertTrue(metrics.contains("lars_tcp_connections_not_allowed_total{endpoint=\"dns\",} 1.0"), metrics);
        return null;
      });
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
