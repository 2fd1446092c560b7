package io.lars.lease;

import io.lars.protocol.ModuleId;
import java.util.HashMap;
import java.util.Map;

/**
 * The cluster-wide expiry protection (DESIGN.md "Self-registration"): lease expiry is suspended
 * while more than
 * {@code max-expiry-fraction} of all leases would expire within one TTL, because a network
 * partition or a restart of a lease owner looks like that, not a mass death of services
 * (nacos#7697). Plain logic, fed with each module's latest {@link LeaseSet} (every dns node holds
 * them all, see {@link LeaseBook}).
 *
 * <p>The fraction is {@code (due + expired recently) / (leases + expired recently)} over every
 * module, where {@code due} are leases past their TTL not removed yet and {@code expired recently}
 * those expired within the last TTL. With fewer than {@code min-leases-for-protection} leases the
 * rule does not apply (one dead service of two would otherwise never expire).
 */
public final class ExpiryGuard {

  private record Counts(int leases, int due, int expiredRecently) {}

  private final double maxFraction;
  private final int minLeases;
  private final Map<ModuleId, Counts> modules = new HashMap<>();
  private long leases;
  private long due;
  private long expiredRecently;

  /**
   * @param maxFraction 0..1
   * @param minLeases at least 1
   */
  public ExpiryGuard(double maxFraction, int minLeases) {
    this.maxFraction = maxFraction;
    this.minLeases = minLeases;
  }

  /**
   * Takes a module's latest counts, replacing its earlier ones.
   *
   * @param set the module's lease set
   */
  public void update(LeaseSet set) {
    Counts next = new Counts(set.leases().size(), set.due(), set.expiredRecently());
    Counts old = next.leases() == 0 && next.expiredRecently() == 0 ? modules.remove(set.module())
        : modules.put(set.module(), next);
    if (old != null) {
      leases -= old.leases();
      due -= old.due();
      expiredRecently -= old.expiredRecently();
    }
    if (next.leases() != 0 || next.expiredRecently() != 0) {
      leases += next.leases();
      due += next.due();
      expiredRecently += next.expiredRecently();
    }
  }

  /** @return whether expiry is suspended now */
  public boolean suspended() {
    long all = leases + expiredRecently;
    return leases >= minLeases && due + expiredRecently > maxFraction * all;
  }

  /** @return leases of every module */
  public long leases() {
    return leases;
  }

  /** @return leases past their TTL and not removed, over every module */
  public long due() {
    return due;
  }

  /** @return leases expired within their last TTL, over every module */
  public long expiredRecently() {
    return expiredRecently;
  }
}
