package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.transport.TcpServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class DnsSettingsTest {

  @Test
  void defaultsAreTheReferenceOnes() {
    DnsSettings s = DnsSettings.fromConfig(ConfigFactory.load());
    assertEquals(7778, s.listener().port());
    assertEquals(Duration.ofSeconds(1), s.pollInterval());
    assertEquals(Duration.ofSeconds(10), s.fullReloadInterval());
    assertEquals(1024, s.listener().maxOutgoingFrames());
    assertEquals(10000, s.listener().maxConnections());
    assertEquals(TcpServer.IdleRule.UNTIL_FIRST_FRAME, s.listener().idleRule());
  }

  @Test
  void badValuesNameTheirKey() {
    assertKey("lars.dns.port = 70000", "lars.dns.port");
    assertKey("lars.dns.poll-interval = 1ms", "lars.dns.poll-interval");
    assertKey("lars.dns.full-reload-interval = 100ms", "lars.dns.full-reload-interval");
    assertKey("lars.dns.max-outgoing-frames = 0", "lars.dns.max-outgoing-frames");
    assertKey("lars.dns.max-connections = -1", "lars.dns.max-connections");
    assertKey("lars.dns.max-connections = 2000000", "lars.dns.max-connections");
    assertKey("lars.dns.poll-interval = soon", "poll-interval");
  }

  private static void assertKey(String override, String key) {
    Config c = ConfigFactory.parseString(override).withFallback(ConfigFactory.load());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DnsSettings.fromConfig(c));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
