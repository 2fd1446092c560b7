package io.lars.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code ClusterIncarnation} row (migration V7): which Lars cluster holds the database, with
 * its heartbeat. One cluster per database keeps the akka-persistence-jdbc journal consistent: two
 * clusters on one database would write the same persistence ids with duplicate sequence numbers.
 *
 * <p>Rules: a cluster claims the row when it forms ({@link #claim}); the claim is refused while
 * another incarnation's heartbeat is younger than {@code staleAfter}; a stale or released row is
 * taken over. The holder heartbeats ({@link #heartbeat}) well within {@code staleAfter} and
 * releases the row when it stops ({@link #release}). Times are unix milliseconds of the writing
 * node's clock (injected), so the nodes' clocks must agree to well within {@code staleAfter}.
 *
 * <p>Every method blocks (run it on {@code lars-jdbc-dispatcher}) and throws
 * {@link DatabaseException} naming the operation when the database fails.
 */
public final class IncarnationRepository {

  private static final String LOCK =
      "SELECT incarnation, owner, started_at, heartbeat_at FROM ClusterIncarnation WHERE id = 1 FOR UPDATE";
  private static final String SELECT =
      "SELECT incarnation, owner, started_at, heartbeat_at FROM ClusterIncarnation WHERE id = 1";
  private static final String INSERT =
      "INSERT INTO ClusterIncarnation (id, incarnation, owner, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)";
  private static final String TAKE =
      "UPDATE ClusterIncarnation SET incarnation = ?, owner = ?, started_at = ?, heartbeat_at = ? WHERE id = 1";
  private static final String BEAT = "UPDATE ClusterIncarnation SET heartbeat_at = ? WHERE id = 1 AND incarnation = ?";
  private static final String RELEASE = "UPDATE ClusterIncarnation SET heartbeat_at = 0 WHERE id = 1 AND incarnation = ?";
  /** Longest text the columns hold. */
  private static final int MAX_INCARNATION = 64;
  private static final int MAX_OWNER = 255;

  private final DataSource ds;
  private final Clock clock;

  /**
   * @param ds the pooled data source of a migrated database
   * @param clock gives "now" for heartbeats and the staleness rule
   */
  public IncarnationRepository(DataSource ds, Clock clock) {
    this.ds = Objects.requireNonNull(ds, "ds");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The incarnation in the row.
   *
   * @param incarnation its id
   * @param owner who formed it (node address, host and pid), for messages
   * @param startedAtMs when it claimed the row, unix ms
   * @param heartbeatAtMs its last heartbeat, unix ms; 0 once released
   */
  public record Holder(String incarnation, String owner, long startedAtMs, long heartbeatAtMs) {

    /**
     * @param nowMs unix ms
     * @return how old the heartbeat is at {@code nowMs}, ms (0 if in the future)
     */
    public long ageMs(long nowMs) {
      return Math.max(0, nowMs - heartbeatAtMs);
    }
  }

  /** The outcome of {@link #claim}. */
  public sealed interface Claim {}

  /**
   * The row is ours now.
   *
   * @param previous the incarnation it replaced (stale or released), if any
   */
  public record Claimed(Optional<Holder> previous) implements Claim {}

  /**
   * Another incarnation holds the row with a fresh heartbeat.
   *
   * @param holder that incarnation
   * @param heartbeatAgeMs how old its heartbeat is, ms, below {@code staleAfter}
   */
  public record Refused(Holder holder, long heartbeatAgeMs) implements Claim {}

  /**
   * Claims the row for an incarnation, in one transaction with the row locked.
   *
   * @param incarnation the claiming incarnation's id, 1..64 characters
   * @param owner who claims (for the other side's message), cut to 255 characters
   * @param staleAfter a heartbeat at least this old may be taken over, positive
   * @return {@link Claimed} or {@link Refused}
   * @throws DatabaseException if the database fails (the table missing included)
   */
  public Claim claim(String incarnation, String owner, Duration staleAfter) {
    checkIncarnation(incarnation);
    if (staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("staleAfter must be positive, got " + staleAfter);
    }
    String who = owner.length() > MAX_OWNER ? owner.substring(0, MAX_OWNER) : owner;
    try {
      return Jdbc.inTransaction(ds, "claim the cluster incarnation", c -> claim(c, incarnation, who, staleAfter));
    } catch (DatabaseException e) {
      // Two first claims at once: the loser's INSERT hits the primary key; the row exists now, so decide again.
      if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
        return Jdbc.inTransaction(ds, "claim the cluster incarnation", c -> claim(c, incarnation, who, staleAfter));
      }
      throw e;
    }
  }

  private Claim claim(Connection c, String incarnation, String owner, Duration staleAfter) throws SQLException {
    long now = clock.millis();
    Optional<Holder> current = read(c, LOCK);
    if (current.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        ps.setString(1, incarnation);
        ps.setString(2, owner);
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.executeUpdate();
      }
      return new Claimed(Optional.empty());
    }
    Holder holder = current.get();
    long age = holder.ageMs(now);
    if (!holder.incarnation().equals(incarnation) && age < staleAfter.toMillis()) {
      return new Refused(holder, age);
    }
    try (PreparedStatement ps = c.prepareStatement(TAKE)) {
      ps.setString(1, incarnation);
      ps.setString(2, owner);
      ps.setLong(3, holder.incarnation().equals(incarnation) ? holder.startedAtMs() : now);
      ps.setLong(4, now);
      ps.executeUpdate();
    }
    return new Claimed(holder.incarnation().equals(incarnation) ? Optional.empty() : Optional.of(holder));
  }

  /**
   * Renews the heartbeat of the incarnation holding the row.
   *
   * @param incarnation the holder's id
   * @return true if renewed; false if the row is no longer this incarnation's (taken over)
   * @throws DatabaseException if the database fails
   */
  public boolean heartbeat(String incarnation) {
    return Jdbc.withConnection(ds, "heartbeat the cluster incarnation", c -> {
      try (PreparedStatement ps = c.prepareStatement(BEAT)) {
        ps.setLong(1, clock.millis());
        ps.setString(2, incarnation);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /**
   * Releases the row, so the next cluster may form at once; nothing happens if another
   * incarnation holds it.
   *
   * @param incarnation the holder's id
   * @return true if it was released
   * @throws DatabaseException if the database fails
   */
  public boolean release(String incarnation) {
    return Jdbc.withConnection(ds, "release the cluster incarnation", c -> {
      try (PreparedStatement ps = c.prepareStatement(RELEASE)) {
        ps.setString(1, incarnation);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /**
   * @return the row, if any cluster ever claimed it
   * @throws DatabaseException if the database fails
   */
  public Optional<Holder> current() {
    return Jdbc.withConnection(ds, "read the cluster incarnation", c -> read(c, SELECT));
  }

  private static Optional<Holder> read(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      return rs.next()
          ? Optional.of(new Holder(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
          : Optional.empty();
    }
  }

  private static void checkIncarnation(String incarnation) {
    if (incarnation == null || incarnation.isEmpty() || incarnation.length() > MAX_INCARNATION) {
      throw new IllegalArgumentException("incarnation must be 1.." + MAX_INCARNATION + " characters, got " + incarnation);
    }
  }
}
