package io.lars.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.cli.LarsMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the {@code lars} command line in this JVM and captures what it prints. */
public final class LarsCli {

  private LarsCli() {}

  /**
   * What one run gave.
   *
   * @param exit the exit code
   * @param out everything printed on stdout
   * @param err everything printed on stderr
   */
  public record Run(int exit, String out, String err) {
    /**
     * Asserts a usage error: exit 64 and exactly one line on stderr, no stack trace.
     *
     * @param mentioning text the line must contain
     */
    public void isUsageError(String mentioning) {
      assertEquals(LarsMain.USAGE, exit, out + err);
      assertEquals(1, err.strip().lines().count(), err);
      assertFalse(err.contains("Exception") || err.contains("\tat "), err);
      assertTrue(err.contains(mentioning), err);
    }
  }

  /**
   * Runs {@code lars ARGS} with stdout and stderr captured; one run at a time in the JVM, since
   * {@code System.out} is global.
   *
   * @param args the command line
   * @return the exit code and the output
   */
  public static synchronized Run lars(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Run(LarsMain.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
