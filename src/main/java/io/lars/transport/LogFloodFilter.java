package io.lars.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Throttles the log lines that Akka itself writes once per bad input (DESIGN.md "Robustness
 * rules", H9 and H11), which our own {@link LogThrottle}s cannot reach: a logback turbo filter, installed in
 * {@code logback.xml}, that lets one line per cause through per {@code interval} (default 10 s)
 * and, with the next line let through, writes one line of its own with how many it held back.
 *
 * <p>Causes (logger name and message start, as Akka's SLF4J logger passes the formatted message):
 * <ul>
 *   <li>{@code akka.io.TcpListener} "Accept error": one ERROR with a stack trace per failed
 *       {@code accept}, millions per minute when file descriptors run out (item 9);
 *   <li>Akka HTTP's "Illegal request", "Illegal header" and "Sending an 2xx 'early' response"
 *       warnings, one per bad request on the admin port, each echoing part of the input.
 * </ul>
 * Thread-safe; decisions cost a string prefix test for the loggers above only.
 */
public final class LogFloodFilter extends TurboFilter {

  private record Cause(String logger, String messageStart, LogThrottle throttle) {}

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogFloodFilter.class);

  private volatile List<Cause> causes = causes(Duration.ofSeconds(10));

  /** Creates the filter with a 10 s interval; logback calls it. */
  public LogFloodFilter() {}

  /**
   * Sets the interval ({@code <intervalMillis>} in {@code logback.xml}).
   *
   * @param millis the least time between two lines of one cause, positive
   * @throws IllegalArgumentException if not positive
   */
  public void setIntervalMillis(long millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("LogFloodFilter intervalMillis must be positive, was " + millis);
    }
    causes = causes(Duration.ofMillis(millis));
  }

  private static List<Cause> causes(Duration interval) {
    return List.of(
        new Cause("akka.io.TcpListener", "Accept error", new LogThrottle(interval)),
        new Cause("akka.actor.ActorSystemImpl", "Illegal request", new LogThrottle(interval)),
        new Cause("akka.actor.ActorSystemImpl", "Illegal header", new LogThrottle(interval)),
        new Cause("akka.actor.ActorSystemImpl", "Sending an 2xx 'early' response", new LogThrottle(interval)));
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || level == null || level.toInt() < Level.WARN_INT) {
      return FilterReply.NEUTRAL; // isEnabled checks, and lines below WARN, are never throttled
    }
    String name = logger.getName();
    for (Cause cause : causes) {
      if (cause.logger().equals(name) && format.startsWith(cause.messageStart())) {
        if (!cause.throttle().tryAcquire()) {
          return FilterReply.DENY;
        }
        long held = cause.throttle().takeSuppressed();
        if (held > 0) {
          LOG.warn("held back {} log lines of {} starting \"{}\" since the last one", held, name, cause.messageStart());
        }
        return FilterReply.NEUTRAL;
      }
    }
    return FilterReply.NEUTRAL;
  }
}
