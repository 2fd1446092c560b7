package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.FrameCodec;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HostInfo;
import org.junit.jupiter.api.Test;

/** The documented maximum module size is what the protobuf encoding really allows. */
class RouteLimitsTest {

  /** The largest possible route body: every id and ip negative (10-byte varints), ports 3 bytes. */
  private static int worstCaseBody(int hosts) {
    GetRouteResponse.Builder b = GetRouteResponse.newBuilder().setModid(-1).setCmdid(Integer.MIN_VALUE);
    for (int i = 0; i < hosts; i++) {
      b.addHost(HostInfo.newBuilder().setIp(Integer.MIN_VALUE + i).setPort(65535));
    }
    return b.build().getSerializedSize();
  }

  @Test
  void theMaximumRouteFitsATcpFrameAndAUdpDatagramAndOneHostMoreDoesNot() {
    int max = RouteLimits.MAX_HOSTS_PER_MODULE;
    assertEquals(3851, max);
    assertEquals(RouteLimits.MODULE_FIELDS_BYTES + max * RouteLimits.HOST_BYTES, worstCaseBody(max));
    assertTrue(worstCaseBody(max) <= RouteLimits.MAX_ROUTE_BODY_BYTES, "fits a datagram");
    assertTrue(worstCaseBody(max) <= FrameCodec.MAX_BODY_LENGTH, "fits a TCP frame");
    assertTrue(worstCaseBody(max + 1) > RouteLimits.MAX_ROUTE_BODY_BYTES, "one more host does not fit a datagram");
  }
}
