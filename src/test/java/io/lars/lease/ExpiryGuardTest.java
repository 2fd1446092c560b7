package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ExpiryGuard}: the cluster-wide expiry protection of issue 16. */
class ExpiryGuardTest {

  private static LeaseSet set(int modid, int leases, int due, int expiredRecently) {
    List<Lease> list = new ArrayList<>();
    for (int i = 0; i < leases; i++) {
      list.add(new Lease(modid + "-1." + i, new Host(0x0A000001 + i, 80), 5, 100, Map.of(), 0, 0));
    }
    return new LeaseSet(new ModuleId(modid, 1), 1, list, due, expiredRecently);
  }

  @Test
  void aFewDeadServicesExpireButAMassOfMissedHeartbeatsIsSuspended() {
    ExpiryGuard guard = new ExpiryGuard(0.3, 10);
    guard.update(set(1, 50, 2, 0));
    guard.update(set(2, 50, 0, 0));
    assertFalse(guard.suspended(), "2 of 100 due");
    guard.update(set(1, 50, 31, 0));
    assertTrue(guard.suspended(), "31 of 100 due: a partition, not a mass death");
    guard.update(set(1, 50, 1, 0));
    assertFalse(guard.suspended(), "heartbeats returned");
  }

  @Test
  void recentExpiriesCountWithinOneTtl() {
    ExpiryGuard guard = new ExpiryGuard(0.3, 10);
    guard.update(set(1, 80, 11, 20));
    assertTrue(guard.suspended(), "20 expired and 11 due of 100");
    guard.update(set(1, 80, 5, 20));
    assertFalse(guard.suspended(), "25 of 100");
    assertEquals(80, guard.leases());
    assertEquals(20, guard.expiredRecently());
  }

  @Test
  void fewLeasesAreNeverProtectedAndEmptyModulesLeaveTheCount() {
    ExpiryGuard guard = new ExpiryGuard(0.3, 10);
    guard.update(set(1, 3, 3, 0));
    assertFalse(guard.suspended(), "below min-leases-for-protection");
    guard.update(set(1, 0, 0, 0));
    assertEquals(0, guard.leases());
    assertEquals(0, guard.due());
  }
}
