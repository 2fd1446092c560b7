package io.lars.db;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback's {@code %ex} with every JDBC URL in the stack trace's messages masked
 * ({@link JdbcUrls#maskIn}); a driver's exception may carry the URL it was given.
 * {@code logback.xml} registers it as {@code %ex}.
 */
public final class MaskedThrowableConverter extends ThrowableProxyConverter {

  /**
   * @param proxy the logged throwable
   * @return its stack trace text, JDBC URLs masked
   */
  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return JdbcUrls.maskIn(super.throwableProxyToString(proxy));
  }
}
