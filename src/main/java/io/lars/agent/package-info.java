/**
 * The {@code agent} role: the load-balancing decisions per module ({@link io.lars.agent.LoadBalance},
 * a plain class with an injected clock, tuned by {@link io.lars.agent.LoadBalanceSettings}), the
 * sharded entity that wraps them, and the local UDP endpoint clients call (SPEC 7).
 */
package io.lars.agent;
