package io.lars.protocol;

/**
 * A Lars module: modid (the business area) and cmdid (the concrete service).
 *
 * @param modid any int32
 * @param cmdid any int32
 */
public record ModuleId(int modid, int cmdid) implements Comparable<ModuleId> {

  /** @return the sharding entity id {@code "<modid>-<cmdid>"} */
  public String entityId() {
    return modid + "-" + cmdid;
  }

  /**
   * Parses an entity id.
   *
   * @param entityId text of the form {@code "<modid>-<cmdid>"} exactly as {@link #entityId()} writes
   *     it; modid may itself be negative ({@code "-1-5"})
   * @return the module
   * @throws IllegalArgumentException if the text is not of that form, including non-canonical
   *     numbers such as {@code "01-2"} or {@code "+1-2"}
   */
  public static ModuleId parseEntityId(String entityId) {
    int dash = entityId.indexOf('-', 1);
    if (dash < 0) {
      throw notAnEntityId(entityId, null);
    }
    ModuleId module;
    try {
      module = new ModuleId(Integer.parseInt(entityId.substring(0, dash)), Integer.parseInt(entityId.substring(dash + 1)));
    } catch (NumberFormatException e) {
      throw notAnEntityId(entityId, e);
    }
    // Only the canonical text: "01-2" or "+1-2" would name a second entity for module (1,2).
    if (!module.entityId().equals(entityId)) {
      throw notAnEntityId(entityId, null);
    }
    return module;
  }

  private static IllegalArgumentException notAnEntityId(String entityId, NumberFormatException cause) {
    return new IllegalArgumentException("entity id '" + entityId + "' is not <modid>-<cmdid>", cause);
  }

  @Override
  public int compareTo(ModuleId other) {
    int c = Integer.compare(modid, other.modid);
    return c != 0 ? c : Integer.compare(cmdid, other.cmdid);
  }

  @Override
  public String toString() {
    return "(" + modid + "," + cmdid + ")";
  }
}
