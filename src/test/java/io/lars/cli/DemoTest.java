package io.lars.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo, shortened to 10 s: real HTTP backends, real UDP, real shares. */
class DemoTest {

  @Test
  void unhealthyBackendsGetOnlyProbeTrafficAndHealthyOnesCarryTheLoad() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Demo.Result r = new Demo(new PrintStream(buf, true, StandardCharsets.UTF_8), 8, Duration.ofSeconds(10)).run();
    String out = buf.toString(StandardCharsets.UTF_8);
    assertNull(DemoCommand.verdict(r), out);
    assertTrue(r.backend("dead").overloadedAtEnd() || r.backend("dead").lastShare() < 0.1, out);
    assertTrue(r.backend("fast").lastShare() > 0.3, out);
    assertTrue(r.backend("slow").lastShare() > 0.3, out);
    assertTrue(r.backend("fast").err() == 0 && r.backend("dead").succ() == 0, out);
    assertFalse(r.transitions().isEmpty(), "no transition seen:\n" + out);
    assertTrue(out.contains("ServerCallStatus rows stored by the reporter"), out);
    // Issue 16: the self-registered backend joined, and left after its TTL once killed.
    assertTrue(out.contains("registers itself in module"), out);
    assertTrue(r.lease().leftMs() >= r.lease().ttlMs() - 1000, "left before its TTL could pass: " + r.lease());
  }
}
