package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.agent.LoadBalance.HostCallStats;
import io.lars.agent.LoadBalance.HostSnapshot;
import io.lars.agent.LoadBalance.Pick;
import io.lars.agent.LoadBalance.PullStatus;
import io.lars.agent.LoadBalance.RouteDiff;
import io.lars.agent.LoadBalance.Snapshot;
import io.lars.agent.LoadBalance.Transition;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** SPEC 7.2 and the SPEC 12 fixes, rule by rule, on {@link LoadBalance} with a fake clock. */
@Execution(ExecutionMode.CONCURRENT)
class LoadBalanceTest {

  private static final ModuleId MODULE = new ModuleId(1, 1);
  private static final Host H1 = Host.of("10.0.0.1", 9001);
  private static final Host H2 = Host.of("10.0.0.2", 9002);
  private static final Host H3 = Host.of("10.0.0.3", 9003);
  private static final Host H4 = Host.of("10.0.0.4", 9004);
  private static final Duration FIFTEEN_SECONDS = Duration.ofSeconds(15);

  private FakeClock clock;
  private LoadBalance lb;

  @BeforeEach
  void setUp() {
    clock = new FakeClock(1_000_000);
    lb = new LoadBalance(MODULE, LoadBalanceSettings.defaults(), clock);
  }

  private LoadBalance withSettings(LoadBalanceSettings settings) {
    return new LoadBalance(MODULE, settings, clock);
  }

  private static LoadBalanceSettings settings(int continErrLimit, int continSuccLimit) {
    LoadBalanceSettings d = LoadBalanceSettings.defaults();
    return new LoadBalanceSettings(d.probeNum(), d.initSuccCnt(), d.initErrCnt(), d.errRate(), d.succRate(),
        continErrLimit, continSuccLimit, d.windowErrRate(), d.idleTimeout(), d.overloadTimeout(), d.updateTimeout(),
        d.reportInterval(), d.firstPullWait(), d.timecostUnit());
  }

  /**
   * Reports a pattern of outcomes ('S' success, 'F' failure, blanks ignored) and returns the
   * 1-based position of each outcome that caused a transition.
   */
  private static Map<Integer, Transition> play(LoadBalance lb, Host host, String pattern) {
    Map<Integer, Transition> transitions = new LinkedHashMap<>();
    int position = 0;
    for (char c : pattern.replace(" ", "").toCharArray()) {
      position++;
      Optional<Transition> t = lb.report(host, c == 'S' ? 0 : 1, 0);
      if (t.isPresent()) {
        transitions.put(position, t.get());
      }
    }
    return transitions;
  }

  private static void overload(LoadBalance lb, Host host) {
    Map<Integer, Transition> t = play(lb, host, "FFFFFFFFFF");
    assertEquals(1, t.size(), "ten consecutive failures overload " + host);
  }

  private static HostSnapshot state(LoadBalance lb, Host host) {
    Snapshot s = lb.snapshot();
    return Stream.concat(s.idle().stream(), s.overload().stream())
        .filter(h -> h.host().equals(host)).findFirst().orElseThrow();
  }

  private static List<Host> idleOrder(LoadBalance lb) {
    return lb.snapshot().idle().stream().map(HostSnapshot::host).toList();
  }

  private static List<Host> overloadOrder(LoadBalance lb) {
    return lb.snapshot().overload().stream().map(HostSnapshot::host).toList();
  }

  private static List<Host> picks(LoadBalance lb, int n) {
    List<Host> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(lb.getHost().host());
    }
    return out;
  }

  @Nested
  class GetHost {

    @Test
    void unknownRouteAnswersNoexistAndNeedsAPull() {
      assertFalse(lb.routeKnown());
      assertEquals(new Pick(RetCode.NOEXIST, null, false), lb.getHost());
      assertTrue(lb.needsPull());
      lb.markPulling();
      assertFalse(lb.needsPull());
      assertEquals(PullStatus.PULLING, lb.pullStatus());
      assertEquals(RetCode.NOEXIST, lb.getHost().retCode());
    }

    @Test
    void emptyRouteIsKnownAnswersNoexistAndIsNotForgotten() {
      lb.markPulling();
      lb.updateRoutes(List.of());
      assertTrue(lb.routeKnown());
      assertEquals(RetCode.NOEXIST, lb.getHost().retCode());
      assertFalse(lb.needsPull(), "a known empty route is not pulled again on every request");
      clock.advance(Duration.ofSeconds(16));
      assertTrue(lb.routeKnown());
      assertTrue(lb.needsPull(), "it is refreshed like any other route");
    }

    @Test
    void idleHostsAreReturnedRoundRobinInRouteOrder() {
      lb.updateRoutes(List.of(H3, H1, H2));
      List<Pick> picks = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        picks.add(lb.getHost());
      }
      assertEquals(List.of(H1, H2, H3, H1, H2, H3, H1), picks.stream().map(Pick::host).toList());
      assertTrue(picks.stream().allMatch(p -> p.retCode() == RetCode.SUCC && !p.probe()));
      assertEquals(List.of(H2, H3, H1), idleOrder(lb), "each pick moves the head to the tail");
      assertEquals(0, lb.snapshot().access(), "no overloaded host: access is not counted");
    }

    @Test
    void allOverloadedAnswersOverloadAndProbesEveryProbeNumRequests() {
      lb.updateRoutes(List.of(H1, H2, H3));
      overload(lb, H1);
      overload(lb, H2);
      overload(lb, H3);
      List<Pick> answers = new ArrayList<>();
      for (int i = 0; i < 33; i++) {
        answers.add(lb.getHost());
      }
      List<Host> probed = new ArrayList<>();
      for (int i = 0; i < answers.size(); i++) {
        Pick p = answers.get(i);
        if ((i + 1) % 11 == 0) {
          assertEquals(RetCode.SUCC, p.retCode(), "request " + (i + 1) + " is a probe");
          assertTrue(p.probe());
          probed.add(p.host());
        } else {
          assertEquals(new Pick(RetCode.OVERLOAD, null, false), p, "request " + (i + 1));
        }
      }
      assertEquals(List.of(H1, H2, H3), probed, "probes rotate through the overload list");
      assertEquals(List.of(H1, H2, H3), overloadOrder(lb));
    }

    @Test
    void mixedProbesEveryProbeNumRequestsAndReturnsExactlyOneHostPerRequest() {
      lb.updateRoutes(List.of(H1, H2, H3));
      overload(lb, H3);
      Map<Host, Integer> counts = new LinkedHashMap<>();
      List<Pick> answers = new ArrayList<>();
      for (int i = 0; i < 1100; i++) {
        Pick p = lb.getHost();
        answers.add(p);
        assertEquals(RetCode.SUCC, p.retCode());
        counts.merge(p.host(), 1, Integer::sum);
      }
      assertEquals(Map.of(H1, 500, H2, 500, H3, 100), counts);
      for (int i = 0; i < answers.size(); i++) {
        Pick p = answers.get(i);
        boolean probeTurn = (i + 1) % 11 == 0;
        assertEquals(probeTurn, p.probe(), "request " + (i + 1));
        assertEquals(probeTurn, p.host().equals(H3), "request " + (i + 1));
      }
      List<Host> idlePicks = answers.stream().filter(p -> !p.probe()).map(Pick::host).toList();
      for (int i = 1; i < idlePicks.size(); i++) {
        assertNotEquals(idlePicks.get(i - 1), idlePicks.get(i), "idle hosts alternate, one per request");
      }
    }

    @Test
    void mixedIdlePickRotatesTheIdleListByExactlyOne() {
      lb.updateRoutes(List.of(H1, H2, H3, H4));
      overload(lb, H4);
      assertEquals(H1, lb.getHost().host());
      assertEquals(List.of(H2, H3, H1), idleOrder(lb));
      assertEquals(1, lb.snapshot().access());
    }
  }

  @Nested
  class IdleToOverload {

    @Test
    void referenceFaqTenSuccessesAndTwentyOneFailuresOverload() {
      lb.updateRoutes(List.of(H1));
      // 21 failures in runs of 7 (below contin-err-limit), the 10 successes around them
      Map<Integer, Transition> t = play(lb, H1, "FFFFFFF S FFFFFFF S FFFFFFF SSSSSSSS");
      assertEquals(Set.of(23), t.keySet(), "the 21st failure overloads");
      Transition overload = t.get(23);
      assertTrue(overload.toOverload());
      assertEquals(LoadBalance.Reason.ERROR_RATE, overload.reason());
      assertEquals(182, overload.vsucc());
      assertEquals(21, overload.verr());
      assertTrue(state(lb, H1).overloaded(), "8 successes do not bring it back (contin 8, rate 8/13)");
    }

    @Test
    void referenceFaqTwentyFailuresDoNotOverload() {
      lb.updateRoutes(List.of(H1, H2));
      assertEquals(Map.of(), play(lb, H1, "FFFFFFF S FFFFFFF S FFFFFF SSSSSSSS"));
      assertEquals(Map.of(), play(lb, H2, "SSSSSSSS FFFFFFF S FFFFFFF S FFFFFF"));
      assertFalse(state(lb, H1).overloaded());
      assertFalse(state(lb, H2).overloaded());
    }

    @Test
    void errorRateMustExceedTheThresholdStrictly() {
      // with all 10 successes counted first, 21/211 is below 0.1 and the 22nd failure (22/212) overloads:
      // the FAQ's "10 succ + 21 err" is its rounded-down estimate of (10+180)/9
      LoadBalance big = withSettings(settings(1000, 10));
      big.updateRoutes(List.of(H1));
      Map<Integer, Transition> t = play(big, H1, "SSSSSSSSSS" + "F".repeat(22));
      assertEquals(Set.of(32), t.keySet());
      assertEquals(LoadBalance.Reason.ERROR_RATE, t.get(32).reason());
    }

    @Test
    void consecutiveErrorsOverload() {
      lb.updateRoutes(List.of(H1, H2));
      assertEquals(Map.of(), play(lb, H1, "FFFFFFFFF S FFFFFFFFF"), "a success resets the run");
      Map<Integer, Transition> t = play(lb, H2, "FFFFFFFFFF");
      assertEquals(Set.of(10), t.keySet());
      assertEquals(LoadBalance.Reason.CONSECUTIVE_ERRORS, t.get(10).reason());
      assertEquals(180, t.get(10).vsucc());
      assertEquals(10, t.get(10).verr());
    }

    @Test
    void windowErrorRateOverloadsAtTheWindowEnd() {
      lb.updateRoutes(List.of(H1));
      assertEquals(Map.of(), play(lb, H1, "SSS FFFFFF"));
      clock.advance(FIFTEEN_SECONDS.minusMillis(1));
      assertEquals(Map.of(), play(lb, H1, "F"), "window not over yet");
      clock.advanceMillis(1);
      Optional<Transition> t = lb.report(H1, 1, 0);
      assertTrue(t.isPresent());
      assertEquals(new Transition(MODULE, H1, true, 183, 8, 3, 8, LoadBalance.Reason.WINDOW_ERROR_RATE), t.get());
      assertTrue(state(lb, H1).overloaded());
    }

    @Test
    void windowErrorRateIncludesTheThreshold() {
      lb.updateRoutes(List.of(H1));
      play(lb, H1, "SSS FFFFFF");
      clock.advance(FIFTEEN_SECONDS);
      Optional<Transition> t = lb.report(H1, 1, 0);
      assertEquals(LoadBalance.Reason.WINDOW_ERROR_RATE, t.orElseThrow().reason(),
          "7 of 10 is exactly window-err-rate 0.7");
    }

    @Test
    void withTheReferencePolicyOneFailureAfterAQuietWindowOverloads() {
      lb.updateRoutes(List.of(H1));
      clock.advance(FIFTEEN_SECONDS);
      assertEquals(LoadBalance.Reason.WINDOW_ERROR_RATE, lb.report(H1, 1, 0).orElseThrow().reason(),
          "1 of 1 >= 0.7: the reference rule");
    }

    @Test
    void withTheAdaptivePolicyTheWindowNeedsWindowMinCalls() {
      LoadBalance adaptive = withSettings(LoadBalanceSettings.defaults().withPolicy(LoadBalanceSettings.Policy.ADAPTIVE));
      adaptive.updateRoutes(List.of(H1));
      clock.advance(FIFTEEN_SECONDS);
      assertEquals(Optional.empty(), adaptive.report(H1, 1, 0), "1 call < window-min-calls 5: the window restarts");
      assertFalse(state(adaptive, H1).overloaded());
      play(adaptive, H1, "SFFF");
      clock.advance(FIFTEEN_SECONDS);
      assertEquals(LoadBalance.Reason.WINDOW_ERROR_RATE, adaptive.report(H1, 1, 0).orElseThrow().reason(),
          "4 of 5 calls failed");
    }

    @Test
    void windowBelowTheRateRestartsTheWindowInPlace() {
      lb.updateRoutes(List.of(H1, H2));
      play(lb, H1, "SSSSS F");
      clock.advance(Duration.ofSeconds(20));
      assertEquals(Optional.empty(), lb.report(H1, 0, 0));
      HostSnapshot s = state(lb, H1);
      assertEquals(new HostSnapshot(H1, false, 180, 0, 0, 0, 0, 0, clock.getAsLong(), 0), s);
      assertEquals(List.of(H1, H2), idleOrder(lb), "a window restart does not move the host");
    }

    @Test
    void overloadResetsTheCountersAndAppendsToTheOverloadList() {
      lb.updateRoutes(List.of(H1, H2, H3));
      overload(lb, H2);
      clock.advanceMillis(5);
      play(lb, H1, "SS");
      Transition t = play(lb, H1, "FFFFFFFFFF").get(10);
      assertEquals(new Transition(MODULE, H1, true, 182, 10, 2, 10, LoadBalance.Reason.CONSECUTIVE_ERRORS), t);
      assertEquals(new HostSnapshot(H1, true, 0, 5, 0, 0, 0, 0, 1_000_000, clock.getAsLong()), state(lb, H1));
      assertEquals(List.of(H3), idleOrder(lb));
      assertEquals(List.of(H2, H1), overloadOrder(lb));
    }
  }

  @Nested
  class OverloadToIdle {

    @Test
    void successRateBringsAHostBack() {
      LoadBalance slow = withSettings(settings(10, 1000));
      slow.updateRoutes(List.of(H1));
      overload(slow, H1);
      // vsucc/(vsucc+5) > 0.92 first holds at 58/63
      Map<Integer, Transition> t = play(slow, H1, "S".repeat(58));
      assertEquals(Set.of(58), t.keySet());
      assertEquals(new Transition(MODULE, H1, false, 58, 5, 58, 0, LoadBalance.Reason.SUCCESS_RATE), t.get(58));
    }

    @Test
    void consecutiveSuccessesBringAHostBack() {
      lb.updateRoutes(List.of(H1));
      overload(lb, H1);
      assertEquals(Map.of(), play(lb, H1, "SSSSSSSSS F SSSSSSSSS"), "a failure resets the run");
      Map<Integer, Transition> t = play(lb, H1, "S");
      assertEquals(LoadBalance.Reason.CONSECUTIVE_SUCCESSES, t.get(1).reason());
    }

    @Test
    void overloadTimeoutBringsAHostBackOnItsNextReport() {
      lb.updateRoutes(List.of(H1, H2));
      overload(lb, H1);
      clock.advance(FIFTEEN_SECONDS.minusMillis(1));
      assertEquals(Optional.empty(), lb.report(H1, 1, 0));
      clock.advanceMillis(1);
      Optional<Transition> t = lb.report(H1, 1, 0);
      assertEquals(new Transition(MODULE, H1, false, 0, 7, 0, 2, LoadBalance.Reason.OVERLOAD_TIMEOUT), t.orElseThrow());
      assertEquals(new HostSnapshot(H1, false, 180, 0, 0, 0, 0, 0, clock.getAsLong(), 1_000_000), state(lb, H1));
      assertEquals(List.of(H2, H1), idleOrder(lb), "back at the idle tail");
      assertEquals(List.of(), overloadOrder(lb));
    }
  }

  @Nested
  class Timecost {

    @Test
    void failuresAreAmplifiedByTimecostUnits() {
      LoadBalance big = withSettings(settings(1000, 10));
      big.updateRoutes(List.of(H1));
      big.report(H1, 1, 0);
      assertEquals(1, state(big, H1).verr(), "timecost 0 (unknown) counts once");
      big.report(H1, 1, 99);
      assertEquals(2, state(big, H1).verr(), "below one unit counts once");
      big.report(H1, 1, 250);
      HostSnapshot s = state(big, H1);
      assertEquals(4, s.verr());
      assertEquals(4, s.rerr());
      assertEquals(3, s.continErr(), "consecutive counts are calls, not amplified");
      big.report(H1, 0, 5000);
      assertEquals(181, state(big, H1).vsucc(), "successes are never amplified");
      assertEquals(1, state(big, H1).rsucc());
    }

    @Test
    void aSlowFailingHostIsDetectedAfterThreeOneSecondTimeouts() {
      lb.updateRoutes(List.of(H1));
      assertEquals(Optional.empty(), lb.report(H1, 1, 1000));
      assertEquals(Optional.empty(), lb.report(H1, 1, 1000), "20/200 is not above 0.1");
      Transition t = lb.report(H1, 1, 1000).orElseThrow();
      assertEquals(new Transition(MODULE, H1, true, 180, 30, 0, 30, LoadBalance.Reason.ERROR_RATE), t);
    }

    @Test
    void timecostIsReadAsUnsigned() {
      lb.updateRoutes(List.of(H1));
      Transition t = lb.report(H1, 1, -1).orElseThrow();
      assertEquals(0xffff_ffffL / 100, t.verr());
    }
  }

  @Nested
  class Routes {

    @Test
    void newHostsJoinTheIdleTailAndExistingHostsKeepStateAndPlace() {
      lb.updateRoutes(List.of(H1, H2));
      lb.getHost();
      lb.report(H1, 0, 0);
      clock.advanceMillis(500);
      RouteDiff diff = lb.updateRoutes(List.of(H4, H2, H1, H3, H3));
      assertEquals(new RouteDiff(Set.of(H3, H4), Set.of()), diff);
      assertTrue(diff.changed());
      assertEquals(List.of(H2, H1, H3, H4), idleOrder(lb));
      assertEquals(1, state(lb, H1).rsucc());
      assertEquals(1_000_000, state(lb, H1).idleSinceMs());
      assertEquals(new HostSnapshot(H3, false, 180, 0, 0, 0, 0, 0, 1_000_500, 0), state(lb, H3));
      assertEquals(Set.of(H1, H2, H3, H4), lb.hosts());
    }

    @Test
    void removedHostsLeaveTheMapAndBothLists() {
      lb.updateRoutes(List.of(H1, H2, H3, H4));
      overload(lb, H2);
      overload(lb, H4);
      lb.report(H3, 0, 0);
      RouteDiff diff = lb.updateRoutes(List.of(H1, H3));
      assertEquals(new RouteDiff(Set.of(), Set.of(H2, H4)), diff);
      assertEquals(List.of(H1, H3), idleOrder(lb));
      assertEquals(List.of(), overloadOrder(lb));
      assertEquals(Set.of(H1, H3), lb.hosts());
      assertEquals(Optional.empty(), lb.report(H2, 0, 0), "a removed host is unknown");
      assertEquals(Set.of(H1, H3), Set.copyOf(picks(lb, 50)));
      assertEquals(List.of(H1, H3), lb.takeStatistics().stream().map(HostCallStats::host).toList());

      lb.updateRoutes(List.of(H1, H2, H3));
      assertEquals(new HostSnapshot(H2, false, 180, 0, 0, 0, 0, 0, clock.getAsLong(), 0), state(lb, H2),
          "a host that comes back starts afresh");
    }

    @Test
    void unchangedRouteReportsNoChange() {
      lb.updateRoutes(List.of(H1));
      assertFalse(lb.updateRoutes(List.of(H1)).changed());
    }

    @Test
    void updateSetsNewAndTheUpdateTime() {
      lb.markPulling();
      clock.advanceMillis(42);
      lb.updateRoutes(List.of(H1));
      assertEquals(PullStatus.NEW, lb.pullStatus());
      assertEquals(1_000_042, lb.snapshot().lastUpdateMs());
    }

    @Test
    void routeIsRefreshedAfterTheUpdateTimeout() {
      lb.updateRoutes(List.of(H1));
      assertFalse(lb.needsPull());
      clock.advance(FIFTEEN_SECONDS);
      assertFalse(lb.needsPull(), "not before more than update-timeout");
      clock.advanceMillis(1);
      assertTrue(lb.needsPull());
      lb.markPulling();
      assertFalse(lb.needsPull(), "one pull at a time");
      lb.markNew();
      assertTrue(lb.needsPull(), "a dns reconnect makes a PULLING module pull again");
      lb.markPulling();
      lb.updateRoutes(List.of(H1));
      assertFalse(lb.needsPull());
    }

    @Test
    void aNewHostsFirstFailureDoesNotOverloadIt() {
      lb.updateRoutes(List.of(H1));
      clock.advance(Duration.ofMinutes(10));
      lb.updateRoutes(List.of(H1, H2));
      assertEquals(Optional.empty(), lb.report(H2, 1, 0));
      assertFalse(state(lb, H2).overloaded());
    }
  }

  @Nested
  class ReportsAndStatistics {

    @Test
    void reportForAnUnknownHostIsIgnored() {
      lb.updateRoutes(List.of(H1));
      Snapshot before = lb.snapshot();
      assertEquals(Optional.empty(), lb.report(H2, 1, 1000));
      assertEquals(before, lb.snapshot());
      assertFalse(lb.statsChanged());
    }

    @Test
    void statisticsListIdleThenOverloadAndKeepTheCounts() {
      lb.updateRoutes(List.of(H1, H2, H3));
      assertFalse(lb.statsChanged());
      overload(lb, H1);
      lb.report(H1, 0, 0);
      lb.report(H2, 0, 0);
      lb.report(H3, 1, 300);
      assertTrue(lb.statsChanged());
      List<HostCallStats> expected = List.of(new HostCallStats(H2, 1, 0, false), new HostCallStats(H3, 0, 3, false),
          new HostCallStats(H1, 1, 0, true));
      assertEquals(expected, lb.takeStatistics());
      assertFalse(lb.statsChanged());
      assertEquals(expected, lb.takeStatistics(), "taking does not reset the counts");
      lb.getHost();
      assertFalse(lb.statsChanged(), "picks are not statistics");
    }
  }

  @Nested
  class Restore {

    @Test
    void restoreRebuildsListsWithFreshCountersAndNeedsAPull() {
      lb.restore(List.of(H3, H2, H1), Set.of(H2, H4));
      assertTrue(lb.routeKnown());
      assertTrue(lb.needsPull(), "a recovered route is refreshed from the dns");
      long now = clock.getAsLong();
      Snapshot s = lb.snapshot();
      assertEquals(List.of(new HostSnapshot(H1, false, 180, 0, 0, 0, 0, 0, now, 0),
          new HostSnapshot(H3, false, 180, 0, 0, 0, 0, 0, now, 0)), s.idle());
      assertEquals(List.of(new HostSnapshot(H2, true, 0, 5, 0, 0, 0, 0, now, now)), s.overload());
      assertEquals(0, s.access());
      List<Host> answers = picks(lb, 11);
      assertEquals(H2, answers.get(10), "the 11th request probes the overloaded host");
    }

    @Test
    void restoreReplacesTheWholeState() {
      lb.updateRoutes(List.of(H1, H2));
      overload(lb, H1);
      picks(lb, 3);
      lb.restore(List.of(H3), Set.of());
      assertEquals(Set.of(H3), lb.hosts());
      assertEquals(List.of(H3), idleOrder(lb));
      assertEquals(0, lb.snapshot().access());
      assertEquals(Optional.empty(), lb.report(H1, 0, 0));
    }

    @Test
    void allOverloadedAfterRestoreStartsTheProbeCountAtZero() {
      lb.restore(List.of(H1), Set.of(H1));
      for (int i = 0; i < 10; i++) {
        assertEquals(RetCode.OVERLOAD, lb.getHost().retCode());
      }
      assertEquals(new Pick(RetCode.SUCC, H1, true), lb.getHost());
    }
  }

  @Test
  void pickHasAHostExactlyWhenSucc() {
    assertThrows(IllegalArgumentException.class, () -> new Pick(RetCode.SUCC, null, false));
    assertThrows(IllegalArgumentException.class, () -> new Pick(RetCode.OVERLOAD, H1, false));
    assertNull(new Pick(RetCode.NOEXIST, null, false).host());
  }
}
