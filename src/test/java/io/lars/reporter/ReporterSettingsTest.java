package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.transport.TcpServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class ReporterSettingsTest {

  private static ReporterSettings with(String overrides) {
    return ReporterSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()));
  }

  @Test
  void defaultsMatchTheSpec() {
    ReporterSettings s = with("");
    assertEquals(7779, s.listener().port());
    assertEquals(16, s.listener().maxOutgoingFrames());
    assertEquals(TcpServer.IdleRule.BETWEEN_FRAMES, s.listener().idleRule());
    assertEquals(3, s.writers());
    assertEquals(500, s.batchSize());
    assertEquals(Duration.ofMillis(200), s.flushInterval());
    assertEquals(100_000, s.maxBufferedRows());
    assertEquals(Duration.ofMillis(200), s.retryMinBackoff());
    assertEquals(Duration.ofSeconds(10), s.retryMaxBackoff());
    assertEquals(10_000, s.maxResultsPerRequest());
  }

  @Test
  void errorsNameTheKey() {
    assertMessage("lars.reporter.writers = 0", "lars.reporter.writers");
    assertMessage("lars.reporter.port = 70000", "lars.reporter.port");
    assertMessage("lars.reporter.batch-size = 0", "lars.reporter.batch-size");
    assertMessage("lars.reporter.flush-interval = 0ms", "lars.reporter.flush-interval");
    assertMessage("lars.reporter.max-buffered-rows = 10", "lars.reporter.max-buffered-rows");
    assertMessage("lars.reporter.retry-max-backoff = 1ms", "lars.reporter.retry-max-backoff");
    assertMessage("lars.reporter.max-results-per-request = 0", "lars.reporter.max-results-per-request");
    assertMessage("lars.reporter.flush-interval = soon", "flush-interval");
    assertMessage("lars.reporter.history-retention = 0s", "lars.reporter.history-retention");
  }

  private static void assertMessage(String overrides, String key) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(overrides));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
