package io.lars.node;

import io.lars.dns.DnsRole;
import io.lars.kernel.Role;
import io.lars.kernel.RoleStarter;

/** The starter of each role; the only place that knows which package implements which role. */
final class RoleStarters {

  private RoleStarters() {}

  static RoleStarter of(Role role) {
    return switch (role) {
      case DNS -> new DnsRole();
      case REPORTER -> new io.lars.reporter.ReporterRole();
      case AGENT -> new io.lars.agent.AgentRole();
      case ADMIN -> new io.lars.admin.AdminRole();
    };
  }
}
