package io.lars.protocol;

import akka.util.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HexFormat;

/** Helpers shared by the protocol tests. */
final class TestSupport {

  /**
   * The project config with a local actor provider: the codec tests need streams only, not the
   * cluster (whose default would bind port 2551).
   */
  static final Config LOCAL_CONFIG =
      ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load());

  private TestSupport() {}

  /**
   * @param hex bytes as written in wire-captures.md, e.g. {@code "04 00 00 00"}
   * @return the bytes
   */
  static ByteString hex(String hex) {
    return ByteString.fromArrayUnsafe(HexFormat.of().parseHex(hex.replace(" ", "")));
  }

  /**
   * @param bytes any bytes
   * @return them as lower-case hex pairs separated by spaces, the way wire-captures.md writes them
   */
  static String hexOf(ByteString bytes) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < bytes.size(); i++) {
      s.append(i == 0 ? "" : " ").append(String.format("%02x", bytes.apply(i) & 0xff));
    }
    return s.toString();
  }
}
