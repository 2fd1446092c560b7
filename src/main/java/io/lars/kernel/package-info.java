/**
 * The kernel of a node, below the roles: what every role needs from the node and nothing of the
 * start-up. {@link io.lars.kernel.Role} and the role SPI {@link io.lars.kernel.RoleStarter}, the
 * {@link io.lars.kernel.NodeContext} a role starts with (settings, database, hand-over between
 * incarnations), the {@link io.lars.kernel.Listener}s it binds, and the node's
 * {@link io.lars.kernel.Metrics} registry. The start-up code that wires the roles is
 * {@code io.lars.node}, above them (DESIGN.md "Packages and their floors").
 */
package io.lars.kernel;
