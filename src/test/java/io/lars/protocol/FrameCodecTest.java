package io.lars.protocol;

import io.lars.transport.FrameStreams;
import static io.lars.protocol.TestSupport.hex;
import static io.lars.protocol.TestSupport.hexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.eventstream.EventStream;
import akka.event.Logging;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HostInfo;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Edge cases of {@link FrameCodec} and {@link Frame} that the captures do not cover. */
class FrameCodecTest {

  private static final ActorTestKit TEST_KIT = ActorTestKit.create("FrameCodecTest", TestSupport.LOCAL_CONFIG);

  @AfterAll
  static void shutdown() {
    TEST_KIT.shutdownTestKit();
  }

  @Test
  void encodeWritesBothHeaderFieldsLittleEndian() {
    ByteString encoded = FrameCodec.encode(new Frame(0x01020304, hex("aa bb")));

    assertEquals("04 03 02 01 02 00 00 00 aa bb", hexOf(encoded));
  }

  @Test
  void encodeTakesABodyOfExactlyTheLimit() {
    Frame frame = new Frame(2, ByteString.fromArrayUnsafe(new byte[FrameCodec.MAX_BODY_LENGTH]));

    ByteString encoded = FrameCodec.encode(frame);

    assertEquals(65535, encoded.size());
    assertEquals(frame, FrameCodec.decodeDatagram(encoded));
  }

  @Test
  void encodeRefusesABodyAboveTheLimit() {
    Frame frame = new Frame(2, ByteString.fromArrayUnsafe(new byte[FrameCodec.MAX_BODY_LENGTH + 1]));

    FrameException e = assertThrows(FrameException.class, () -> FrameCodec.encode(frame));

    assertEquals(FrameException.Reason.OVERSIZE_LENGTH, e.reason());
    assertEquals(65528L, e.value());
  }

  @Test
  void frameOfRefusesAMessageAboveTheLimit() {
    GetRouteResponse.Builder big = GetRouteResponse.newBuilder().setModid(1).setCmdid(1);
    // Each host entry takes 16 bytes on the wire (negative ip, 2-byte port).
    for (int i = 0; i < 4100; i++) {
      big.addHost(HostInfo.newBuilder().setIp(-1062731343).setPort(7777));
    }
    GetRouteResponse message = big.build();

    FrameException e = assertThrows(FrameException.class, () -> Frame.of(MessageId.GET_ROUTE_RESPONSE, message));

    assertEquals(FrameException.Reason.OVERSIZE_LENGTH, e.reason());
    assertEquals(message.getSerializedSize(), e.value());
  }

  @Test
  void encoderFlowEncodesEachFrame() throws Exception {
    List<Frame> frames = List.of(new Frame(1, hex("08 01")), new Frame(7, ByteString.emptyByteString()));

    List<ByteString> encoded = Source.from(frames).via(FrameStreams.encoder())
        .runWith(Sink.seq(), TEST_KIT.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertEquals(List.of(hex("01 00 00 00 02 00 00 00 08 01"), hex("07 00 00 00 00 00 00 00")), encoded);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7})
  void datagramShorterThanAHeaderIsALengthMismatch(int size) {
    ByteString datagram = ByteString.fromArrayUnsafe(new byte[size]);

    FrameException e = assertThrows(FrameException.class, () -> FrameCodec.decodeDatagram(datagram));

    assertEquals(FrameException.Reason.LENGTH_MISMATCH, e.reason());
    assertEquals(size, e.value());
  }

  @Test
  void datagramWithAnEmptyBodyIsAFrame() {
    assertEquals(new Frame(3, ByteString.emptyByteString()), FrameCodec.decodeDatagram(hex("03 00 00 00 00 00 00 00")));
  }

  @Test
  void datagramLongerThanItsMsglenIsALengthMismatch() {
    FrameException e = assertThrows(FrameException.class,
        () -> FrameCodec.decodeDatagram(hex("04 00 00 00 02 00 00 00 08 07 10 0b")));

    assertEquals(FrameException.Reason.LENGTH_MISMATCH, e.reason());
    assertEquals(2L, e.value());
  }

  @Test
  void datagramWithANegativeMsglenIsRefused() {
    FrameException e = assertThrows(FrameException.class,
        () -> FrameCodec.decodeDatagram(hex("04 00 00 00 fe ff ff ff 08 07 10 0b")));

    assertEquals(FrameException.Reason.NEGATIVE_LENGTH, e.reason());
    assertEquals(-2L, e.value());
  }

  @Test
  void datagramWithMsglenOneAboveTheLimitIsOversize() {
    // 65528 = 0xfff8; the datagram is cut short, the length must be refused first.
    FrameException e = assertThrows(FrameException.class,
        () -> FrameCodec.decodeDatagram(hex("04 00 00 00 f8 ff 00 00 08 07")));

    assertEquals(FrameException.Reason.OVERSIZE_LENGTH, e.reason());
    assertEquals(65528L, e.value());
  }

  @Test
  void tcpStreamWithANegativeMsglenFailsWithTheValue() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> Source.single(hex("01 00 00 00 00 00 00 80")).via(FrameStreams.tcpDecoder())
            .runWith(Sink.seq(), TEST_KIT.system()).toCompletableFuture().get(10, TimeUnit.SECONDS));

    assertTrue(e.getCause() instanceof FrameException, "failed with " + e.getCause());
    FrameException cause = (FrameException) e.getCause();
    assertEquals(FrameException.Reason.NEGATIVE_LENGTH, cause.reason());
    assertEquals(Integer.MIN_VALUE, cause.value());
  }

  @Test
  void tcpStreamFailureIsNotLoggedByTheStage() throws Exception {
    TestProbe<Object> events = TEST_KIT.createTestProbe();
    TEST_KIT.system().eventStream().tell(new EventStream.Subscribe<>(Logging.Error.class, events.ref().<Logging.Error>narrow()));
    TEST_KIT.system().eventStream().tell(new EventStream.Subscribe<>(Marker.class, events.ref().<Marker>narrow()));
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> Source.single(hex("01 00 00 00 f8 ff 00 00")).via(FrameStreams.tcpDecoder())
            .runWith(Sink.seq(), TEST_KIT.system()).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(failure.getCause() instanceof FrameException, "failed with " + failure.getCause());

    // A stage logs before it fails, so a log event would reach the probe before this marker.
    TEST_KIT.system().eventStream().tell(new EventStream.Publish<>(new Marker()));

    events.expectMessageClass(Marker.class);
  }

  /** Published after the stream failed, to show that nothing was logged before it. */
  private record Marker() {}

  @Test
  void decodeRefusesAnUnparsableBody() {
    Frame frame = new Frame(4, hex("08"));

    FrameException e = assertThrows(FrameException.class, frame::decode);

    assertEquals(FrameException.Reason.BAD_BODY, e.reason());
    assertEquals(4L, e.value());
  }

  @Test
  void decodeAsTheWrongTypeIsRefused() {
    Frame frame = new Frame(1, hex("08 01 10 01"));

    FrameException e = assertThrows(FrameException.class, () -> frame.decode(GetHostRequest.class));

    assertEquals(FrameException.Reason.UNKNOWN_MSGID, e.reason());
    assertEquals(1L, e.value());
  }

  @Test
  void apiRouteIdsReuseTheRouteMessages() {
    Frame request = new Frame(7, hex("08 01 10 01"));
    Frame response = new Frame(8, hex("08 01 10 01"));

    assertEquals(1, request.decode(GetRouteRequest.class).getModid());
    assertEquals(1, response.decode(GetRouteResponse.class).getCmdid());
  }
}
