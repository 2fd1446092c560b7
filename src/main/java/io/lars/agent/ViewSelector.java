package io.lars.agent;

import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Chooses hosts from one {@link ModuleView} on one agent port (DESIGN.md "Load-balancing rules",
 * G2-G5, the same rules as {@link LoadBalance#getHost()}): the idle hosts in rotation, and every
 * {@code probe-num}-th request a probe of the next overloaded host (probes per node, as in the
 * reference, where each agent probed on its own).
 *
 * <p>A new view keeps the rotation position (modulo the new list sizes) and the access counter,
 * so frequent view changes do not send every request to the first host. With
 * {@code policy = adaptive} the choice is {@link AdaptiveSelector}'s instead, fed with the reports
 * that pass through the same port; its per-node probe rate is the cluster-wide
 * {@code adaptive.probe-rate} divided by the nodes the view says serve the module. Not
 * thread-safe: owned by one stream stage.
 */
final class ViewSelector {

  private final int probeNum;
  private final AdaptiveSelector adaptive;
  private final double probeRate;
  private ModuleView view;
  private Host[] idle = new Host[0];
  private Host[] overload = new Host[0];
  private int nextIdle;
  private int nextOverload;
  private int access;
  /** Set on every use; cleared by the stage when it reports use to {@link NodeViews}. */
  boolean used;

  /**
   * A selector with the reference rules.
   *
   * @param probeNum every this many non-probe requests one probe of an overloaded host, at least 1
   * @param view the first view
   */
  ViewSelector(int probeNum, ModuleView view) {
    this.probeNum = probeNum;
    this.adaptive = null;
    this.probeRate = 0;
    update(view);
  }

  /**
   * A selector with the configured policy.
   *
   * @param settings the load-balance settings: policy, probe-num, adaptive tuning
   * @param view the first view
   * @param clockMillis the clock of the adaptive policy, ms
   * @param random the random source of the adaptive policy
   */
  ViewSelector(LoadBalanceSettings settings, ModuleView view, LongSupplier clockMillis, RandomGenerator random) {
    this.probeNum = settings.probeNum();
    this.adaptive = settings.policy() == LoadBalanceSettings.Policy.ADAPTIVE
        ? new AdaptiveSelector(settings.adaptive(), clockMillis, random) : null;
    this.probeRate = settings.adaptive().probeRate();
    update(view);
  }

  /**
   * Learns from a report that passed through this port (the adaptive policy's averages; the
   * reference rules use none).
   *
   * @param host the host called
   * @param retcode 0 for success, anything else a failure
   * @param timecostMs what the call took, 0 when unknown
   */
  void onReport(Host host, int retcode, long timecostMs) {
    if (adaptive != null) {
      adaptive.onReport(host, retcode == 0, timecostMs);
    }
  }

  /** @return the view in use */
  ModuleView view() {
    return view;
  }

  /**
   * Replaces the view, keeping rotation and access counter.
   *
   * @param next the new view of the same module
   */
  void update(ModuleView next) {
    this.view = next;
    Set<Host> over = new HashSet<>(next.overloaded());
    List<Host> idleHosts = new ArrayList<>(next.hosts().size());
    for (Host h : next.hosts()) {
      if (!over.contains(h)) {
        idleHosts.add(h);
      }
    }
    idle = idleHosts.toArray(Host[]::new);
    overload = next.overloaded().toArray(Host[]::new);
    nextIdle = idle.length == 0 ? 0 : nextIdle % idle.length;
    nextOverload = overload.length == 0 ? 0 : nextOverload % overload.length;
    if (adaptive != null) {
      adaptive.update(next.hosts(), next.overloaded(), probeRate / next.servingNodes());
    }
  }

  /**
   * Picks one host.
   *
   * @return the pick: NOEXIST for an empty route, OVERLOAD when every host is overloaded and it is
   *     not time for a probe, else SUCC with a host
   */
  LoadBalance.Pick pick() {
    used = true;
    if (adaptive != null) {
      return adaptive.pick();
    }
    if (idle.length == 0 && overload.length == 0) {
      return NOEXIST;
    }
    if (overload.length > 0 && access >= probeNum) {
      access = 0;
      Host h = overload[nextOverload];
      nextOverload = (nextOverload + 1) % overload.length;
      return new LoadBalance.Pick(RetCode.SUCC, h, true);
    }
    if (idle.length == 0) {
      access++;
      return OVERLOADED;
    }
    if (overload.length > 0) {
      access++;
    }
    Host h = idle[nextIdle];
    nextIdle = (nextIdle + 1) % idle.length;
    return new LoadBalance.Pick(RetCode.SUCC, h, false);
  }

  private static final LoadBalance.Pick NOEXIST = new LoadBalance.Pick(RetCode.NOEXIST, null, false);
  private static final LoadBalance.Pick OVERLOADED = new LoadBalance.Pick(RetCode.OVERLOAD, null, false);
}
