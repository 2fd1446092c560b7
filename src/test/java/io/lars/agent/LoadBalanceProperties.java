package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.agent.LoadBalance.HostSnapshot;
import io.lars.agent.LoadBalance.Pick;
import io.lars.agent.LoadBalance.Snapshot;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Invariants of {@link LoadBalance} under any sequence of picks, reports, route updates,
 * restores and clock steps: every host of the route is in exactly one of the two lists, the
 * lists' union is the route, and a pick never returns a host outside the route.
 */
class LoadBalanceProperties {

  private static final int POOL = 8;
  private static final List<Host> HOSTS =
      IntStream.range(0, POOL).mapToObj(i -> Host.of("10.0.1." + (i + 1), 7000 + i)).toList();

  // Small limits so that transitions, probes and windows happen often in short sequences.
  private static final LoadBalanceSettings SETTINGS = new LoadBalanceSettings(3, 4, 2, 0.3, 0.6, 3, 3, 0.5,
      Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(1),
      Duration.ofMillis(100), Duration.ofMillis(100));

  sealed interface Op permits GetHost, Report, Update, Restore, Advance {}

  record GetHost() implements Op {}

  record Report(int host, int retcode, int timecostMs) implements Op {}

  record Update(Set<Integer> hosts) implements Op {}

  record Restore(Set<Integer> hosts, Set<Integer> overloaded) implements Op {}

  record Advance(int millis) implements Op {}

  @Property(tries = 300)
  void listsPartitionTheRouteAndPicksStayInside(@ForAll("operations") List<Op> ops) {
    FakeClock clock = new FakeClock(0);
    LoadBalance lb = new LoadBalance(new ModuleId(7, 7), SETTINGS, clock);
    Set<Host> route = new HashSet<>();
    boolean known = false;
    for (Op op : ops) {
      if (op instanceof GetHost) {
        Snapshot before = lb.snapshot();
        Pick pick = lb.getHost();
        checkPick(pick, before, known, route);
      } else if (op instanceof Report r) {
        lb.report(HOSTS.get(r.host()), r.retcode(), r.timecostMs());
      } else if (op instanceof Update u) {
        route = hosts(u.hosts());
        lb.updateRoutes(route);
        known = true;
      } else if (op instanceof Restore r) {
        route = hosts(r.hosts());
        lb.restore(route, hosts(r.overloaded()));
        known = true;
      } else if (op instanceof Advance a) {
        clock.advanceMillis(a.millis());
      }
      checkPartition(lb.snapshot(), route, known);
      assertEquals(route, lb.hosts());
    }
  }

  private static void checkPick(Pick pick, Snapshot before, boolean known, Set<Host> route) {
    if (!known || route.isEmpty()) {
      assertEquals(RetCode.NOEXIST, pick.retCode());
      return;
    }
    if (pick.retCode() == RetCode.OVERLOAD) {
      assertTrue(before.idle().isEmpty(), "OVERLOAD only when no host is idle");
      assertNull(pick.host());
      return;
    }
    assertEquals(RetCode.SUCC, pick.retCode());
    assertTrue(route.contains(pick.host()), "picked " + pick.host() + " outside " + route);
    List<HostSnapshot> from = pick.probe() ? before.overload() : before.idle();
    assertEquals(from.get(0).host(), pick.host(), "a pick is the head of its list");
  }

  private static void checkPartition(Snapshot s, Set<Host> route, boolean known) {
    assertEquals(known, s.routeKnown());
    Set<Host> idle = s.idle().stream().map(HostSnapshot::host).collect(Collectors.toSet());
    Set<Host> overload = s.overload().stream().map(HostSnapshot::host).collect(Collectors.toSet());
    assertEquals(s.idle().size(), idle.size(), "no host twice in the idle list");
    assertEquals(s.overload().size(), overload.size(), "no host twice in the overload list");
    assertTrue(idle.stream().noneMatch(overload::contains), "no host in both lists");
    Set<Host> union = new HashSet<>(idle);
    union.addAll(overload);
    assertEquals(route, union);
    assertTrue(s.idle().stream().noneMatch(HostSnapshot::overloaded));
    assertTrue(s.overload().stream().allMatch(HostSnapshot::overloaded));
    assertTrue(s.access() >= 0 && s.access() <= SETTINGS.probeNum());
    assertFalse(Stream.concat(s.idle().stream(), s.overload().stream())
        .anyMatch(h -> h.vsucc() < 0 || h.verr() < 0 || h.rsucc() < 0 || h.rerr() < 0), "counts stay non-negative");
  }

  private static Set<Host> hosts(Set<Integer> indexes) {
    return indexes.stream().map(HOSTS::get).collect(Collectors.toSet());
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Integer> hostIndex = Arbitraries.integers().between(0, POOL - 1);
    Arbitrary<Set<Integer>> hostSet = hostIndex.set().ofMaxSize(POOL);
    Arbitrary<Op> getHost = Arbitraries.just(new GetHost());
    Arbitrary<Op> report = Combinators.combine(hostIndex, Arbitraries.of(0, 0, 1, 2),
        Arbitraries.of(0, 50, 100, 350, 1000)).as(Report::new);
    Arbitrary<Op> update = hostSet.map(Update::new);
    Arbitrary<Op> restore = Combinators.combine(hostSet, hostSet).as(Restore::new);
    Arbitrary<Op> advance = Arbitraries.integers().between(0, 4000).map(Advance::new);
    return Arbitraries.frequencyOf(Tuple.of(6, getHost), Tuple.of(8, report), Tuple.of(1, update),
        Tuple.of(1, restore), Tuple.of(2, advance)).list().ofMaxSize(150);
  }
}
