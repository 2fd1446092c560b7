package io.lars.db;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in JDBC URLs, so that no log line, error message or printed setting shows a
 * database password in clear. Every place that logs or prints a URL goes through {@link #mask}
 * (or {@link #maskIn} for free text such as a driver's error message).
 *
 * <p>Masked forms, each replaced by {@value #MASK}:
 * <ul>
 *   <li>user-info: {@code jdbc:mysql://user:PW@host/db}, also with several hosts
 *       ({@code //u:PW@h1,u:PW@h2/db}, everything from the first {@code :} of the user-info to the
 *       last {@code @} before the query is masked);</li>
 *   <li>any key ending in {@code password} (case-insensitive, optionally numbered): query
 *       parameters ({@code ?password=PW}, {@code &password1=PW},
 *       {@code &trustCertificateKeyStorePassword=PW}), H2 settings ({@code ;PASSWORD=PW},
 *       {@code ;FILE_PASSWORD=PW}) and Connector/J key-value hosts ({@code (password=PW)}).</li>
 * </ul>
 * The user name is kept (it helps to diagnose a login failure). A URL without credentials is
 * returned unchanged.
 */
public final class JdbcUrls {

  /** What a password is replaced with. */
  public static final String MASK = "***";

  /** {@code ...password=VALUE}, the value ending at the next {@code & ; , )} or whitespace. */
  private static final Pattern PASSWORD_KEY = Pattern.compile("(?i)([a-z_]*password\\d*\\s*=)[^&;,)\\s]*");
  /** A JDBC URL inside free text, up to whitespace or a quote. */
  private static final Pattern URL_IN_TEXT = Pattern.compile("jdbc:[^\\s'\"<>]+");

  private JdbcUrls() {}

  /**
   * Masks the credentials of one URL.
   *
   * @param url a JDBC URL, or null
   * @return the URL with every password replaced by {@value #MASK}; null for null
   */
  public static String mask(String url) {
    if (url == null) {
      return null;
    }
    return PASSWORD_KEY.matcher(maskUserInfo(url)).replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }

  /**
   * Masks every JDBC URL found in a text (an exception message, a log line).
   *
   * @param text any text, or null
   * @return the text with the URLs in it masked as by {@link #mask}; null for null
   */
  public static String maskIn(String text) {
    if (text == null) {
      return null;
    }
    return URL_IN_TEXT.matcher(text).replaceAll(m -> Matcher.quoteReplacement(mask(m.group())));
  }

  /** {@code scheme://user:PW@host} → {@code scheme://user:***@host}. */
  private static String maskUserInfo(String url) {
    int authority = url.indexOf("//");
    if (authority < 0) {
      return url;
    }
    int query = url.indexOf('?', authority);
    int at = url.lastIndexOf('@', query < 0 ? url.length() : query);
    if (at < authority) {
      return url;
    }
    int colon = url.indexOf(':', authority + 2);
    if (colon < 0 || colon > at) {
      return url;
    }
    return url.substring(0, colon + 1) + MASK + url.substring(at);
  }
}
