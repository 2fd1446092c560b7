package io.lars.db;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %msg} with every JDBC URL masked ({@link JdbcUrls#maskIn}): the last line of
 * defence for URLs that libraries log themselves (HikariCP's configuration dump at DEBUG shows
 * the whole URL, Flyway and Slick name it in errors). {@code logback.xml} registers it as
 * {@code %msg}; Lars's own code masks before logging anyway.
 */
public final class MaskedMessageConverter extends MessageConverter {

  /**
   * @param event the log event
   * @return its formatted message, JDBC URLs masked
   */
  @Override
  public String convert(ILoggingEvent event) {
    return JdbcUrls.maskIn(super.convert(event));
  }
}
