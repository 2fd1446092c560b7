package io.lars.agent;

import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The {@code adaptive} policy's host choice for one module on one node
 * (DESIGN.md "Selection policies"). The module's entity still decides which hosts are idle and
 * which overloaded with the reference's error rules; this class decides which host answers a
 * request, from what the node sees of each host's reports:
 *
 * <ul>
 *   <li><b>Latency-aware</b>: among idle hosts, power of two choices. Two distinct idle hosts are
 *       drawn at random and one of them is taken with probability inversely proportional to the
 *       square of its cost, where cost = (average time cost of its successful calls + 1 ms) /
 *       weight, and weight = its recent success rate (times its slow-start ramp). Failures never
 *       make a host look fast: they only lower its success rate, so a host that fails fast loses
 *       (the trap of linkerd2#11669). An unused host's average time cost decays towards zero with
 *       {@code decay}, so a host left alone for being slow is tried again.
 *   <li><b>No blackout</b>: when more than {@code panic-threshold} of the hosts are overloaded,
 *       picks spread over every host weighted by its recent success rate; OVERLOAD only when every
 *       host's recent success rate is below {@code min-success} (Envoy's panic threshold).
 *   <li><b>Slow start</b>: a host that joins the idle list after the first route (added, or back
 *       from overload) starts at 10 % of its weight and ramps to all of it over {@code slow-start};
 *       a failure during the ramp starts it again, so the ramp follows observed success.
 *   <li><b>Probe budget</b>: an overloaded host is probed at most {@code probeRate} times per second
 *       from this node, at jittered intervals (0.5 to 1.5 times the mean), instead of every
 *       {@code probe-num}-th request; the entity sets the rate so that the cluster as a whole stays
 *       within {@code probe-rate}.
 * </ul>
 *
 * <p>Not thread-safe: owned by one stream stage. Times are milliseconds of the injected clock.
 */
final class AdaptiveSelector {

  /** What the node has seen of one host. */
  private static final class Health {
    double latencyMs;
    double success = 1.0;
    boolean sampled;
    long lastSampleMs;
    long rampStartMs = Long.MIN_VALUE;
    long nextProbeMs;
  }

  private static final LoadBalance.Pick NOEXIST = new LoadBalance.Pick(RetCode.NOEXIST, null, false);
  private static final LoadBalance.Pick OVERLOADED = new LoadBalance.Pick(RetCode.OVERLOAD, null, false);
  private static final double MIN_WEIGHT = 0.01;
  private static final double SLOW_START_FLOOR = 0.1;
  private static final int PANIC_TRIES = 16;

  private final AdaptiveSettings settings;
  private final LongSupplier clockMillis;
  private final RandomGenerator random;
  private final double decayMs;
  private final double slowStartMs;
  private final Map<Host, Health> health = new HashMap<>();
  private Host[] all = new Host[0];
  private Host[] idle = new Host[0];
  private Host[] overload = new Host[0];
  private double probeIntervalMs;
  private long nextProbeDueMs = Long.MAX_VALUE;
  private int nextProbe;
  private boolean routed;

  /**
   * @param settings the policy's tuning
   * @param clockMillis the clock, in milliseconds (any epoch)
   * @param random the source of the random draws (injected for tests)
   */
  AdaptiveSelector(AdaptiveSettings settings, LongSupplier clockMillis, RandomGenerator random) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    this.random = Objects.requireNonNull(random, "random");
    this.decayMs = settings.decay().toMillis();
    this.slowStartMs = settings.slowStart().toMillis();
    this.probeIntervalMs = 1000.0 / settings.probeRate();
  }

  /**
   * Takes a new view of the module. Hosts that stay keep what was seen of them; a host new to the
   * idle list after the first view starts its slow start; a host new to the overload list gets its
   * first probe after one jittered probe interval.
   *
   * @param hosts every host of the route, in route order
   * @param overloaded the overloaded ones, a subset of {@code hosts}
   * @param probeRate probes per second this node may send to one overloaded host, &gt; 0
   * @throws IllegalArgumentException if {@code probeRate} is not positive
   */
  void update(List<Host> hosts, Collection<Host> overloaded, double probeRate) {
    if (!(probeRate > 0)) {
      throw new IllegalArgumentException("probeRate must be > 0, got " + probeRate);
    }
    long now = clockMillis.getAsLong();
    probeIntervalMs = 1000.0 / probeRate;
    Set<Host> over = new HashSet<>(overloaded);
    Set<Host> wasIdle = new HashSet<>(Arrays.asList(idle));
    Set<Host> wasOverloaded = new HashSet<>(Arrays.asList(overload));
    List<Host> idleHosts = new ArrayList<>(hosts.size());
    List<Host> overHosts = new ArrayList<>(over.size());
    Map<Host, Health> kept = new HashMap<>();
    for (Host h : hosts) {
      Health state = health.getOrDefault(h, new Health());
      kept.put(h, state);
      if (over.contains(h)) {
        if (!wasOverloaded.contains(h)) {
          state.nextProbeMs = now + jittered();
        }
        overHosts.add(h);
      } else {
        if (routed && !wasIdle.contains(h)) {
          state.rampStartMs = now;
        }
        idleHosts.add(h);
      }
    }
    health.clear();
    health.putAll(kept);
    all = hosts.toArray(Host[]::new);
    idle = idleHosts.toArray(Host[]::new);
    overload = overHosts.toArray(Host[]::new);
    nextProbe = overload.length == 0 ? 0 : nextProbe % overload.length;
    nextProbeDueMs = overHosts.stream().mapToLong(h -> health.get(h).nextProbeMs).min().orElse(Long.MAX_VALUE);
    routed = true;
  }

  /**
   * Learns from one report sent through this node. Unknown hosts are ignored.
   *
   * @param host the host called
   * @param success whether the call succeeded
   * @param timecostMs what the call took, 0 when the client did not say
   */
  void onReport(Host host, boolean success, long timecostMs) {
    Health state = health.get(host);
    if (state == null) {
      return;
    }
    double w = settings.sampleWeight();
    state.success += w * ((success ? 1.0 : 0.0) - state.success);
    if (success && timecostMs > 0) {
      state.latencyMs = state.sampled ? state.latencyMs + w * (timecostMs - state.latencyMs) : timecostMs;
      state.sampled = true;
    }
    long now = clockMillis.getAsLong();
    state.lastSampleMs = now;
    if (!success && rampFactor(state, now) < 1.0) {
      state.rampStartMs = now;
    }
  }

  /**
   * Picks one host.
   *
   * @return NOEXIST for an empty route; a probe (SUCC, {@code probe} true) when an overloaded
   *     host's probe is due; in panic a host weighted by recent success, or OVERLOAD when every
   *     host's success is below {@code min-success}; else one idle host by weighted power of two
   *     choices
   */
  LoadBalance.Pick pick() {
    if (all.length == 0) {
      return NOEXIST;
    }
    long now = clockMillis.getAsLong();
    if (now >= nextProbeDueMs) {
      LoadBalance.Pick probe = dueProbe(now);
      if (probe != null) {
        return probe;
      }
    }
    if (overload.length > settings.panicThreshold() * all.length) {
      return panicPick();
    }
    if (idle.length == 0) {
      return OVERLOADED;
    }
    if (idle.length == 1) {
      return succ(idle[0]);
    }
    int i = random.nextInt(idle.length);
    int j = random.nextInt(idle.length - 1);
    if (j >= i) {
      j++;
    }
    double ci = cost(idle[i], now);
    double cj = cost(idle[j], now);
    double pi = (cj * cj) / (ci * ci + cj * cj);
    return succ(random.nextDouble() < pi ? idle[i] : idle[j]);
  }

  private LoadBalance.Pick dueProbe(long now) {
    for (int n = 0; n < overload.length; n++) {
      Host h = overload[(nextProbe + n) % overload.length];
      Health state = health.get(h);
      if (now >= state.nextProbeMs) {
        nextProbe = (nextProbe + n + 1) % overload.length;
        state.nextProbeMs = now + jittered();
        nextProbeDueMs = minProbeDue();
        return new LoadBalance.Pick(RetCode.SUCC, h, true);
      }
    }
    nextProbeDueMs = minProbeDue();
    return null;
  }

  private long minProbeDue() {
    long min = Long.MAX_VALUE;
    for (Host h : overload) {
      min = Math.min(min, health.get(h).nextProbeMs);
    }
    return min;
  }

  /** Rejection sampling by recent success: a host is accepted with probability success / best. */
  private LoadBalance.Pick panicPick() {
    double best = 0;
    for (Host h : all) {
      best = Math.max(best, health.get(h).success);
    }
    if (best < settings.minSuccess()) {
      return OVERLOADED;
    }
    Host fallback = null;
    double fallbackSuccess = -1;
    for (int n = 0; n < PANIC_TRIES; n++) {
      Host h = all[random.nextInt(all.length)];
      double s = health.get(h).success;
      if (random.nextDouble() * best < s) {
        return succ(h);
      }
      if (s > fallbackSuccess) {
        fallback = h;
        fallbackSuccess = s;
      }
    }
    return succ(fallback);
  }

  private double cost(Host h, long now) {
    Health state = health.get(h);
    double latency = state.latencyMs;
    if (state.sampled && now > state.lastSampleMs) {
      latency *= Math.exp(-(now - state.lastSampleMs) / decayMs);
    }
    double weight = Math.max(MIN_WEIGHT, state.success * rampFactor(state, now));
    return (latency + 1.0) / weight;
  }

  private double rampFactor(Health state, long now) {
    if (slowStartMs <= 0 || state.rampStartMs == Long.MIN_VALUE) {
      return 1.0;
    }
    double progress = (now - state.rampStartMs) / slowStartMs;
    return Math.min(1.0, SLOW_START_FLOOR + (1.0 - SLOW_START_FLOOR) * Math.max(0.0, progress));
  }

  private long jittered() {
    return Math.round(probeIntervalMs * (0.5 + random.nextDouble()));
  }

  private static LoadBalance.Pick succ(Host h) {
    return new LoadBalance.Pick(RetCode.SUCC, h, false);
  }
}
