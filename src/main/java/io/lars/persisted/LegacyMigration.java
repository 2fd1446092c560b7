package io.lars.persisted;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;

/**
 * Points Jackson from the manifest of an old journal row (the class name of the time, e.g.
 * {@code io.lars.agent.LoadBalanceEntity$Event$HostOverloaded}) to a frozen record of the old JSON
 * shape, so the row no longer depends on today's class of that name (DESIGN.md "Persisted data").
 * Each role subclasses it with a public no-argument constructor and names the subclass for every
 * legacy manifest in {@code akka.serialization.jackson.migrations}. Version 2, so that Jackson
 * applies it to the unversioned (version 1) manifests of the old rows; the JSON is read as it is.
 */
public abstract class LegacyMigration extends JacksonMigration {

  private final Map<String, Class<?>> frozen;

  /**
   * @param frozen legacy manifest to the frozen record that reads it
   */
  protected LegacyMigration(Map<String, Class<?>> frozen) {
    this.frozen = Map.copyOf(Objects.requireNonNull(frozen, "frozen"));
  }

  /** @return 2: old rows are version 1 */
  @Override
  public int currentVersion() {
    return 2;
  }

  /**
   * @param fromVersion 1 for every old row
   * @param className a legacy manifest
   * @return the frozen record's class name, or {@code className} when it is not a legacy manifest
   */
  @Override
  public String transformClassName(int fromVersion, String className) {
    Class<?> target = frozen.get(className);
    return target == null ? className : target.getName();
  }

  /** @return the JSON unchanged: the frozen records have the old shape */
  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
