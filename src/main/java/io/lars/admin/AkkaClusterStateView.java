package io.lars.admin;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Member;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.HashCodeMessageExtractor;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import io.lars.agent.LoadBalanceEntity;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * {@link ClusterStateView} over the Akka Cluster API (members, status, roles, reachability, leader)
 * and Cluster Sharding's {@link GetClusterShardingStats} of the LoadBalance entity type (which
 * member's region holds which shards, and how many entities each runs). Modules are placed on
 * members by their shard id, computed as sharding's default extractor does
 * ({@link HashCodeMessageExtractor} with {@code akka.cluster.sharding.number-of-shards}). On a node without
 * cluster provider it answers {@code clustered = false}.
 */
public final class AkkaClusterStateView implements ClusterStateView {

  private final ActorSystem<?> system;
  private final Duration timeout;
  private final HashCodeMessageExtractor<LoadBalanceEntity.Command> extractor;

  /**
   * @param system the node's actor system
   * @param timeout how long sharding may take to gather the stats of every region
   */
  public AkkaClusterStateView(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
    this.extractor = new HashCodeMessageExtractor<>(ClusterShardingSettings.create(system).numberOfShards());
  }

  @Override
  public CompletionStage<ApiJson.ClusterView> cluster(Collection<ModuleId> modules) {
    if (!system.classicSystem().settings().HasCluster()) {
      return CompletableFuture.completedFuture(new ApiJson.ClusterView(false, system.address().toString(), null,
          List.of(), "the node runs without Akka Cluster"));
    }
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(ClusterSharding.get(system).shardState(),
        replyTo -> new GetClusterShardingStats(LoadBalanceEntity.ENTITY_KEY, timeout, replyTo),
        timeout.plusSeconds(1), system.scheduler());
    return stats.handle((s, failure) -> view(s, failure == null ? null : "shard placement unavailable: "
        + failure.getClass().getSimpleName(), modules));
  }

  private ApiJson.ClusterView view(ShardRegion.ClusterShardingStats stats, String error, Collection<ModuleId> modules) {
    Cluster cluster = Cluster.get(system);
    akka.cluster.ClusterEvent.CurrentClusterState state = cluster.state();
    Address self = cluster.selfMember().address();
    Address leader = state.getLeader();
    Set<Member> unreachable = state.getUnreachable();
    Map<Address, Map<String, Integer>> shardsOf = new HashMap<>();
    if (stats != null) {
      stats.getRegions().forEach((address, region) -> {
        Map<String, Integer> shards = new TreeMap<>();
        region.getStats().forEach((shard, count) -> shards.put(shard, ((Number) count).intValue()));
        shardsOf.put(address, shards);
      });
    }
    List<ApiJson.MemberView> members = new ArrayList<>();
    for (Member m : StreamSupport.stream(state.getMembers().spliterator(), false)
        .sorted((a, b) -> a.address().toString().compareTo(b.address().toString())).toList()) {
      Address address = m.address();
      Map<String, Integer> shards = shardsOf.getOrDefault(address, Map.of());
      List<String> placed = modules.stream().sorted()
          .filter(module -> shards.containsKey(shardId(module)))
          .map(module -> module.modid() + "/" + module.cmdid()).toList();
      members.add(new ApiJson.MemberView(address.toString(), m.status().toString(),
          m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().collect(Collectors.toList()),
          !unreachable.contains(m), address.equals(self), address.equals(leader), shards, placed));
    }
    return new ApiJson.ClusterView(true, self.toString(), leader == null ? null : leader.toString(),
        List.copyOf(members), stats == null ? error : null);
  }

  /** The shard of a module's entity, as sharding's default {@code HashCodeMessageExtractor} computes it. */
  private String shardId(ModuleId module) {
    return extractor.shardId(module.entityId());
  }
}
