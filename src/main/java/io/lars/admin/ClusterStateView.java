package io.lars.admin;

import io.lars.protocol.ModuleId;
import java.util.Collection;
import java.util.concurrent.CompletionStage;

/** Reads the cluster's members and the placement of the LoadBalance shards for the admin. */
@FunctionalInterface
public interface ClusterStateView {

  /**
   * @param modules the modules to place on the members (those of the route table)
   * @return completes with the cluster as this node sees it; never fails: a missing part is
   *     reported in the view ({@code shardsError}, {@code clustered = false})
   */
  CompletionStage<ApiJson.ClusterView> cluster(Collection<ModuleId> modules);
}
