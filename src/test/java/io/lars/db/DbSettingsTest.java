package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.lars.testkit.TestDatabases;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DbSettingsTest {

  /**
   * lars-db.conf resolved against a stand-in environment instead of the real one: Typesafe Config
   * looks a {@code ${?LARS_DB_URL}} up at the root of the config before the environment.
   */
  private static Config dbConf(Map<String, String> env) {
    return dbConf(ConfigFactory.parseMap(env));
  }

  /** lars-db.conf under an overlay (and stand-in env vars at its root), resolved without the real environment. */
  private static Config dbConf(Config overlay) {
    return overlay.withFallback(ConfigFactory.parseResources("lars-db.conf"))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  @Test
  void defaultsAreAnH2FileInMySqlModeWithTheSharedFlags() {
    DbSettings s = DbSettings.fromConfig(dbConf(Map.of()));
    assertEquals("jdbc:h2:file:./data/lars" + DbSettings.H2_FLAGS + ";AUTO_SERVER=TRUE", s.url());
    assertEquals("sa", s.user());
    assertEquals("", s.password());
    assertEquals(8, s.poolSize());
    assertEquals(Duration.ofSeconds(5), s.connectionTimeout());
    assertTrue(s.migrate());
    assertTrue(s.isH2());
    assertEquals("h2", s.vendor());
  }

  @Test
  void envVarsOverrideUrlUserAndPassword() {
    DbSettings s = DbSettings.fromConfig(dbConf(Map.of("LARS_DB_URL", "jdbc:mysql://db.example:3306/lars_dns",
        "LARS_DB_USER", "lars", "LARS_DB_PASSWORD", "pw")));
    assertEquals("jdbc:mysql://db.example:3306/lars_dns", s.url());
    assertEquals("lars", s.user());
    assertEquals("pw", s.password());
    assertFalse(s.isH2());
    assertEquals("mysql", s.vendor());
  }

  @Test
  void theDispatcherFollowsThePoolSize() {
    Config c = dbConf(ConfigFactory.parseString("lars.db.pool-size = 3"));
    assertEquals(3, DbSettings.fromConfig(c).poolSize());
    assertEquals(3, c.getInt("lars-jdbc-dispatcher.thread-pool-executor.fixed-pool-size"));
  }

  @Test
  void theTestOverlayPointsANodeConfigAtTheTestDatabase() {
    DbSettings h2 = TestDatabases.h2();
    Config node = ConfigFactory.load(TestDatabases.nodeConfig(h2).withFallback(ConfigFactory.defaultApplication()));
    DbSettings s = DbSettings.fromConfig(node);
    assertEquals(h2.url(), s.url());
    assertEquals(h2.user(), s.user());
    assertEquals(h2.password(), s.password());
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertMessage("lars.db.url (or LARS_DB_URL) must be a jdbc:h2: or jdbc:mysql: URL (use jdbc:mysql:// for MariaDB too),"
        + " got 'jdbc:postgresql://x/lars?password=***'", () -> settings("jdbc:postgresql://x/lars?password=pw", 8, 5000));
    assertMessage("lars.db.url (or LARS_DB_URL) is empty; set a jdbc:h2: or jdbc:mysql: URL", () -> settings(" ", 8, 5000));
    assertMessage("lars.db.pool-size must be 1..1000, got 0", () -> settings("jdbc:h2:mem:x", 0, 5000));
    assertMessage("lars.db.pool-size must be 1..1000, got 1001", () -> settings("jdbc:h2:mem:x", 1001, 5000));
    assertMessage("lars.db.connection-timeout must be 250ms..10m, got 100ms", () -> settings("jdbc:h2:mem:x", 8, 100));
  }

  @Test
  void fromConfigNamesAMissingOrMistypedKey() {
    Config noPool = dbConf(Map.of()).withoutPath("lars.db.pool-size");
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> DbSettings.fromConfig(noPool));
    assertTrue(missing.getMessage().startsWith("lars.db: ") && missing.getMessage().contains("pool-size"), missing.getMessage());
    Config wrongType = ConfigFactory.parseString("lars.db.connection-timeout = soon").withFallback(dbConf(Map.of()));
    IllegalArgumentException mistyped = assertThrows(IllegalArgumentException.class, () -> DbSettings.fromConfig(wrongType));
    assertTrue(mistyped.getMessage().contains("connection-timeout"), mistyped.getMessage());
    Config emptyEnvUrl = dbConf(Map.of("LARS_DB_URL", ""));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> DbSettings.fromConfig(emptyEnvUrl));
    assertTrue(empty.getMessage().contains("LARS_DB_URL"), empty.getMessage());
  }

  @Test
  void passwordsAreMaskedInUrlsAndToString() {
    DbSettings s = new DbSettings("jdbc:mysql://h/lars?user=u&password=topsecret&ssl=true", "u", "topsecret", 2,
        Duration.ofSeconds(1), true);
    assertEquals("jdbc:mysql://h/lars?user=u&password=***&ssl=true", s.safeUrl());
    assertFalse(s.toString().contains("topsecret"), s.toString());
  }

  private static DbSettings settings(String url, int poolSize, long timeoutMillis) {
    return new DbSettings(url, "sa", "", poolSize, Duration.ofMillis(timeoutMillis), true);
  }

  private static void assertMessage(String expected, Runnable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertEquals(expected, e.getMessage());
  }
}
