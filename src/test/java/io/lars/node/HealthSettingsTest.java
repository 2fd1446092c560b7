package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@link HealthSettings}: the shipped values and the key a bad value is reported under. */
@Execution(ExecutionMode.CONCURRENT)
class HealthSettingsTest {

  private static HealthSettings settings(String overrides) {
    return HealthSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void shippedDatabaseTimeoutIsBelowTheCheckTimeout() {
    HealthSettings s = settings("");
    assertEquals(Duration.ofMillis(800), s.databaseTimeout());
    assertEquals(Duration.ofSeconds(1), s.checkTimeout());
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    for (String bad : new String[] {"lars.health.database-timeout = 1s", "lars.health.database-timeout = 0s",
        "lars.health.database-timeout = soon"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(bad));
      assertTrue(e.getMessage().contains("lars.health.database-timeout"), e.getMessage());
    }
  }
}
