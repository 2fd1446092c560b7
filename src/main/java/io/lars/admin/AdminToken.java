package io.lars.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token that admin writes need.
 *
 * <p>A configured token ({@code lars.admin.token} or {@code LARS_ADMIN_TOKEN}) wins. Without one,
 * the token in {@code <data-dir>/admin-token} is used; when that file does not exist, a token of 32
 * random bytes (hex) is generated, written there readable by the owner only, and announced once at
 * WARN with its first 4 characters and the file's path (never in full). Later starts read the file
 * and log nothing.
 */
public final class AdminToken {

  /** Name of the token file under {@code lars.admin.data-dir}. */
  public static final String FILE_NAME = "admin-token";

  private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
  private static final int TOKEN_BYTES = 32;

  private final String token;

  private AdminToken(String token) {
    this.token = token;
  }

  /**
   * Finds or creates the token.
   *
   * @param configured the configured token, or empty
   * @param dataDir the directory of the token file; created when missing
   * @return the token
   * @throws UncheckedIOException if the token file cannot be read or written (with its path)
   * @throws IllegalStateException if the token file is empty
   */
  public static AdminToken resolve(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return new AdminToken(configured.get());
    }
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (!Files.exists(file)) {
        String generated = generate();
        if (write(file, generated)) {
          // Only a prefix: logs are shipped and kept where the token file's mode 600 does not reach.
          log.warn("generated the admin token {}... (first 4 of {} characters) and stored it in {}; read it there and "
              + "send it as 'Authorization: Bearer <token>' (set lars.admin.token or LARS_ADMIN_TOKEN to choose one)",
              generated.substring(0, 4), generated.length(), file.toAbsolutePath());
          return new AdminToken(generated);
        }
      }
      String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (stored.isEmpty()) {
        throw new IllegalStateException("admin token file " + file.toAbsolutePath() + " is empty; delete it to "
            + "generate a new token or set lars.admin.token");
      }
      return new AdminToken(stored);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the admin token file " + file.toAbsolutePath(), e);
    }
  }

  /**
   * @return the token, for Akka HTTP's {@code ProvidedCredentials.verify} (a constant-time
   *     compare); never logged
   */
  String secret() {
    return token;
  }

  private static String generate() {
    byte[] bytes = new byte[TOKEN_BYTES];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** Creates the file with owner-only permissions; false if another process created it first. */
  private static boolean write(Path file, String token) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    return true;
  }
}
