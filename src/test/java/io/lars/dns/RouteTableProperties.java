package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RouteTableProperties {

  @Property
  void changedModulesAreExactlyTheModulesWhoseHostSetsDiffer(
      @ForAll("routes") Map<ModuleId, List<Host>> a, @ForAll("routes") Map<ModuleId, List<Host>> b) {
    RouteTable ta = RouteTable.of(a);
    RouteTable tb = RouteTable.of(b);
    Set<ModuleId> expected = new HashSet<>();
    Set<ModuleId> all = new HashSet<>(a.keySet());
    all.addAll(b.keySet());
    for (ModuleId m : all) {
      if (!Set.copyOf(a.getOrDefault(m, List.of())).equals(Set.copyOf(b.getOrDefault(m, List.of())))) {
        expected.add(m);
      }
    }
    assertEquals(expected, ta.changedModules(tb));
    assertEquals(expected, tb.changedModules(ta));
    assertEquals(Set.of(), ta.changedModules(RouteTable.of(a)));
  }

  @Provide
  Arbitrary<Map<ModuleId, List<Host>>> routes() {
    // Small ranges so that the two tables share modules and hosts often.
    Arbitrary<ModuleId> modules = Arbitraries.integers().between(1, 4)
        .flatMap(modid -> Arbitraries.integers().between(1, 3).map(cmdid -> new ModuleId(modid, cmdid)));
    Arbitrary<Host> hosts = Arbitraries.integers().between(1, 3)
        .flatMap(ip -> Arbitraries.integers().between(1, 2).map(port -> new Host(ip, port)));
    return Arbitraries.maps(modules, hosts.list().ofMaxSize(4)).ofMaxSize(8);
  }
}
