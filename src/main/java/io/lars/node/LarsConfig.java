package io.lars.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the Lars configuration: a user file over system properties over the defaults. */
public final class LarsConfig {

  private LarsConfig() {}

  /**
   * Loads the configuration.
   *
   * @param file a HOCON file whose settings win over the defaults, or {@code null}
   * @return the resolved configuration
   * @throws IllegalArgumentException if the file is missing or not valid HOCON, with the reason
   */
  public static Config load(Path file) {
    ConfigFactory.invalidateCaches();
    Config defaults = ConfigFactory.load();
    if (file == null) {
      return defaults;
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("config file " + file + " does not exist");
    }
    try {
      Config user = ConfigFactory.parseFile(file.toFile());
      return ConfigFactory.systemProperties()
          .withFallback(user)
          .withFallback(ConfigFactory.defaultApplication())
          .withFallback(ConfigFactory.defaultReference())
          .resolve();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("config file " + file + ": " + e.getMessage(), e);
    }
  }
}
