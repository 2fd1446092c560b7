package io.lars.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Human names of modids ({@code ModIDConfig}) and cmdids ({@code CmdIDConfig}), shown by the admin.
 *
 * <p>Every method blocks; callers run it on {@code lars-jdbc-dispatcher}. A name is 1..255
 * characters; each modid and each cmdid has at most one.
 */
public final class NameRepository {

  /** Longest name the {@code content} columns hold. */
  public static final int MAX_NAME_LENGTH = 255;

  private static final String SELECT_MODULES = "SELECT modid, content FROM ModIDConfig ORDER BY modid";
  private static final String UPSERT_MODULE =
      "INSERT INTO ModIDConfig (modid, content) VALUES (?, ?) ON DUPLICATE KEY UPDATE content = VALUES(content)";
  private static final String DELETE_MODULE = "DELETE FROM ModIDConfig WHERE modid = ?";
  private static final String SELECT_COMMANDS = "SELECT cmdid, content FROM CmdIDConfig ORDER BY cmdid";
  private static final String UPSERT_COMMAND =
      "INSERT INTO CmdIDConfig (cmdid, content) VALUES (?, ?) ON DUPLICATE KEY UPDATE content = VALUES(content)";
  private static final String DELETE_COMMAND = "DELETE FROM CmdIDConfig WHERE cmdid = ?";

  private final DataSource ds;

  /** @param ds the pooled data source of a migrated database */
  public NameRepository(DataSource ds) {
    this.ds = Objects.requireNonNull(ds, "ds");
  }

  /**
   * @return modid to name, sorted by modid; immutable
   * @throws DatabaseException if the query fails
   */
  public SortedMap<Integer, String> listModuleNames() {
    return list(SELECT_MODULES, "list module names");
  }

  /**
   * Sets the name of a modid, replacing any previous one.
   *
   * @param modid the modid
   * @param name 1..255 characters
   * @throws IllegalArgumentException if the name is empty, blank or too long
   * @throws DatabaseException if the write fails
   */
  public void upsertModuleName(int modid, String name) {
    upsert(UPSERT_MODULE, modid, name, "set name of modid " + modid);
  }

  /**
   * @param modid the modid
   * @return true if a name was deleted, false if the modid had none
   * @throws DatabaseException if the delete fails
   */
  public boolean deleteModuleName(int modid) {
    return delete(DELETE_MODULE, modid, "delete name of modid " + modid);
  }

  /**
   * @return cmdid to name, sorted by cmdid; immutable
   * @throws DatabaseException if the query fails
   */
  public SortedMap<Integer, String> listCommandNames() {
    return list(SELECT_COMMANDS, "list command names");
  }

  /**
   * Sets the name of a cmdid, replacing any previous one.
   *
   * @param cmdid the cmdid
   * @param name 1..255 characters
   * @throws IllegalArgumentException if the name is empty, blank or too long
   * @throws DatabaseException if the write fails
   */
  public void upsertCommandName(int cmdid, String name) {
    upsert(UPSERT_COMMAND, cmdid, name, "set name of cmdid " + cmdid);
  }

  /**
   * @param cmdid the cmdid
   * @return true if a name was deleted, false if the cmdid had none
   * @throws DatabaseException if the delete fails
   */
  public boolean deleteCommandName(int cmdid) {
    return delete(DELETE_COMMAND, cmdid, "delete name of cmdid " + cmdid);
  }

  private SortedMap<Integer, String> list(String sql, String what) {
    return Jdbc.withConnection(ds, what, c -> {
      SortedMap<Integer, String> names = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.put(rs.getInt(1), rs.getString(2));
        }
      }
      return Collections.unmodifiableSortedMap(names);
    });
  }

  private void upsert(String sql, int id, String name, String what) {
    if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("name must be 1.." + MAX_NAME_LENGTH + " characters and not blank, got "
          + (name == null ? "none" : name.length() + " characters"));
    }
    Jdbc.withConnection(ds, what, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, id);
        ps.setString(2, name);
        return ps.executeUpdate();
      }
    });
  }

  private boolean delete(String sql, int id, String what) {
    return Jdbc.withConnection(ds, what, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, id);
        return ps.executeUpdate() > 0;
      }
    });
  }
}
