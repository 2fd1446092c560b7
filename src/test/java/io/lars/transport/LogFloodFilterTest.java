package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/** {@link LogFloodFilter}: one line per cause per interval, for Akka's per-input lines only. */
class LogFloodFilterTest {

  private static final String ACCEPT = "Accept error: could not accept new connection";

  private final LoggerContext context = new LoggerContext();
  private final Logger tcpListener = context.getLogger("akka.io.TcpListener");
  private final Logger actorSystem = context.getLogger("akka.actor.ActorSystemImpl");

  @Test
  void aCauseGetsOneLinePerIntervalAndCausesAreCountedApart() {
    LogFloodFilter filter = new LogFloodFilter();
    filter.setIntervalMillis(3_600_000);
    assertEquals(FilterReply.NEUTRAL, decide(filter, tcpListener, Level.ERROR, ACCEPT));
    assertEquals(FilterReply.DENY, decide(filter, tcpListener, Level.ERROR, ACCEPT));
    assertEquals(FilterReply.DENY, decide(filter, tcpListener, Level.WARN, ACCEPT));

    String illegal = "Illegal request, responding with status '400 Bad Request': Illegal character";
    assertEquals(FilterReply.NEUTRAL, decide(filter, actorSystem, Level.WARN, illegal));
    assertEquals(FilterReply.DENY, decide(filter, actorSystem, Level.WARN, illegal));
    assertEquals(FilterReply.NEUTRAL, decide(filter, actorSystem, Level.WARN, "Illegal header: Illegal 'host' header"));
    assertEquals(FilterReply.DENY, decide(filter, actorSystem, Level.WARN, "Illegal header: Illegal 'x' header"));
  }

  @Test
  void otherLoggersMessagesLevelsAndEnabledChecksAreNeverHeldBack() {
    LogFloodFilter filter = new LogFloodFilter();
    assertEquals(FilterReply.NEUTRAL, decide(filter, tcpListener, Level.ERROR, ACCEPT));
    for (int i = 0; i < 3; i++) {
      assertEquals(FilterReply.NEUTRAL, decide(filter, context.getLogger("io.lars.dns.Poller"), Level.ERROR, ACCEPT));
      assertEquals(FilterReply.NEUTRAL, decide(filter, tcpListener, Level.ERROR, "Bind failed"));
      assertEquals(FilterReply.NEUTRAL, decide(filter, tcpListener, Level.INFO, ACCEPT));
      assertEquals(FilterReply.NEUTRAL, decide(filter, tcpListener, Level.ERROR, null)); // isErrorEnabled()
    }
  }

  @Test
  void anIntervalBelowOneMillisecondIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LogFloodFilter().setIntervalMillis(0));
  }

  private static FilterReply decide(LogFloodFilter filter, Logger logger, Level level, String message) {
    return filter.decide(null, logger, level, message, null, null);
  }
}
