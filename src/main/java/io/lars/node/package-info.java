/**
 * Node start-up, above the roles: configuration loading and validation, the guardian that starts
 * each role through its {@link io.lars.kernel.RoleStarter} and reports when all listeners are
 * bound, health checks, exit codes and the one-cluster-per-database guard. What the roles need
 * from the node is in {@code io.lars.kernel}, below them.
 */
package io.lars.node;
