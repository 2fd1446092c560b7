package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.client.LarsClient;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.testkit.ClusterHarness;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease owner's node dies in a 3-node cluster (issue 16): every node runs the dns role, so the
 * lease owners are sharded over all three. Node 2, owning some modules' leases, crashes. The
 * registered hosts stay in every module's route all along (the nodes keep the last lease sets),
 * the owners come back on another node from the journal with a fresh TTL for every lease, the
 * services' heartbeats keep the same leases (no re-registration), and no lease expires.
 */
class LeaseFailoverTest {

  private static final Logger log = LoggerFactory.getLogger(LeaseFailoverTest.class);
  private static final int MODULES = 12;

  @Test
  void leasesSurviveTheLossOfTheirOwnersNodeWithoutExpiry() throws Exception {
    try (ClusterHarness cluster = ClusterHarness.start(Map.of(), true)) {
      LarsClient client1 = cluster.client(1);
      LarsClient client3 = cluster.client(3);
      List<Registration> registrations = new ArrayList<>();
      List<ModuleId> modules = new ArrayList<>();
      for (int cmdid = 1; cmdid <= MODULES; cmdid++) {
        ModuleId module = new ModuleId(160, cmdid);
        modules.add(module);
        for (int h = 1; h <= 2; h++) {
          registrations.add(client1.register(module.modid(), module.cmdid(), Host.of("10.16.0." + h, 8000 + cmdid),
              LeaseOptions.ttl(Duration.ofSeconds(3))).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
      }
      List<String> leaseIds = registrations.stream().map(Registration::leaseId).toList();
      for (ModuleId module : modules) {
        cluster.await("both hosts of " + module + " on node 3's agent", () -> route(client3, module).size() == 2);
      }
      Set<String> onNode2 = cluster.entitiesOn(2, LeaseEntity.ENTITY_KEY.name());
      assertTrue(!onNode2.isEmpty(), "no lease owner of " + MODULES + " modules landed on node 2");
      log.info("lease owners on node 2: {}", onNode2);

      cluster.crashNode2();
      long lost = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      boolean removed = false;
      // While node 2 is being downed and its owners move, every route keeps both hosts.
      while (!removed || System.nanoTime() < deadline) {
        for (ModuleId module : modules) {
          if (route(client3, module).size() != 2) {
            lost++;
          }
        }
        removed = cluster.members(1) == 2;
        if (!removed) {
          deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        }
      }
      assertEquals(0, lost, "routes that lost a registered host during the failover");
      for (String id : onNode2) {
        cluster.await("owner " + id + " back on node 1 or 3", () -> cluster.entitiesOn(1, LeaseEntity.ENTITY_KEY.name())
            .contains(id) || cluster.entitiesOn(3, LeaseEntity.ENTITY_KEY.name()).contains(id));
      }
      // Heartbeats reach the moved owners: at least two more each, on the same leases.
      long[] before = registrations.stream().mapToLong(Registration::heartbeatsSent).toArray();
      cluster.await("two heartbeats more per lease", () -> {
        for (int i = 0; i < registrations.size(); i++) {
          if (registrations.get(i).heartbeatsSent() < before[i] + 2) {
            return false;
          }
        }
        return true;
      });
      assertEquals(leaseIds, registrations.stream().map(Registration::leaseId).toList(), "no lease was lost");
      assertEquals(0, LeaseStats.get(cluster.node(1).system()).expired() + LeaseStats.get(cluster.node(3).system()).expired(),
          "no lease expired");
      for (ModuleId module : modules) {
        assertEquals(2, route(client3, module).size(), module.toString());
      }
      registrations.forEach(Registration::close);
    }
  }

  private static List<Host> route(LarsClient client, ModuleId module) {
    try {
      return client.getRoute(module.modid(), module.cmdid()).toCompletableFuture().get(5, TimeUnit.SECONDS).hosts();
    } catch (Exception e) {
      return List.of();
    }
  }
}
