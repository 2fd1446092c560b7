package io.lars.node;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lars.db.Database;
import io.lars.db.DatabaseException;
import io.lars.db.IncarnationRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster per database, at start: a node that forms a new cluster (no
 * {@code akka.cluster.seed-nodes}, {@code lars.cluster.bootstrap} off) claims the
 * {@code ClusterIncarnation} row before its actor system starts, and its start fails with a
 * message saying who holds the database while another cluster's heartbeat is fresh. Once the
 * system runs, {@link ClusterIncarnation} heartbeats, and a coordinated-shutdown task releases the
 * row so the next cluster may form at once. Nodes that join a cluster do nothing here.
 *
 * <p>If the database does not answer at start (a node may start during an outage), the claim is
 * left to the heartbeat actor, which claims as soon as the database answers and stops the node if
 * another cluster holds it.
 */
public final class IncarnationGuard {

  private static final Logger log = LoggerFactory.getLogger(IncarnationGuard.class);

  /**
   * {@code lars.cluster.incarnation}.
   *
   * @param check whether a forming node claims the row at all
   * @param heartbeatInterval how often the holder renews, at most half of {@code staleAfter}
   * @param staleAfter a heartbeat this old may be taken over, 1 s..1 h
   */
  public record Settings(boolean check, Duration heartbeatInterval, Duration staleAfter) {

    /** @throws IllegalArgumentException naming the key that is wrong */
    public Settings {
      if (staleAfter.compareTo(Duration.ofSeconds(1)) < 0 || staleAfter.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("lars.cluster.incarnation.stale-after must be 1s..1h, got "
            + staleAfter.toMillis() + "ms");
      }
      if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
          || heartbeatInterval.multipliedBy(2).compareTo(staleAfter) > 0) {
        throw new IllegalArgumentException("lars.cluster.incarnation.heartbeat-interval must be positive and at most "
            + "half of stale-after (" + staleAfter.toMillis() + "ms), got " + heartbeatInterval.toMillis() + "ms");
      }
    }

    /**
     * @param config the resolved configuration
     * @return the settings
     * @throws IllegalArgumentException naming the key that is missing or wrong
     */
    public static Settings fromConfig(Config config) {
      try {
        Config c = config.getConfig("lars.cluster.incarnation");
        return new Settings(c.getBoolean("check"), c.getDuration("heartbeat-interval"), c.getDuration("stale-after"));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("lars.cluster.incarnation: " + e.getMessage(), e);
      }
    }
  }

  private final Settings settings;
  private final IncarnationRepository repository;
  private final String incarnation;
  private final String owner;
  private final boolean claimed;

  private IncarnationGuard(Settings settings, IncarnationRepository repository, String incarnation, String owner,
      boolean claimed) {
    this.settings = settings;
    this.repository = repository;
    this.incarnation = incarnation;
    this.owner = owner;
    this.claimed = claimed;
  }

  /**
   * Claims the database for a new cluster when this node forms one. Blocks on JDBC (start-up
   * runs on the caller's thread, before the actor system exists).
   *
   * @param cluster the node's cluster settings
   * @param database the node's open database
   * @param clock gives "now" for the heartbeat
   * @return the guard to {@link #start} once the system runs; empty when the node joins a cluster
   *     or the check is off
   * @throws IllegalStateException if another cluster's heartbeat is fresh: names the database
   *     (password masked), the other incarnation, who formed it, the heartbeat's age and what to do
   */
  public static Optional<IncarnationGuard> claimAtStart(ClusterSettings cluster, Database database, Clock clock) {
    Settings settings = cluster.incarnation();
    if (!settings.check() || !cluster.formsCluster()) {
      return Optional.empty();
    }
    IncarnationRepository repository = new IncarnationRepository(database.dataSource(), clock);
    String incarnation = UUID.randomUUID().toString();
    // the configured address (port 0 reads as 0) and the pid, which tells the process apart
    String owner = cluster.canonicalAddress() + " (pid " + ProcessHandle.current().pid() + ")";
    try {
      IncarnationRepository.Claim claim = repository.claim(incarnation, owner, settings.staleAfter());
      if (claim instanceof IncarnationRepository.Refused refused) {
        throw new IllegalStateException("another Lars cluster is running on database " + database.settings().safeUrl()
            + ": incarnation " + refused.holder().incarnation() + ", formed by " + refused.holder().owner()
            + ", heartbeat " + refused.heartbeatAgeMs() + " ms ago. Join it with --seed HOST:PORT (a member's "
            + "cluster address), or stop it; a cluster that died without stopping is taken over once its heartbeat "
            + "is older than lars.cluster.incarnation.stale-after (" + settings.staleAfter().toSeconds() + " s)");
      }
      ((IncarnationRepository.Claimed) claim).previous().filter(previous -> previous.heartbeatAtMs() != 0)
          .ifPresent(previous -> log.warn("took over the database from cluster incarnation {} (formed by {}), "
              + "whose heartbeat stopped {} ms ago without a release", previous.incarnation(), previous.owner(),
              previous.ageMs(clock.millis())));
      return Optional.of(new IncarnationGuard(settings, repository, incarnation, owner, true));
    } catch (DatabaseException e) {
      log.warn("cannot check that no other cluster uses database {} ({}); claiming it once the database answers",
          database.settings().safeUrl(), e.getMessage());
      return Optional.of(new IncarnationGuard(settings, repository, incarnation, owner, false));
    }
  }

  /**
   * Starts the heartbeat and registers the release of the row with coordinated shutdown
   * (phase {@code before-actor-system-terminate}, while the database is still open).
   *
   * @param system the node's actor system
   */
  public void start(ActorSystem<?> system) {
    system.systemActorOf(ClusterIncarnation.create(repository, Database.jdbcExecutor(system), incarnation, owner,
        settings.heartbeatInterval(), settings.staleAfter(), claimed), "lars-cluster-incarnation", Props.empty());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "lars-release-cluster-incarnation", () -> CompletableFuture.supplyAsync(() -> {
          try {
            repository.release(incarnation);
          } catch (DatabaseException e) {
            log.warn("cannot release the cluster incarnation {}; the next cluster may form after stale-after: {}",
                incarnation, e.getMessage());
          }
          return akka.Done.getInstance();
        }, Database.jdbcExecutor(system)));
  }

  /** @return this cluster's incarnation id */
  public String incarnation() {
    return incarnation;
  }
}
