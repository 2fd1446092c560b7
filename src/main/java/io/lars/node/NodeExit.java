package io.lars.node;

import akka.actor.CoordinatedShutdown;
import java.util.Optional;

/**
 * Why a node's actor system ended, and the process exit code {@code lars node} returns for it.
 *
 * <p>Only a stop that was asked for exits 0, so that a supervisor ({@code Restart=on-failure} in
 * {@code deploy/systemd/lars-node.service}) restarts the node after every other end. The codes
 * are part of the command's interface (README, "Exit codes"):
 * <ul>
 *   <li>0 {@link #REQUESTED}: SIGTERM, SIGINT or {@link LarsNode#stop()};
 *   <li>1 {@link #FAILED_TO_START}: the node never became ready (bad configuration, database,
 *       bind, cluster join that never succeeded, incompatible cluster configuration);
 *   <li>3 {@link #TERMINATED_UNEXPECTEDLY}: the actor system terminated by itself (a fatal error
 *       in the guardian, {@code ActorSystem.terminate} called by code);
 *   <li>4 {@link #REMOVED_FROM_CLUSTER}: the cluster downed this node (split-brain resolver, an
 *       operator's {@code down}) or made it leave. A downed agent-only node that joined seeds does
 *       not end: it starts a new incarnation ({@code lars.cluster.agent-rejoin}, {@link LarsNode}).
 * </ul>
 * Akka exits the JVM with status 255 by itself on a fatal JVM error ({@code
 * akka.jvm-exit-on-fatal-error}); that code is not produced here.
 */
public enum NodeExit {
  /** Stopped on request: exit 0. */
  REQUESTED(0, "stopped on request"),
  /** Never became ready: exit 1. */
  FAILED_TO_START(1, "failed to start"),
  /** The actor system ended by itself: exit 3. */
  TERMINATED_UNEXPECTEDLY(3, "terminated unexpectedly"),
  /** Downed by, or made to leave, the cluster: exit 4. */
  REMOVED_FROM_CLUSTER(4, "removed from the cluster");

  /**
   * The {@link CoordinatedShutdown} reason of a requested stop: {@link LarsNode#stop()} and the
   * SIGTERM/SIGINT handlers of {@code lars node} run coordinated shutdown with it.
   */
  public static final CoordinatedShutdown.Reason STOP_REQUESTED = new StopRequested();

  private final int code;
  private final String description;

  NodeExit(int code, String description) {
    this.code = code;
    this.description = description;
  }

  /** @return the process exit code, 0, 1, 3 or 4 */
  public int code() {
    return code;
  }

  /** @return a short human description, e.g. "removed from the cluster" */
  public String description() {
    return description;
  }

  /**
   * Classifies the end of an actor system that had started (its listeners were bound).
   *
   * @param reason the reason coordinated shutdown ran with, empty if it never ran
   * @return {@link #REQUESTED} only for {@link #STOP_REQUESTED} and the JVM's own shutdown hook
   *     (a signal the node did not intercept); the cluster's downing and leaving reasons give
   *     {@link #REMOVED_FROM_CLUSTER}; an unsuccessful join and an incompatible configuration give
   *     {@link #FAILED_TO_START}; anything else, {@link #TERMINATED_UNEXPECTEDLY}
   */
  public static NodeExit of(Optional<CoordinatedShutdown.Reason> reason) {
    if (reason.isEmpty()) {
      return TERMINATED_UNEXPECTEDLY;
    }
    CoordinatedShutdown.Reason r = reason.get();
    if (r == STOP_REQUESTED || r == CoordinatedShutdown.jvmExitReason()) {
      return REQUESTED;
    }
    if (r == CoordinatedShutdown.clusterDowningReason() || r == CoordinatedShutdown.clusterLeavingReason()) {
      return REMOVED_FROM_CLUSTER;
    }
    if (r == CoordinatedShutdown.clusterJoinUnsuccessfulReason()
        || r == CoordinatedShutdown.incompatibleConfigurationDetectedReason()) {
      return FAILED_TO_START;
    }
    return TERMINATED_UNEXPECTEDLY;
  }

  /**
   * Classifies the end of a node's actor system from its coordinated-shutdown reason.
   *
   * @param node a node whose system has terminated (or is terminating)
   * @return see {@link #of(Optional)}
   */
  public static NodeExit of(LarsNode node) {
    return of(CoordinatedShutdown.get(node.system()).getShutdownReason());
  }

  private static final class StopRequested implements CoordinatedShutdown.Reason {
    @Override
    public String toString() {
      return "StopRequested";
    }
  }
}
