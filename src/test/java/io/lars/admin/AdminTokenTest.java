package io.lars.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AdminTokenTest {

  @TempDir
  Path dir;

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(AdminToken.class);

  @BeforeEach
  void captureLog() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    logger.detachAppender(logged);
  }

  @Test
  void generatedOnceStoredOwnerOnlyAndLoggedOnlyTheFirstTime() throws Exception {
    Path dataDir = dir.resolve("data");
    AdminToken first = AdminToken.resolve(Optional.empty(), dataDir);
    Path file = dataDir.resolve(AdminToken.FILE_NAME);
    String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
    assertTrue(stored.matches("[0-9a-f]{64}"), stored);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(stored, first.secret());
    assertEquals(1, logged.list.size());
    assertEquals(Level.WARN, logged.list.get(0).getLevel());
    String line = logged.list.get(0).getFormattedMessage();
    assertFalse(line.contains(stored), "the token is never logged in full: " + line);
    assertTrue(line.contains(stored.substring(0, 4) + "..."), line);
    assertTrue(line.contains(file.toAbsolutePath().toString()), line);

    AdminToken second = AdminToken.resolve(Optional.empty(), dataDir);
    assertEquals(stored, second.secret());
    assertEquals(1, logged.list.size(), "the token is printed only when generated");
  }

  @Test
  void aConfiguredTokenWinsAndWritesNoFile() {
    AdminToken token = AdminToken.resolve(Optional.of("mine"), dir);
    assertEquals("mine", token.secret());
    assertFalse(Files.exists(dir.resolve(AdminToken.FILE_NAME)));
    assertTrue(logged.list.isEmpty());
  }

  @Test
  void anEmptyTokenFileIsAClearError() throws Exception {
    Files.writeString(dir.resolve(AdminToken.FILE_NAME), "\n");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AdminToken.resolve(Optional.empty(), dir));
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
  }

  @Test
  void twoGeneratedTokensDiffer() {
    AdminToken a = AdminToken.resolve(Optional.empty(), dir.resolve("a"));
    assertNotEquals(a.secret(), readToken(dir.resolve("b")));
  }

  private static String readToken(Path dataDir) {
    AdminToken.resolve(Optional.empty(), dataDir);
    try {
      return Files.readString(dataDir.resolve(AdminToken.FILE_NAME)).strip();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
