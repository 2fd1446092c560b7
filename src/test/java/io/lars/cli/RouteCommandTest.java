package io.lars.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteCommandTest {

  @TempDir
  Path dir;

  private Path config;
  private final PrintStream savedOut = System.out;
  private final PrintStream savedErr = System.err;
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  @BeforeEach
  void setUp() throws IOException {
    config = dir.resolve("lars.conf");
    String url = "jdbc:h2:file:" + dir.resolve("lars").toAbsolutePath()
        + ";MODE=MySQL;DATABASE_TO_LOWER=FALSE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;NON_KEYWORDS=VALUE";
    Files.writeString(config, "lars.db.url = \"" + url + "\"\n");
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  /** Runs {@code lars route ... --config FILE} with the test database and captures both streams. */
  private int route(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "route";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--config";
    all[args.length + 2] = config.toString();
    return lars(all);
  }

  /** Runs {@code lars ...} as given and captures both streams. */
  private int lars(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return LarsMain.run(args);
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void addListAndRemoveHosts() {
    assertEquals(0, route("add", "1", "1", "192.168.1.177", "7777"), err());
    assertEquals("added 1 1 192.168.1.177 7777 id=1\n", out());
    assertEquals(0, route("add", "1", "1", "10.0.0.1", "80"), err());
    assertEquals(0, route("add", "2", "1", "10.0.0.2", "81"), err());

    assertEquals(0, route("ls"), err());
    assertEquals("1 1 192.168.1.177 7777 id=1\n1 1 10.0.0.1 80 id=2\n2 1 10.0.0.2 81 id=3\n", out());
    assertEquals(0, route("ls", "1", "1"), err());
    assertEquals("1 1 192.168.1.177 7777 id=1\n1 1 10.0.0.1 80 id=2\n", out());

    assertEquals(0, route("rm", "1", "1", "10.0.0.1", "80"), err());
    assertEquals("removed 1 1 10.0.0.1 80\n", out());
    assertEquals(0, route("ls", "1", "1"), err());
    assertEquals("1 1 192.168.1.177 7777 id=1\n", out());
    assertEquals(0, route("ls", "9", "9"), err());
    assertEquals("", out());
  }

  @Test
  void aDuplicateHostOrAMissingHostIsRefusedWithExitCode1() {
    assertEquals(0, route("add", "1", "1", "10.0.0.1", "80"), err());
    assertEquals(1, route("add", "1", "1", "10.0.0.1", "80"));
    assertTrue(err().contains("already has host 10.0.0.1:80"), err());
    assertEquals("", out());
    assertEquals(1, route("rm", "1", "1", "10.0.0.9", "80"));
    assertTrue(err().contains("has no host 10.0.0.9:80"), err());
  }

  @Test
  void badArgumentsAreUsageErrorsWithExitCode2() {
    assertEquals(2, route("add", "1", "1", "10.0.0", "80"));
    assertTrue(err().contains("not an IPv4 dotted quad"), err());
    assertEquals(2, route("add", "1", "1", "10.0.0.1", "0"));
    assertTrue(err().contains("port 0 is outside 1..65535"), err());
    assertEquals(2, route("rm", "1", "1", "10.0.0.1", "65536"));
    assertTrue(err().contains("65536"), err());
    assertEquals(2, route("add", "x", "1", "10.0.0.1", "80"));
    assertTrue(err().contains("MODID"), err());
    assertEquals(2, route("add", "1", "1", "10.0.0.1"));
    assertEquals(2, route("ls", "1"));
    assertTrue(err().contains("both MODID and CMDID"), err());
    assertEquals(2, lars("route"));
    assertTrue(err().contains("missing subcommand"), err());
    assertEquals(0, route("ls"));
    assertEquals("", out());
  }

  @Test
  void aMissingConfigFileIsAUsageError() {
    config = dir.resolve("nope.conf");
    assertEquals(2, route("ls"));
    assertTrue(err().contains("nope.conf"), err());
  }
}
