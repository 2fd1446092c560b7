package io.lars.bench;

import com.typesafe.config.ConfigFactory;
import io.lars.testkit.LbScenarios;
import java.util.ArrayList;
import java.util.List;

/**
 * The load-balancing quality benchmark (issue 17): scenarios S1-S6 of {@link LbScenarios} for each
 * policy, interleaved (S1 reference, S1 adaptive, S2 reference, ...), one table at the end.
 * Figures and the command in {@code docs/BENCHMARKS.md}.
 */
final class LbScenarioBench {

  private LbScenarioBench() {}

  /**
   * Runs the scenarios.
   *
   * @param args {@code [policies=reference,adaptive] [rate=400 calls/s] [seconds=30] [eventAt=10]
   *     [scenarios=S1,S2,S3,S4,S5,S6] [rounds=1]}
   * @throws Exception if a node cannot start
   */
  public static void main(String[] args) throws Exception {
    List<String> policies = List.of((args.length > 0 ? args[0] : "reference,adaptive").split(","));
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int eventAt = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    List<String> names = List.of((args.length > 4 ? args[4] : "S1,S2,S3,S4,S5,S6").split(","));
    int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    LbScenarios scenarios = new LbScenarios(rate, 16, seconds, eventAt);
    List<LbScenarios.Outcome> outcomes = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      for (String scenario : names) {
        for (String policy : policies) {
          LbScenarios.Outcome o = scenarios.run(scenario, policy, ConfigFactory.empty());
          outcomes.add(o);
          System.out.println(o.row());
        }
      }
    }
    System.out.println();
    System.out.printf("%-4s %-10s %8s %8s %9s %9s  %s%n", "", "policy", "calls", "errors", "p50 ms", "p99 ms",
        "scenario metric");
    outcomes.forEach(o -> System.out.println(o.row()));
    System.exit(0);
  }
}
