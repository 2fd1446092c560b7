package io.lars.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.CoordinatedShutdown;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import io.lars.kernel.Role;
import io.lars.testkit.TestNodeConfig;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The exit code of {@code lars node} for every way a node can end: the reason mapping, and real
 * nodes stopped on request, terminated by code, and downed by the cluster.
 */
class NodeExitTest {

  @Test
  void onlyARequestedStopIsZero() {
    assertEquals(NodeExit.REQUESTED, NodeExit.of(Optional.of(NodeExit.STOP_REQUESTED)));
    assertEquals(NodeExit.REQUESTED, NodeExit.of(Optional.of(CoordinatedShutdown.jvmExitReason())));
    assertEquals(NodeExit.REMOVED_FROM_CLUSTER, NodeExit.of(Optional.of(CoordinatedShutdown.clusterDowningReason())));
    assertEquals(NodeExit.REMOVED_FROM_CLUSTER, NodeExit.of(Optional.of(CoordinatedShutdown.clusterLeavingReason())));
    assertEquals(NodeExit.FAILED_TO_START, NodeExit.of(Optional.of(CoordinatedShutdown.clusterJoinUnsuccessfulReason())));
    assertEquals(NodeExit.FAILED_TO_START,
        NodeExit.of(Optional.of(CoordinatedShutdown.incompatibleConfigurationDetectedReason())));
    assertEquals(NodeExit.TERMINATED_UNEXPECTEDLY, NodeExit.of(Optional.of(CoordinatedShutdown.actorSystemTerminateReason())));
    assertEquals(NodeExit.TERMINATED_UNEXPECTEDLY, NodeExit.of(Optional.of(CoordinatedShutdown.unknownReason())));
    assertEquals(NodeExit.TERMINATED_UNEXPECTEDLY, NodeExit.of(Optional.empty()));
  }

  @Test
  void theCodesAreTheDocumentedOnes() {
    assertEquals(0, NodeExit.REQUESTED.code());
    assertEquals(1, NodeExit.FAILED_TO_START.code());
    assertEquals(3, NodeExit.TERMINATED_UNEXPECTEDLY.code());
    assertEquals(4, NodeExit.REMOVED_FROM_CLUSTER.code());
  }

  @Test
  void aStopOnRequestExitsZero() throws Exception {
    LarsNode node = start();
    node.stop();
    assertEquals(NodeExit.REQUESTED, node.whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS));
  }

  @Test
  void anActorSystemThatTerminatesByItselfExitsThree() throws Exception {
    LarsNode node = start();
    node.system().terminate();
    assertEquals(NodeExit.TERMINATED_UNEXPECTEDLY, node.whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS));
  }

  @Test
  void aNodeDownedByTheClusterExitsFour() throws Exception {
    LarsNode node = start();
    Cluster cluster = Cluster.get(node.system());
    cluster.manager().tell(new Down(cluster.selfMember().address()));
    assertEquals(NodeExit.REMOVED_FROM_CLUSTER, node.whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS));
  }

  private static LarsNode start() throws Exception {
    return LarsNode.start(TestNodeConfig.create().config(), EnumSet.of(Role.DNS)).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
