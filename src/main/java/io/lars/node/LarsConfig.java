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
    return load(file, ConfigFactory.empty());
  }

  /**
   * Loads the configuration with command-line settings on top. Precedence, highest first:
   * {@code overrides}, system properties ({@code -Dkey=value}), the file, the defaults. The
   * layers are merged before substitutions are resolved, so a {@code ${lars.db.url}} in the
   * defaults sees an overridden value.
   *
   * @param file a HOCON file whose settings win over the defaults, or {@code null}
   * @param overrides unresolved settings that win over everything (see {@link io.lars.cli.NodeOverrides#toConfig()})
   * @return the resolved configuration
   * @throws IllegalArgumentException if the file is missing or not valid HOCON, or a substitution
   *     cannot be resolved, with the reason
   */
  public static Config load(Path file, Config overrides) {
    ConfigFactory.invalidateCaches();
    Config user = ConfigFactory.empty();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      try {
        user = ConfigFactory.parseFile(file.toFile());
      } catch (ConfigException e) {
        throw new IllegalArgumentException("config file " + file + ": " + e.getMessage(), e);
      }
    }
    try {
      return overrides
          .withFallback(ConfigFactory.systemProperties())
          .withFallback(user)
          .withFallback(ConfigFactory.defaultApplication())
          .withFallback(ConfigFactory.defaultReference())
          .resolve();
    } catch (ConfigException e) {
      throw new IllegalArgumentException((file == null ? "configuration" : "config file " + file) + ": "
          + e.getMessage(), e);
    }
  }
}
