package io.lars.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.kernel.Role;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How a node joins and keeps its cluster, read once at start from {@code lars.cluster} (see
 * {@code lars-akka.conf}) and the two Akka keys the decisions depend on,
 * {@code akka.cluster.seed-nodes} and {@code akka.remote.artery.canonical.*}.
 *
 * @param joinBy how the node joins (DESIGN.md "Cluster")
 * @param seedNodes the configured seed nodes: not empty for {@link Join#SEED_NODES}, empty for
 *     {@link Join#SELF}
 * @param canonicalAddress {@code akka://lars@host:port} as configured (port 0 reads as 0); names the
 *     node that formed a cluster in the incarnation row
 * @param agentRejoin {@code lars.cluster.agent-rejoin.enabled}: an agent-only node that joins others
 *     starts a new incarnation when downed (DESIGN.md "Robustness rules", H12)
 * @param agentRejoinRetryInterval wait before a failed new incarnation is started again, 100 ms..1 h
 * @param incarnation {@code lars.cluster.incarnation}, one cluster per database
 */
public record ClusterSettings(Join joinBy, List<String> seedNodes, String canonicalAddress, boolean agentRejoin,
    Duration agentRejoinRetryInterval, IncarnationGuard.Settings incarnation) {

  /** The configuration path of the Lars keys. */
  public static final String PATH = "lars.cluster";

  /** How a node becomes a cluster member. */
  public enum Join {
    /** {@code lars.cluster.bootstrap = on}: Akka Cluster Bootstrap finds the peers. */
    BOOTSTRAP,
    /** Akka joins {@code akka.cluster.seed-nodes} by itself. */
    SEED_NODES,
    /** No seeds, no bootstrap: the node joins itself and forms a cluster of its own. */
    SELF;

    /**
     * @param bootstrap {@code lars.cluster.bootstrap}
     * @param seedNodes {@code akka.cluster.seed-nodes}
     * @return bootstrap wins; else seed nodes when there are any; else self
     */
    public static Join of(boolean bootstrap, List<String> seedNodes) {
      return bootstrap ? BOOTSTRAP : seedNodes.isEmpty() ? SELF : SEED_NODES;
    }
  }

  /**
   * Validates the values and copies the seed list.
   *
   * @throws IllegalArgumentException naming the key of the first wrong value
   */
  public ClusterSettings {
    if (joinBy == null || incarnation == null || seedNodes == null) {
      throw new IllegalArgumentException(PATH + ": join, seed nodes and incarnation settings are required");
    }
    seedNodes = List.copyOf(seedNodes);
    if ((joinBy == Join.SEED_NODES && seedNodes.isEmpty()) || (joinBy == Join.SELF && !seedNodes.isEmpty())) {
      throw new IllegalArgumentException("akka.cluster.seed-nodes " + seedNodes + " do not fit join " + joinBy);
    }
    if (canonicalAddress == null || canonicalAddress.isBlank()) {
      throw new IllegalArgumentException("akka.remote.artery.canonical.hostname must name this node's address");
    }
    if (agentRejoinRetryInterval == null || agentRejoinRetryInterval.toMillis() < 100
        || agentRejoinRetryInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(PATH + ".agent-rejoin.retry-interval must be 100ms..1h, got "
          + agentRejoinRetryInterval);
    }
  }

  /**
   * Reads and validates the cluster settings.
   *
   * @param config the resolved configuration
   * @return the settings
   * @throws IllegalArgumentException if a key is missing, has the wrong type or is out of range, naming the key
   */
  public static ClusterSettings fromConfig(Config config) {
    IncarnationGuard.Settings incarnation = IncarnationGuard.Settings.fromConfig(config);
    try {
      // full paths, so that a ConfigException names the whole key
      List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
      String address = "akka://lars@" + config.getString("akka.remote.artery.canonical.hostname") + ":"
          + config.getInt("akka.remote.artery.canonical.port");
      return new ClusterSettings(Join.of(config.getBoolean(PATH + ".bootstrap"), seeds), seeds, address,
          config.getBoolean(PATH + ".agent-rejoin.enabled"), config.getDuration(PATH + ".agent-rejoin.retry-interval"),
          incarnation);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** @return true when this node forms a new cluster (it joins itself) and so claims the database */
  public boolean formsCluster() {
    return joinBy == Join.SELF;
  }

  /**
   * @param roles the node's roles
   * @return true when a removal from the cluster starts a new incarnation instead of ending the
   *     node: agent rejoin on, only the {@code agent} role, and seed nodes or Cluster Bootstrap to
   *     join again through
   */
  public boolean rejoinApplies(Set<Role> roles) {
    return agentRejoin && roles.equals(EnumSet.of(Role.AGENT)) && joinBy != Join.SELF;
  }
}
