package io.lars.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.LoggerFactory;

/** Counts the log events a node writes, by level, through an appender on the root logger (fuzz benches). */
final class LogCounter extends AppenderBase<ILoggingEvent> {
  private final LongAdder error = new LongAdder();
  private final LongAdder warn = new LongAdder();
  private final LongAdder info = new LongAdder();

  static LogCounter attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCounter counter = new LogCounter();
    counter.setContext(context);
    counter.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(counter);
    return counter;
  }

  void reset() {
    error.reset();
    warn.reset();
    info.reset();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      error.increment();
    } else if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      warn.increment();
    } else if (event.getLevel().isGreaterOrEqual(Level.INFO)) {
      info.increment();
    }
  }

  @Override
  public String toString() {
    return "ERROR " + error.sum() + ", WARN " + warn.sum() + ", INFO " + info.sum();
  }
}
