package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

@SuppressWarnings("unchecked")
class JdbcUrlsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "jdbc:mysql://lars:PW@db.example:3306/lars_dns | jdbc:mysql://lars:***@db.example:3306/lars_dns",
      "jdbc:mysql://lars:p@ss:w/rd@db:3306/lars?ssl=true | jdbc:mysql://lars:***@db:3306/lars?ssl=true",
      "jdbc:mysql://u:PW@h1:3306,u:PW@h2:3306/lars | jdbc:mysql://u:***@h2:3306/lars",
      "jdbc:mariadb://u:PW@h/lars | jdbc:mariadb://u:***@h/lars",
      "jdbc:mysql://h/lars?user=u&password=PW&ssl=true | jdbc:mysql://h/lars?user=u&password=***&ssl=true",
      "jdbc:mysql://h/lars?password=PW | jdbc:mysql://h/lars?password=***",
      "jdbc:mysql://h/lars?PASSWORD=PW&password1=PW&trustCertificateKeyStorePassword=PW"
          + " | jdbc:mysql://h/lars?PASSWORD=***&password1=***&trustCertificateKeyStorePassword=***",
      "jdbc:mysql://address=(host=h)(port=3306)(user=u)(password=PW)/lars"
          + " | jdbc:mysql://address=(host=h)(port=3306)(user=u)(password=***)/lars",
      "jdbc:h2:file:./data/lars;MODE=MySQL;USER=sa;PASSWORD=PW;AUTO_SERVER=TRUE"
          + " | jdbc:h2:file:./data/lars;MODE=MySQL;USER=sa;PASSWORD=***;AUTO_SERVER=TRUE",
      "jdbc:h2:file:./data/lars;CIPHER=AES;FILE_PASSWORD=PW | jdbc:h2:file:./data/lars;CIPHER=AES;FILE_PASSWORD=***",
      "jdbc:h2:tcp://db:9092/lars;password=PW | jdbc:h2:tcp://db:9092/lars;password=***",
  })
  void everyPasswordFormIsMasked(String url, String masked) {
    assertEquals(masked, JdbcUrls.mask(url));
    assertFalse(JdbcUrls.mask(url).contains("PW"), JdbcUrls.mask(url));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "jdbc:mysql://127.0.0.1:3306/lars_dns",
      "jdbc:mysql://lars@127.0.0.1:3306/lars_dns?ssl=true",
      "jdbc:h2:file:./data/lars;MODE=MySQL;DATABASE_TO_LOWER=FALSE;AUTO_SERVER=TRUE",
      "jdbc:h2:mem:lars-1;DB_CLOSE_DELAY=-1",
  })
  void urlsWithoutCredentialsStayAsTheyAre(String url) {
    assertEquals(url, JdbcUrls.mask(url));
  }

  @Test
  void urlsInsideATextAreMasked() {
    assertEquals("cannot connect to 'jdbc:mysql://u:***@h/db' (refused); also jdbc:h2:mem:x;PASSWORD=*** failed",
        JdbcUrls.maskIn("cannot connect to 'jdbc:mysql://u:PW@h/db' (refused); also jdbc:h2:mem:x;PASSWORD=PW failed"));
    assertEquals("no url here", JdbcUrls.maskIn("no url here"));
    assertNull(JdbcUrls.maskIn(null));
    assertNull(JdbcUrls.mask(null));
  }

  @Test
  void settingsNeverShowThePassword() {
    DbSettings s = new DbSettings("jdbc:mysql://lars:topsecret@h/lars", "lars", "topsecret", 2, Duration.ofSeconds(1),
        true);
    assertEquals("jdbc:mysql://lars:***@h/lars", s.safeUrl());
    assertFalse(s.toString().contains("topsecret"), s.toString());
  }

  @Test
  void aFailedOpenNamesTheUrlWithoutThePassword() {
    DbSettings s = new DbSettings("jdbc:mysql://lars:topsecret@127.0.0.1:1/lars?connectTimeout=300", "lars",
        "topsecret", 1, Duration.ofMillis(500), true);
    DatabaseException e = assertThrows(DatabaseException.class, () -> Database.open(s).close());
    assertTrue(e.getMessage().contains("jdbc:mysql://lars:***@127.0.0.1:1/lars"), e.getMessage());
    assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
  }

  @Test
  void openingAndMigratingLogsNoPasswordEvenAtDebug() {
    String password = "pw-" + UUID.randomUUID();
    DbSettings s = new DbSettings("jdbc:h2:mem:lars-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" + DbSettings.H2_FLAGS
        + ";PASSWORD=" + password, "sa", password, 2, Duration.ofSeconds(5), true);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Map<Logger, Level> saved = new HashMap<>();
    for (String name : new String[] {Logger.ROOT_LOGGER_NAME, "org.flywaydb", "com.zaxxer.hikari"}) {
      Logger logger = context.getLogger(name);
      saved.put(logger, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try (Database db = Database.open(s)) {
      assertTrue(db.toString().contains("PASSWORD=***"), db.toString());
    } finally {
      root.detachAppender(logged);
      saved.forEach(Logger::setLevel);
    }
    assertTrue(logged.list.size() > 3, "something was logged at DEBUG");
    // HikariCP's DEBUG configuration dump shows the URL as given; the configured layout masks it.
    assertTrue(logged.list.stream().anyMatch(event -> event.getFormattedMessage().contains(password)),
        "the test sees the library's own unmasked line");
    Layout<ILoggingEvent> layout = configuredLayout(root);
    logged.list.forEach(event -> assertFalse(layout.doLayout(event).contains(password), layout.doLayout(event)));
  }

  @Test
  void theConfiguredLayoutMasksUrlsInMessagesAndStackTraces() {
    Logger logger = (Logger) LoggerFactory.getLogger(JdbcUrlsTest.class);
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "opening {}",
        new IllegalStateException("bad url jdbc:mysql://u:sec-ret@h/db", new RuntimeException("jdbc:h2:mem:x;PASSWORD=sec-ret")),
        new Object[] {"jdbc:mysql://h/db?password=sec-ret"});
    String line = configuredLayout((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).doLayout(event);
    assertTrue(line.contains("opening jdbc:mysql://h/db?password=***"), line);
    assertTrue(line.contains("bad url jdbc:mysql://u:***@h/db"), line);
    assertTrue(line.contains("PASSWORD=***"), line);
    assertFalse(line.contains("sec-ret"), line);
  }

  /** The layout of the console appender logback.xml configures. */
  private static Layout<ILoggingEvent> configuredLayout(Logger root) {
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
    return ((LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder()).getLayout();
  }
}
