package io.lars.kernel;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The roles a Lars node can run; each is also the node's Akka cluster role of the same name. */
public enum Role {
  /** Route table and subscriptions, TCP {@code lars.dns.port}. */
  DNS,
  /** Call statistics storage, TCP {@code lars.reporter.port}. */
  REPORTER,
  /** Load-balancing agent, UDP {@code lars.agent.ports}. */
  AGENT,
  /** Web admin and REST API, HTTP {@code lars.admin.port}. */
  ADMIN;

  /** @return the lower-case name used in {@code --roles} and as the cluster role */
  public String roleName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a comma-separated role list.
   *
   * @param list e.g. {@code "dns,agent"}; blank means all roles
   * @return the roles, never empty
   * @throws IllegalArgumentException naming the unknown role
   */
  public static Set<Role> parseList(String list) {
    if (list == null || list.isBlank()) {
      return EnumSet.allOf(Role.class);
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : list.split(",")) {
      String name = part.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown role '" + name + "'; roles are dns, reporter, agent, admin", e);
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("--roles names no role; roles are dns, reporter, agent, admin");
    }
    return roles;
  }
}
