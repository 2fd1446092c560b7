package io.lars.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The tuning of the load-balancing algorithm, from {@code lars.agent.load-balance}
 * (reference: {@code lars_lb_agent.conf [loadbalance]} and {@code load_balance_config}).
 *
 * <p>The constructor validates every value and names the configuration key that is wrong, so an
 * instance is always usable by {@link LoadBalance}.
 *
 * @param probeNum {@code probe-num}, 1..1_000_000: requests between two probes of an overloaded host
 * @param initSuccCnt {@code init-succ-cnt}, 0..1_000_000: virtual successes an idle host starts with
 * @param initErrCnt {@code init-err-cnt}, 0..1_000_000: virtual errors an overloaded host starts with
 * @param errRate {@code err-rate}, 0.0..1.0: an idle host whose virtual error rate is above this is overloaded
 * @param succRate {@code succ-rate}, 0.0..1.0: an overloaded host whose virtual success rate is above this is idle
 * @param continErrLimit {@code contin-err-limit}, at least 1: consecutive errors that overload an idle host
 * @param continSuccLimit {@code contin-succ-limit}, at least 1: consecutive successes that make an overloaded host idle
 * @param windowErrRate {@code window-err-rate}, 0.0..1.0: real error rate over one idle window that overloads a host
 * @param idleTimeout {@code idle-timeout}, at least 1 ms: length of an idle host's statistics window
 * @param overloadTimeout {@code overload-timeout}, at least 1 ms: longest stay in the overload list
 * @param updateTimeout {@code update-timeout}, at least 1 ms: age of a route after which a request triggers a refresh pull
 * @param reportInterval {@code report-interval}, at least 1 ms: how often changed statistics go to the reporter
 * @param firstPullWait {@code first-pull-wait}, 0 ms or more: how long a request for an unknown module waits for its first route
 * @param timecostUnit {@code timecost-unit}, at least 1 ms: a failure that took {@code n} units counts as {@code n} failures
 * @param policy {@code policy}: {@code reference} (DESIGN.md "Load-balancing rules" exactly) or
 *     {@code adaptive} (DESIGN.md "Selection policies", {@link AdaptiveSelector})
 * @param adaptive {@code adaptive.*}: the adaptive policy's tuning, read whatever the policy
 */
public record LoadBalanceSettings(int probeNum, int initSuccCnt, int initErrCnt, double errRate, double succRate,
    int continErrLimit, int continSuccLimit, double windowErrRate, Duration idleTimeout, Duration overloadTimeout,
    Duration updateTimeout, Duration reportInterval, Duration firstPullWait, Duration timecostUnit, Policy policy,
    AdaptiveSettings adaptive) {

  /** The configuration path these settings are read from. */
  public static final String PATH = "lars.agent.load-balance";

  /** How hosts are chosen ({@code lars.agent.load-balance.policy}). */
  public enum Policy {
    /**
     * The reference rules (DESIGN.md "Load-balancing rules", G2-G5): rotation over idle hosts, every
     * probe-num-th request a probe.
     */
    REFERENCE,
    /** The reference's idle/overload states plus latency-aware picks, panic, slow start and a probe budget. */
    ADAPTIVE;

    /**
     * @param name {@code reference} or {@code adaptive}, any case
     * @return the policy
     * @throws IllegalArgumentException naming {@code lars.agent.load-balance.policy} for any other name
     */
    public static Policy parse(String name) {
      for (Policy p : values()) {
        if (p.name().equalsIgnoreCase(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException(PATH + ".policy must be reference or adaptive, got '" + name + "'");
    }
  }

  /**
   * The reference policy with the shipped adaptive tuning (for code that predates the policy).
   *
   * @throws IllegalArgumentException naming the key of the first wrong value
   */
  public LoadBalanceSettings(int probeNum, int initSuccCnt, int initErrCnt, double errRate, double succRate,
      int continErrLimit, int continSuccLimit, double windowErrRate, Duration idleTimeout, Duration overloadTimeout,
      Duration updateTimeout, Duration reportInterval, Duration firstPullWait, Duration timecostUnit) {
    this(probeNum, initSuccCnt, initErrCnt, errRate, succRate, continErrLimit, continSuccLimit, windowErrRate,
        idleTimeout, overloadTimeout, updateTimeout, reportInterval, firstPullWait, timecostUnit, Policy.REFERENCE,
        AdaptiveSettings.defaults());
  }

  private static final int MAX_COUNT = 1_000_000;

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the key ({@code lars.agent.load-balance.*}) of the first wrong value
   * @throws NullPointerException if a duration is null
   */
  public LoadBalanceSettings {
    checkRange("probe-num", probeNum, 1, MAX_COUNT);
    checkRange("init-succ-cnt", initSuccCnt, 0, MAX_COUNT);
    checkRange("init-err-cnt", initErrCnt, 0, MAX_COUNT);
    checkRate("err-rate", errRate);
    checkRate("succ-rate", succRate);
    checkRange("contin-err-limit", continErrLimit, 1, Integer.MAX_VALUE);
    checkRange("contin-succ-limit", continSuccLimit, 1, Integer.MAX_VALUE);
    checkRate("window-err-rate", windowErrRate);
    checkAtLeast("idle-timeout", idleTimeout, 1);
    checkAtLeast("overload-timeout", overloadTimeout, 1);
    checkAtLeast("update-timeout", updateTimeout, 1);
    checkAtLeast("report-interval", reportInterval, 1);
    checkAtLeast("first-pull-wait", firstPullWait, 0);
    checkAtLeast("timecost-unit", timecostUnit, 1);
    if (policy == null) {
      throw new NullPointerException(PATH + ".policy is missing");
    }
    if (adaptive == null) {
      throw new NullPointerException(AdaptiveSettings.PATH + " is missing");
    }
  }

  /**
   * @return calls an idle window needs before its error rate may overload a host (report rule 4):
   *     1 with the reference policy (the reference rule), {@code adaptive.window-min-calls} with the
   *     adaptive one, so that one failure after a quiet window does not overload a host
   */
  public int windowMinCalls() {
    return policy == Policy.ADAPTIVE ? adaptive.windowMinCalls() : 1;
  }

  /**
   * @param next the policy to use
   * @return these settings with another policy
   */
  public LoadBalanceSettings withPolicy(Policy next) {
    return new LoadBalanceSettings(probeNum, initSuccCnt, initErrCnt, errRate, succRate, continErrLimit,
        continSuccLimit, windowErrRate, idleTimeout, overloadTimeout, updateTimeout, reportInterval, firstPullWait,
        timecostUnit, next, adaptive);
  }

  /**
   * Reads and validates {@code lars.agent.load-balance}.
   *
   * @param config the resolved configuration (see {@code src/main/resources/lars-agent.conf})
   * @return the settings
   * @throws IllegalArgumentException if a key is missing, has the wrong type or is out of range, naming the key
   */
  public static LoadBalanceSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig(PATH);
      return new LoadBalanceSettings(c.getInt("probe-num"), c.getInt("init-succ-cnt"), c.getInt("init-err-cnt"),
          c.getDouble("err-rate"), c.getDouble("succ-rate"), c.getInt("contin-err-limit"),
          c.getInt("contin-succ-limit"), c.getDouble("window-err-rate"), c.getDuration("idle-timeout"),
          c.getDuration("overload-timeout"), c.getDuration("update-timeout"), c.getDuration("report-interval"),
          c.getDuration("first-pull-wait"), c.getDuration("timecost-unit"), Policy.parse(c.getString("policy")),
          AdaptiveSettings.fromConfig(config));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }

  /**
   * The reference defaults (reference: {@code init_lb_agent()}), plus ours for the report interval
   * (1 s), the first-pull wait (100 ms) and the timecost unit (100 ms, reference: 八-2).
   *
   * @return the same values as the shipped {@code lars-agent.conf}
   */
  public static LoadBalanceSettings defaults() {
    return new LoadBalanceSettings(10, 180, 5, 0.1, 0.92, 10, 10, 0.7, Duration.ofSeconds(15),
        Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofMillis(100),
        Duration.ofMillis(100));
  }

  private static void checkRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(PATH + "." + key + " must be " + min + ".." + max + ", got " + value);
    }
  }

  private static void checkRate(String key, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(PATH + "." + key + " must be a rate 0.0..1.0, got " + value);
    }
  }

  private static void checkAtLeast(String key, Duration value, long minMillis) {
    if (value == null) {
      throw new NullPointerException(PATH + "." + key + " is missing");
    }
    if (value.isNegative() || value.toMillis() < minMillis) {
      throw new IllegalArgumentException(PATH + "." + key + " must be at least " + minMillis + "ms, got " + value);
    }
  }
}
