package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The adaptive policy's rules, one by one, with an injected clock and a seeded random source. */
@Execution(ExecutionMode.CONCURRENT)
class AdaptiveSelectorTest {

  private static final double RATE = 2.0;

  private final FakeClock clock = new FakeClock(1_000_000);
  private final List<Host> hosts = hosts(10);

  private AdaptiveSelector selector(AdaptiveSettings settings) {
    AdaptiveSelector s = new AdaptiveSelector(settings, clock, new Random(42));
    s.update(hosts, Set.of(), RATE);
    return s;
  }

  private AdaptiveSelector selector() {
    return selector(AdaptiveSettings.defaults());
  }

  /** Every host reports {@code n} successes of {@code ms}, interleaved, 1 ms apart. */
  private void warm(AdaptiveSelector s, int n, long ms) {
    for (int i = 0; i < n; i++) {
      for (Host h : hosts) {
        s.onReport(h, true, ms);
      }
      clock.advanceMillis(1);
    }
  }

  /** Picks {@code n} times, each pick's outcome reported as {@code outcome} says, 1 ms per 10 picks. */
  private Map<Host, Integer> drive(AdaptiveSelector s, int n, Outcome outcome) {
    Map<Host, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      LoadBalance.Pick pick = s.pick();
      if (pick.retCode() == RetCode.SUCC) {
        counts.merge(pick.host(), 1, Integer::sum);
        Outcome.Result r = outcome.of(pick.host());
        s.onReport(pick.host(), r.success(), r.ms());
      }
      if (i % 10 == 9) {
        clock.advanceMillis(1);
      }
    }
    return counts;
  }

  private interface Outcome {
    record Result(boolean success, long ms) {}

    Result of(Host host);
  }

  @Nested
  class LatencyAware {

    @Test
    void healthyHostsShareEvenly() {
      AdaptiveSelector s = selector();
      warm(s, 20, 2);
      Map<Host, Integer> counts = drive(s, 100_000, h -> new Outcome.Result(true, 2));
      int max = counts.values().stream().max(Integer::compare).orElseThrow();
      assertEquals(10, counts.size());
      assertTrue(max <= 1.1 * 100_000 / 10, "max/mean above 1.1: " + counts);
    }

    @Test
    void aTenTimesSlowerHostGetsLittleTraffic() {
      AdaptiveSelector s = selector();
      Host slow = hosts.get(3);
      warm(s, 20, 2);
      Map<Host, Integer> counts = drive(s, 100_000, h -> new Outcome.Result(true, h.equals(slow) ? 20 : 2));
      assertTrue(counts.getOrDefault(slow, 0) < 3_000, "slow host share above 3 %: " + counts.get(slow));
    }

    @Test
    void aHostThatFailsFastDoesNotWin() {
      AdaptiveSelector s = selector();
      Host failing = hosts.get(5);
      warm(s, 20, 2);
      Map<Host, Integer> counts = drive(s, 100_000, h -> h.equals(failing)
          ? new Outcome.Result(false, 1) : new Outcome.Result(true, 5));
      assertTrue(counts.getOrDefault(failing, 0) < 200, "fast-failing host won: " + counts.get(failing));
    }

    @Test
    void anUnusedSlowHostIsTriedAgainAfterItsCostDecays() {
      AdaptiveSelector s = selector();
      Host slow = hosts.get(0);
      warm(s, 20, 2);
      for (int i = 0; i < 50; i++) {
        s.onReport(slow, true, 200);
      }
      assertEquals(0, drive(s, 2_000, h -> new Outcome.Result(true, h.equals(slow) ? 200 : 2)).getOrDefault(slow, 0));
      clock.advance(Duration.ofSeconds(60));
      int after = drive(s, 2_000, h -> new Outcome.Result(true, 2)).getOrDefault(slow, 0);
      assertTrue(after > 0, "the slow host was never tried again");
    }

    @Test
    void reportsOfUnknownHostsAreIgnored() {
      AdaptiveSelector s = selector();
      s.onReport(new Host(1, 1), false, 5);
      Map<Host, Integer> counts = drive(s, 1_000, h -> new Outcome.Result(true, 1));
      assertFalse(counts.containsKey(new Host(1, 1)));
    }
  }

  @Nested
  class NoBlackout {

    @Test
    void beyondThePanicThresholdEveryHostServesByItsSuccess() {
      AdaptiveSelector s = selector();
      s.update(hosts, hosts.subList(0, 6), RATE);
      Map<Host, Integer> counts = drive(s, 20_000, h -> new Outcome.Result(true, 2));
      assertEquals(10, counts.size(), "panic picks spread over all hosts: " + counts);
    }

    @Test
    void everyHostOverloadedStillServesWhenTheyPartlySucceed() {
      AdaptiveSelector s = selector();
      s.update(hosts, hosts, RATE);
      Random fate = new Random(7);
      int succ = 0;
      int answered = 0;
      for (int i = 0; i < 20_000; i++) {
        LoadBalance.Pick pick = s.pick();
        if (pick.retCode() == RetCode.SUCC) {
          answered++;
          boolean ok = fate.nextDouble() >= 0.4;
          succ += ok ? 1 : 0;
          s.onReport(pick.host(), ok, 2);
        }
      }
      assertTrue(answered > 19_000, "OVERLOAD answered although hosts succeed 60 %: " + answered);
      assertTrue(succ > 0.55 * 20_000, "client success " + succ);
    }

    @Test
    void overloadOnlyWhenEveryHostHasStoppedSucceeding() {
      AdaptiveSelector s = selector();
      s.update(hosts, hosts, RATE);
      for (int i = 0; i < 200; i++) {
        for (Host h : hosts) {
          s.onReport(h, false, 1);
        }
      }
      LoadBalance.Pick pick = s.pick();
      assertTrue(pick.retCode() == RetCode.OVERLOAD || pick.probe(), pick.toString());
    }

    @Test
    void withThePanicThresholdAtOneAllOverloadedAnswersOverloadBetweenProbes() {
      AdaptiveSettings d = AdaptiveSettings.defaults();
      AdaptiveSelector s = selector(new AdaptiveSettings(d.sampleWeight(), d.decay(), 1.0,
          d.minSuccess(), d.slowStart(), d.probeRate(), d.windowMinCalls()));
      s.update(hosts, hosts, RATE);
      assertEquals(RetCode.OVERLOAD, s.pick().retCode());
    }
  }

  @Nested
  class ProbeBudget {

    @Test
    void anOverloadedHostGetsAboutTheProbeRateNotEveryEleventhRequest() {
      AdaptiveSelector s = selector();
      Host dead = hosts.get(2);
      s.update(hosts, Set.of(dead), RATE);
      int probes = 0;
      for (int ms = 0; ms < 10_000; ms++) {
        for (int k = 0; k < 2; k++) {
          LoadBalance.Pick pick = s.pick();
          if (pick.probe()) {
            assertEquals(dead, pick.host());
            probes++;
          }
        }
        clock.advanceMillis(1);
      }
      assertTrue(probes >= 10 && probes <= 40, "2/s for 10 s, jittered: " + probes);
    }

    @Test
    void probeIntervalsAreJittered() {
      AdaptiveSelector s = selector();
      Host dead = hosts.get(2);
      s.update(hosts, Set.of(dead), RATE);
      List<Long> at = new ArrayList<>();
      for (int ms = 0; ms < 20_000; ms++) {
        if (s.pick().probe()) {
          at.add((long) ms);
        }
        clock.advanceMillis(1);
      }
      Set<Long> gaps = new java.util.HashSet<>();
      for (int i = 1; i < at.size(); i++) {
        gaps.add(at.get(i) - at.get(i - 1));
      }
      assertTrue(gaps.size() > 5, "probe gaps all alike: " + gaps);
    }
  }

  @Nested
  class SlowStart {

    @Test
    void aHostBackFromOverloadRampsUpToItsShare() {
      AdaptiveSelector s = selector();
      Host back = hosts.get(7);
      warm(s, 20, 2);
      s.update(hosts, Set.of(back), RATE);
      s.update(hosts, Set.of(), RATE);
      int early = drive(s, 10_000, h -> new Outcome.Result(true, 2)).getOrDefault(back, 0);
      clock.advance(Duration.ofSeconds(31));
      int late = drive(s, 10_000, h -> new Outcome.Result(true, 2)).getOrDefault(back, 0);
      assertTrue(early < 400, "slow start lets the host in gently: " + early);
      assertTrue(late > 800, "after slow start the host has its share: " + late);
    }

    @Test
    void theFirstRouteHasNoSlowStart() {
      AdaptiveSelector s = selector();
      warm(s, 20, 2);
      Map<Host, Integer> counts = drive(s, 10_000, h -> new Outcome.Result(true, 2));
      assertTrue(counts.values().stream().allMatch(n -> n > 800), counts.toString());
    }
  }

  @Nested
  class Settings {

    @Test
    void shippedDefaultsAreTheDocumentedOnes() {
      AdaptiveSettings conf = AdaptiveSettings.fromConfig(ConfigFactory.load());
      assertEquals(AdaptiveSettings.defaults(), conf);
    }

    @Test
    void outOfRangeValuesNameTheirKey() {
      AdaptiveSettings d = AdaptiveSettings.defaults();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveSettings(
          d.sampleWeight(), d.decay(), 1.5, d.minSuccess(), d.slowStart(), d.probeRate(),
          d.windowMinCalls()));
      assertTrue(e.getMessage().contains("lars.agent.load-balance.adaptive.panic-threshold"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveSettings(d.sampleWeight(), d.decay(),
          d.panicThreshold(), d.minSuccess(), d.slowStart(), 0, d.windowMinCalls()));
      assertTrue(e.getMessage().contains("probe-rate"), e.getMessage());
    }
  }

  private static List<Host> hosts(int n) {
    List<Host> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new Host(0x0A000001 + i, 9000 + i));
    }
    return List.copyOf(list);
  }
}
