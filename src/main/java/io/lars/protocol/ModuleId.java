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
   * @param entityId text of the form {@code "<modid>-<cmdid>"}; modid may itself be negative
   * @return the module
   * @throws IllegalArgumentException if the text is not of that form
   */
  public static ModuleId parseEntityId(String entityId) {
    int dash = entityId.indexOf('-', 1);
    if (dash < 0) {
      throw new IllegalArgumentException("entity id '" + entityId + "' is not <modid>-<cmdid>");
    }
    try {
      return new ModuleId(Integer.parseInt(entityId.substring(0, dash)), Integer.parseInt(entityId.substring(dash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("entity id '" + entityId + "' is not <modid>-<cmdid>", e);
    }
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
