package io.lars.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The tuning of the {@code adaptive} load-balancing policy, from
 * {@code lars.agent.load-balance.adaptive} (see {@link AdaptiveSelector} for what each value does).
 * The constructor validates every value and names the key that is wrong.
 *
 * @param sampleWeight {@code sample-weight}, 0.001..1.0: how far one report moves a host's averages
 *     of success (every report) and time cost (successful reports that give one) towards its own
 *     value (an exponentially weighted moving average)
 * @param decay {@code decay}, 100 ms..10 min: time constant at which an unused host's average time
 *     cost decays towards zero, so that a host left alone for being slow is tried again
 * @param panicThreshold {@code panic-threshold}, 0.0..1.0: above this fraction of overloaded
 *     hosts, picks spread over every host weighted by recent success instead of answering OVERLOAD
 * @param minSuccess {@code min-success}, 0.0..1.0: in panic, OVERLOAD only when every host's recent
 *     success rate is below this
 * @param slowStart {@code slow-start}, 0 ms..10 min: how long a host new to the idle list (added,
 *     or back from overload) ramps from 10 % of its share to all of it; 0 turns slow start off
 * @param probeRate {@code probe-rate}, 0.01..1000 per second: probes one overloaded host may get
 *     per second from the whole cluster (the entity divides it among the nodes serving the module)
 * @param windowMinCalls {@code window-min-calls}, 1..1_000_000: calls in an idle window before the
 *     window error rate may overload a host (with the reference policy 1, the reference rule)
 */
public record AdaptiveSettings(double sampleWeight, Duration decay, double panicThreshold, double minSuccess,
    Duration slowStart, double probeRate, int windowMinCalls) {

  /** The configuration path these settings are read from. */
  public static final String PATH = "lars.agent.load-balance.adaptive";

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the key ({@code lars.agent.load-balance.adaptive.*}) of the first wrong value
   * @throws NullPointerException if a duration is null
   */
  public AdaptiveSettings {
    if (!(sampleWeight >= 0.001 && sampleWeight <= 1.0)) {
      throw new IllegalArgumentException(PATH + ".sample-weight must be 0.001..1.0, got " + sampleWeight);
    }
    checkDuration("decay", decay, Duration.ofMillis(100), Duration.ofMinutes(10));
    checkRate("panic-threshold", panicThreshold);
    checkRate("min-success", minSuccess);
    checkDuration("slow-start", slowStart, Duration.ZERO, Duration.ofMinutes(10));
    if (!(probeRate >= 0.01 && probeRate <= 1000)) {
      throw new IllegalArgumentException(PATH + ".probe-rate must be 0.01..1000 per second, got " + probeRate);
    }
    if (windowMinCalls < 1 || windowMinCalls > 1_000_000) {
      throw new IllegalArgumentException(PATH + ".window-min-calls must be 1..1000000, got " + windowMinCalls);
    }
  }

  /**
   * Reads and validates {@code lars.agent.load-balance.adaptive}.
   *
   * @param config the resolved configuration (see {@code src/main/resources/lars-agent.conf})
   * @return the settings
   * @throws IllegalArgumentException if a key is missing, has the wrong type or is out of range, naming the key
   */
  public static AdaptiveSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig(PATH);
      return new AdaptiveSettings(c.getDouble("sample-weight"), c.getDuration("decay"), c.getDouble("panic-threshold"), c.getDouble("min-success"), c.getDuration("slow-start"),
          c.getDouble("probe-rate"), c.getInt("window-min-calls"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }

  /**
   * @return the shipped defaults: sample weight 0.1, decay 10 s, panic 0.5,
   *     min success 0.01, slow start 30 s, 2 probes/s, 5 calls
   */
  public static AdaptiveSettings defaults() {
    return new AdaptiveSettings(0.1, Duration.ofSeconds(10), 0.5, 0.01, Duration.ofSeconds(30), 2.0, 5);
  }

  private static void checkRate(String key, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(PATH + "." + key + " must be a rate 0.0..1.0, got " + value);
    }
  }

  private static void checkDuration(String key, Duration value, Duration min, Duration max) {
    if (value == null) {
      throw new NullPointerException(PATH + "." + key + " is missing");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(PATH + "." + key + " must be " + min.toMillis() + "ms.." + max.toMillis()
          + "ms, got " + value);
    }
  }
}
