/**
 * The {@code agent} role (DESIGN.md "Agent views"): the load-balancing decisions per module
 * ({@link io.lars.agent.LoadBalance}, a plain class with an injected clock, tuned by
 * {@link io.lars.agent.LoadBalanceSettings}) owned by one sharded {@link io.lars.agent.LoadBalanceEntity}
 * per module, which decides from the reports of every agent node and records in the background
 * ({@link io.lars.agent.LoadBalanceRecorder}); the node-local {@link io.lars.agent.ModuleView}s kept by
 * {@link io.lars.agent.NodeViews}; and the UDP ports clients call, each an Akka Streams flow
 * ({@link io.lars.agent.AgentPortStage} inside {@link io.lars.agent.AgentPort}) that answers from the
 * views without asking anyone.
 */
package io.lars.agent;
