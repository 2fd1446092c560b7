package io.lars.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageRouterTest {

  private static final Connection CONNECTION = new Connection() {
    @Override
    public long id() {
      return 1;
    }

    @Override
    public InetSocketAddress peer() {
      return InetSocketAddress.createUnresolved("peer", 1);
    }

    @Override
    public boolean send(Frame frame) {
      return false;
    }

    @Override
    public void close() {}
  };

  @Test
  void dispatchesTheParsedBodyToTheHandlerOfItsMsgid() {
    List<Object> seen = new ArrayList<>();
    MessageRouter router = MessageRouter.builder()
        .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class, (c, m) -> seen.add(m))
        .on(MessageId.API_GET_ROUTE_REQUEST, GetRouteRequest.class, (c, m) -> seen.add("api " + m.getModid()))
        .build();
    GetRouteRequest request = GetRouteRequest.newBuilder().setModid(1).setCmdid(2).build();
    router.dispatch(CONNECTION, Frame.of(MessageId.GET_ROUTE_REQUEST, request));
    router.dispatch(CONNECTION, Frame.of(MessageId.API_GET_ROUTE_REQUEST, request));
    assertEquals(List.of(request, "api 1"), seen);
  }

  @Test
  void refusesAMsgidWithoutHandlerAndAnUnparsableBody() {
    MessageRouter router = MessageRouter.builder()
        .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class, (c, m) -> { })
        .build();
    FrameException noHandler = assertThrows(FrameException.class, () -> router.dispatch(CONNECTION,
        Frame.of(MessageId.GET_HOST_REQUEST, GetHostRequest.getDefaultInstance())));
    assertEquals(FrameException.Reason.UNKNOWN_MSGID, noHandler.reason());
    assertEquals(4, noHandler.value());
    FrameException unknown = assertThrows(FrameException.class,
        () -> router.dispatch(CONNECTION, new Frame(99, ByteString.emptyByteString())));
    assertEquals(FrameException.Reason.UNKNOWN_MSGID, unknown.reason());
    FrameException bad = assertThrows(FrameException.class,
        () -> router.dispatch(CONNECTION, new Frame(1, ByteString.fromArray(new byte[] {(byte) 0xff}))));
    assertEquals(FrameException.Reason.BAD_BODY, bad.reason());
  }

  @Test
  void builderRefusesAWrongBodyTypeAndADuplicateMsgid() {
    MessageRouter.Builder builder = MessageRouter.builder();
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
        () -> builder.on(MessageId.GET_ROUTE_REQUEST, GetRouteResponse.class, (c, m) -> { }));
    assertTrue(wrongType.getMessage().contains("GetRouteRequest"), wrongType.getMessage());
    builder.on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class, (c, m) -> { });
    assertThrows(IllegalArgumentException.class,
        () -> builder.on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class, (c, m) -> { }));
  }
}
