package io.lars.dns;

import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteResponse;
import java.util.List;
import java.util.Objects;

/**
 * The route of one module as the dns serves it: an answer to a {@code GetRouteRequest} or a push.
 *
 * @param module the module
 * @param hosts its hosts, sorted and without duplicates; empty when the module has no route
 * @param deliberate whether hosts that left the route left it on purpose (an admin write with
 *     {@code RouteChange} rows, a lease ended or draining); sent as {@code GetRouteResponse.deliberate}
 */
public record Route(ModuleId module, List<Host> hosts, boolean deliberate) {

  /**
   * @param module the module
   * @param hosts its hosts, sorted and without duplicates (copied)
   * @param deliberate whether a removal in this route was deliberate
   */
  public Route {
    Objects.requireNonNull(module, "module");
    hosts = List.copyOf(hosts);
  }

  /**
   * A route with no claim about removals (an answer to a request).
   *
   * @param module the module
   * @param hosts its hosts, sorted and without duplicates (copied)
   */
  public Route(ModuleId module, List<Host> hosts) {
    this(module, hosts, false);
  }

  /**
   * The wire form: a {@code GetRouteResponse} (msgid 2) with modid, cmdid and one {@code HostInfo}
   * per host (reference: dns {@code get_route}, also used for pushes), and the extension field
   * {@code deliberate} when set (left off the wire otherwise, so answers stay byte-identical).
   *
   * @return the frame
   */
  public Frame toFrame() {
    GetRouteResponse.Builder b = GetRouteResponse.newBuilder().setModid(module.modid()).setCmdid(module.cmdid());
    for (Host host : hosts) {
      b.addHost(host.toHostInfo());
    }
    if (deliberate) {
      b.setDeliberate(true);
    }
    return Frame.of(MessageId.GET_ROUTE_RESPONSE, b.build());
  }
}
