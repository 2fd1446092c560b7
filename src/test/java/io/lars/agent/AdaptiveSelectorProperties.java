package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the adaptive policy over random sequences of route updates, reports, clock steps
 * and picks: a pick only names a host of the current route, NOEXIST only for an empty route, and
 * OVERLOAD only in panic when every host's recent success is below {@code min-success} (or, out of
 * panic, when no host is idle).
 */
class AdaptiveSelectorProperties {

  private static final int POOL = 8;

  sealed interface Op permits Update, Report, Advance, Pick {}

  record Update(Set<Integer> route, Set<Integer> overloaded) implements Op {}

  record Report(int host, boolean success, long ms) implements Op {}

  record Advance(long ms) implements Op {}

  record Pick() implements Op {}

  @Property(tries = 300)
  void picksStayInsideTheRouteAndOverloadNeedsItsCondition(@ForAll("operations") List<Op> ops, @ForAll long seed) {
    FakeClock clock = new FakeClock(0);
    AdaptiveSettings settings = AdaptiveSettings.defaults();
    AdaptiveSelector selector = new AdaptiveSelector(settings, clock, new Random(seed));
    Set<Host> route = new HashSet<>();
    Set<Host> overloaded = new HashSet<>();
    double[] success = new double[POOL];
    java.util.Arrays.fill(success, 1.0);
    for (Op op : ops) {
      if (op instanceof Update u) {
        route = hostsOf(u.route());
        overloaded = new HashSet<>(hostsOf(u.overloaded()));
        overloaded.retainAll(route);
        Set<Host> kept = route;
        for (int i = 0; i < POOL; i++) {
          if (!kept.contains(host(i))) {
            success[i] = 1.0;
          }
        }
        selector.update(List.copyOf(route), overloaded, 2.0);
      } else if (op instanceof Report r) {
        selector.onReport(host(r.host()), r.success(), r.ms());
        if (route.contains(host(r.host()))) {
          success[r.host()] += settings.sampleWeight() * ((r.success() ? 1.0 : 0.0) - success[r.host()]);
        }
      } else if (op instanceof Advance a) {
        clock.advanceMillis(a.ms());
      } else {
        LoadBalance.Pick pick = selector.pick();
        if (route.isEmpty()) {
          assertEquals(RetCode.NOEXIST, pick.retCode());
          continue;
        }
        if (pick.retCode() == RetCode.SUCC) {
          assertTrue(route.contains(pick.host()), "picked " + pick.host() + " outside " + route);
          continue;
        }
        assertEquals(RetCode.OVERLOAD, pick.retCode());
        boolean panic = overloaded.size() > settings.panicThreshold() * route.size();
        if (panic) {
          for (Host h : route) {
            int i = h.port() - 9000;
            assertTrue(success[i] < settings.minSuccess(), "OVERLOAD in panic although " + h + " succeeds " + success[i]);
          }
        } else {
          assertEquals(route, overloaded, "OVERLOAD out of panic with an idle host");
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Integer> index = Arbitraries.integers().between(0, POOL - 1);
    Arbitrary<Set<Integer>> set = index.set().ofMaxSize(POOL);
    Arbitrary<Op> update = Combinators.combine(set, set).as(Update::new);
    Arbitrary<Op> report = Combinators.combine(index, Arbitraries.of(true, false), Arbitraries.longs().between(0, 2000))
        .as(Report::new);
    Arbitrary<Op> advance = Arbitraries.longs().between(1, 5000).map(Advance::new);
    Arbitrary<Op> pick = Arbitraries.just(new Pick());
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, update), net.jqwik.api.Tuple.of(6, report),
        net.jqwik.api.Tuple.of(2, advance), net.jqwik.api.Tuple.of(8, pick)).list().ofMaxSize(200);
  }

  private static Set<Host> hostsOf(Set<Integer> indexes) {
    List<Integer> sorted = new ArrayList<>(indexes);
    java.util.Collections.sort(sorted);
    Set<Host> hosts = new java.util.LinkedHashSet<>();
    sorted.forEach(i -> hosts.add(host(i)));
    return hosts;
  }

  private static Host host(int i) {
    return new Host(0x0A000001, 9000 + i);
  }
}
