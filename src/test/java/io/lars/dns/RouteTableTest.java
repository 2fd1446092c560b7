package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class RouteTableTest {

  private static final ModuleId A = new ModuleId(1, 1);
  private static final ModuleId B = new ModuleId(1, 2);
  private static final ModuleId C = new ModuleId(2, 1);
  private static final Host H1 = Host.of("10.0.0.1", 80);
  private static final Host H2 = Host.of("10.0.0.2", 80);
  private static final Host H3 = Host.of("192.168.1.177", 7777);

  @Test
  void hostsAreSortedWithoutDuplicatesAndUnknownModulesAreEmpty() {
    RouteTable t = RouteTable.of(Map.of(A, List.of(H3, H1, H3, H2), B, List.of()));
    assertEquals(List.of(H1, H2, H3), t.hosts(A));
    assertEquals(List.of(), t.hosts(B));
    assertEquals(List.of(), t.hosts(C));
    assertEquals(Set.of(A), t.modules());
    assertEquals(1, t.moduleCount());
    assertEquals(3, t.hostCount());
  }

  @Test
  void changedModulesFindsAddedRemovedAndEditedModulesOnly() {
    RouteTable old = RouteTable.of(Map.of(A, List.of(H1, H2), B, List.of(H1), C, List.of(H3)));
    RouteTable newer = RouteTable.of(Map.of(A, List.of(H2, H1), B, List.of(H1, H3), new ModuleId(9, 9), List.of(H1)));
    assertEquals(Set.of(B, C, new ModuleId(9, 9)), old.changedModules(newer));
    assertEquals(Set.of(B, C, new ModuleId(9, 9)), newer.changedModules(old));
    assertEquals(Set.of(), old.changedModules(RouteTable.of(Map.of(C, List.of(H3), B, List.of(H1), A, List.of(H1, H2)))));
  }

  @Test
  void everyModuleDiffersFromTheEmptyTable() {
    RouteTable t = RouteTable.of(Map.of(A, List.of(H1), B, List.of(H2)));
    assertEquals(Set.of(A, B), RouteTable.empty().changedModules(t));
    assertEquals(Set.of(A, B), t.changedModules(RouteTable.empty()));
    assertTrue(RouteTable.empty().changedModules(RouteTable.of(Map.of(C, List.of()))).isEmpty());
  }

  @Test
  void routeFrameIsAGetRouteResponse() {
    Frame frame = RouteTable.of(Map.of(A, List.of(H3, H1))).route(A).toFrame();
    assertEquals(MessageId.GET_ROUTE_RESPONSE.id(), frame.msgId());
    GetRouteResponse r = frame.decode(GetRouteResponse.class);
    assertEquals(1, r.getModid());
    assertEquals(1, r.getCmdid());
    assertEquals(List.of(H1, H3), r.getHostList().stream().map(Host::of).toList());
    assertEquals(-1062731343, r.getHost(1).getIp());
  }

  @Test
  void unknownModuleFrameHasNoHost() {
    GetRouteResponse r = RouteTable.empty().route(C).toFrame().decode(GetRouteResponse.class);
    assertEquals(2, r.getModid());
    assertEquals(0, r.getHostCount());
  }

  @Test
  void limitHostsKeepsTheLastGoodRouteOfAnOversizeModuleAndLeavesOthersAlone() {
    ModuleId big = new ModuleId(7, 1);
    ModuleId fresh = new ModuleId(7, 2);
    ModuleId small = new ModuleId(7, 3);
    Host a = Host.of("10.0.0.1", 1);
    Host b = Host.of("10.0.0.2", 1);
    Host c = Host.of("10.0.0.3", 1);
    RouteTable previous = RouteTable.of(Map.of(big, List.of(a), small, List.of(a)));
    RouteTable loaded = RouteTable.of(Map.of(big, List.of(a, b, c), fresh, List.of(a, b, c), small, List.of(b)));
    RouteTable.Limited limited = loaded.limitHosts(previous, 2);
    assertEquals(Set.of(big, fresh), limited.refused());
    assertEquals(List.of(a), limited.table().hosts(big));
    assertEquals(List.of(), limited.table().hosts(fresh));
    assertEquals(List.of(b), limited.table().hosts(small));
    assertEquals(loaded, loaded.limitHosts(previous, 3).table(), "nothing above the limit: the same table");
  }
}
