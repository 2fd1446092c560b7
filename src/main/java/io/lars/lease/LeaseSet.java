package io.lars.lease;

import io.lars.CborSerializable;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The leases of one module as its owner entity publishes them to every dns and admin node
 * (pub-sub topic {@value LeaseNode#TOPIC}), on every change and every {@code publish-interval}.
 *
 * @param module the module
 * @param version increases with every publication of the module, across entity incarnations
 *     (unix millis, or the last one plus 1); a node keeps the highest it saw
 * @param leases every lease, draining ones included, sorted by id
 * @param due leases whose TTL passed without a heartbeat and that are not yet removed (expiry
 *     suspended, or about to be removed)
 * @param expiredRecently leases this module expired within the last TTL
 */
public record LeaseSet(ModuleId module, long version, List<Lease> leases, int due, int expiredRecently)
    implements CborSerializable {

  /** Copies the list. */
  public LeaseSet {
    Objects.requireNonNull(module, "module");
    leases = List.copyOf(leases);
  }

  /** @return the hosts in the route: the leases that are not draining, sorted */
  public List<Host> activeHosts() {
    TreeSet<Host> hosts = new TreeSet<>();
    for (Lease lease : leases) {
      if (!lease.draining()) {
        hosts.add(lease.host());
      }
    }
    return List.copyOf(hosts);
  }
}
