package io.lars.cli;

import io.lars.agent.LoadBalanceSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lars demo}: runs {@link Demo} and exits 0 when real traffic showed what Lars is for: the
 * failing and dead backends moved to overload and got only probe traffic in the second half,
 * while the healthy ones carried the load.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "End-to-end demonstration: a node, four real HTTP backends, client threads calling them through Lars.")
final class DemoCommand implements Callable<Integer> {

  /** Largest second-half traffic share of an unhealthy backend that still counts as probe-only. */
  static final double PROBE_SHARE_LIMIT = 0.15;

  @Option(names = "--seconds", defaultValue = "30", description = "how long the clients run, 6-600 (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--threads", defaultValue = "8", description = "client threads, 1-64 (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--policy", defaultValue = "reference",
      description = "load-balancing policy, reference or adaptive (default: ${DEFAULT-VALUE}); with adaptive the "
          + "slow backend's share drops too")
  String policy;

  @Override
  public Integer call() throws Exception {
    if (seconds < 6 || seconds > 600 || threads < 1 || threads > 64) {
      System.err.println("demo: --seconds must be 6..600 and --threads 1..64");
      return 64;
    }
    LoadBalanceSettings.Policy chosen;
    try {
      chosen = LoadBalanceSettings.Policy.parse(policy);
    } catch (IllegalArgumentException e) {
      System.err.println("demo: --policy must be reference or adaptive");
      return 64;
    }
    Demo.Result result = new Demo(System.out, threads, Duration.ofSeconds(seconds), chosen).run();
    String verdict = verdict(result);
    System.out.println();
    System.out.println(verdict == null
        ? "demo OK: the failing and dead backends were taken out of rotation and got only probe traffic"
        : "demo FAILED: " + verdict);
    return verdict == null ? 0 : 1;
  }

  /** @return null when the run showed the expected behaviour, else what was missing */
  static String verdict(Demo.Result r) {
    for (String bad : new String[] {"failing", "dead"}) {
      Demo.BackendResult b = r.backend(bad);
      if (b.lastShare() > PROBE_SHARE_LIMIT) {
        return String.format("%s still got %.1f%% of the second half's traffic", bad, 100 * b.lastShare());
      }
    }
    double healthy = r.backend("fast").lastShare() + r.backend("slow").lastShare();
    if (healthy < 1 - 2 * PROBE_SHARE_LIMIT) {
      return String.format("the healthy backends got only %.1f%% of the second half's traffic", 100 * healthy);
    }
    if (r.stored().isEmpty()) {
      return "the reporter stored no ServerCallStatus rows";
    }
    return null;
  }
}
