package io.lars.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Test actor systems: the project defaults, but a local provider (no cluster, no remoting port). */
final class TransportTestConfig {

  private TransportTestConfig() {}

  static Config config() {
    return ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load());
  }
}
