/**
 * Self-registration (DESIGN.md "Self-registration"), a cluster service shared by three roles: the
 * lease owners ({@link io.lars.lease.LeaseEntity}, sharded on dns nodes), the node's end of the
 * lease topic and the calls to the owners ({@link io.lars.lease.LeaseNode}, used by the agent's
 * UDP endpoint and the admin), and the {@link io.lars.lease.LeaseBook} that feeds a dns node's
 * route registry. Below the roles: it knows none of them.
 */
package io.lars.lease;
