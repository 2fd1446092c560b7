package io.lars.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.util.ByteString;
import com.google.protobuf.Message;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.ReportRequest;
import io.lars.protocol.pb.ReportStatusReq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MessageId}: the wire ids 1..14 of lars.proto (9..14: the lease extension) and their bodies. */
@Execution(ExecutionMode.CONCURRENT)
class MessageIdTest {

  @Test
  void wireIdsMatchLarsProto() {
    for (MessageId id : MessageId.values()) {
      assertEquals(io.lars.protocol.pb.MessageId.forNumber(id.id()).name(),
          "ID_" + protoName(id), "proto enum name of " + id);
      assertEquals(id, MessageId.of(id.id()));
    }
    assertEquals(14, MessageId.values().length);
  }

  @Test
  void eachIdCarriesItsOwnMessage() {
    assertEquals(GetRouteRequest.getDefaultInstance(), emptyBodyOf(MessageId.GET_ROUTE_REQUEST));
    assertEquals(GetRouteResponse.getDefaultInstance(), emptyBodyOf(MessageId.GET_ROUTE_RESPONSE));
    assertEquals(ReportStatusReq.getDefaultInstance(), emptyBodyOf(MessageId.REPORT_STATUS_REQUEST));
    assertEquals(GetHostRequest.getDefaultInstance(), emptyBodyOf(MessageId.GET_HOST_REQUEST));
    assertEquals(GetHostResponse.getDefaultInstance(), emptyBodyOf(MessageId.GET_HOST_RESPONSE));
    assertEquals(ReportRequest.getDefaultInstance(), emptyBodyOf(MessageId.REPORT_REQUEST));
    assertEquals(GetRouteRequest.getDefaultInstance(), emptyBodyOf(MessageId.API_GET_ROUTE_REQUEST));
    assertEquals(GetRouteResponse.getDefaultInstance(), emptyBodyOf(MessageId.API_GET_ROUTE_RESPONSE));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 15, -1, 99, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void undefinedIdsAreNull(int id) {
    assertNull(MessageId.of(id));
  }

  private static Message emptyBodyOf(MessageId id) {
    return new Frame(id.id(), ByteString.emptyByteString()).decode();
  }

  /** GET_ROUTE_REQUEST -> GetRouteRequest, API_GET_ROUTE_REQUEST -> API_GetRouteRequest. */
  private static String protoName(MessageId id) {
    StringBuilder name = new StringBuilder();
    for (String word : id.name().split("_")) {
      name.append(word.equals("API") ? "API_" : word.charAt(0) + word.substring(1).toLowerCase());
    }
    return name.toString();
  }
}
