package io.lars.protocol;

import io.lars.transport.FrameStreams;
import static io.lars.protocol.TestSupport.hex;
import static io.lars.protocol.TestSupport.hexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.google.protobuf.Message;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.HostInfo;
import io.lars.protocol.pb.ReportRequest;
import io.lars.protocol.pb.ReportStatusReq;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden frames: every hex capture of {@code /work/shared/reference/wire-captures.md} (bytes from
 * the reference C++ binaries) decodes to the message the capture file describes, and encoding that
 * message gives the same bytes back.
 */
class WireCapturesTest {

  /** 192.168.1.177 as the wire's int32 (3232235953 unsigned). */
  private static final int IP_192_168_1_177 = -1062731343;
  private static final int IP_10_0_0_1 = 167772161;
  private static final int IP_10_0_0_2 = 167772162;
  private static final int IP_10_0_0_3 = 167772163;
  private static final int IP_10_0_0_4 = 167772164;
  private static final int IP_10_0_0_5 = 167772165;
  /** The agent's address 127.0.0.1 as ReportStatusReq.caller. */
  private static final int CALLER_127_0_0_1 = 2130706433;

  private static final ActorTestKit TEST_KIT = ActorTestKit.create("WireCapturesTest", TestSupport.LOCAL_CONFIG);

  /** Where a capture was taken: UDP captures are whole datagrams, TCP ones whole stream frames. */
  enum Transport { UDP, TCP }

  /**
   * One capture.
   *
   * @param name where it is in the capture file
   * @param transport how it travelled
   * @param hex the captured bytes, copied from the capture file
   * @param id the header's message id
   * @param message the message the capture file says it carries
   */
  record Capture(String name, Transport transport, String hex, MessageId id, Message message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Capture> captures() {
    return List.of(
        // Section 1: the header check against the agent.
        new Capture("1 LE header GetHostRequest seq 7", Transport.UDP,
            "04 00 00 00 06 00 00 00 08 07 10 0b 18 01",
            MessageId.GET_HOST_REQUEST, getHostRequest(7, 11, 1)),
        new Capture("1 reply GetHostResponse seq 7 host 10.0.0.3:9003", Transport.UDP,
            "05 00 00 00 10 00 00 00 08 07 10 0b 18 01 2a 08 08 83 80 80 50 10 ab 46",
            MessageId.GET_HOST_RESPONSE,
            GetHostResponse.newBuilder().setSeq(7).setModid(11).setCmdid(1).setHost(host(IP_10_0_0_3, 9003)).build()),
        // Section 2: API <-> agent over UDP.
        new Capture("2 GetHostRequest seq 0", Transport.UDP,
            "04 00 00 00 04 00 00 00 10 01 18 01",
            MessageId.GET_HOST_REQUEST, getHostRequest(0, 1, 1)),
        new Capture("2 GetHostResponse success seq 0", Transport.UDP,
            "05 00 00 00 14 00 00 00 10 01 18 01 2a 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c",
            MessageId.GET_HOST_RESPONSE,
            GetHostResponse.newBuilder().setModid(1).setCmdid(1).setHost(host(IP_192_168_1_177, 7777)).build()),
        new Capture("2 GetHostRequest seq 1", Transport.UDP,
            "04 00 00 00 06 00 00 00 08 01 10 01 18 01",
            MessageId.GET_HOST_REQUEST, getHostRequest(1, 1, 1)),
        new Capture("2 GetHostResponse seq 1", Transport.UDP,
            "05 00 00 00 16 00 00 00 08 01 10 01 18 01 2a 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c",
            MessageId.GET_HOST_RESPONSE,
            GetHostResponse.newBuilder().setSeq(1).setModid(1).setCmdid(1).setHost(host(IP_192_168_1_177, 7777)).build()),
        new Capture("2 GetHostResponse RET_OVERLOAD seq 5", Transport.UDP,
            "05 00 00 00 08 00 00 00 08 05 10 0b 18 01 20 01",
            MessageId.GET_HOST_RESPONSE,
            GetHostResponse.newBuilder().setSeq(5).setModid(11).setCmdid(1).setRetcode(RetCode.OVERLOAD.code()).build()),
        new Capture("2 GetHostResponse RET_NOEXIST 99/99", Transport.UDP,
            "05 00 00 00 06 00 00 00 10 63 18 63 20 03",
            MessageId.GET_HOST_RESPONSE,
            GetHostResponse.newBuilder().setModid(99).setCmdid(99).setRetcode(RetCode.NOEXIST.code()).build()),
        new Capture("2 ReportRequest retcode 0", Transport.UDP,
            "06 00 00 00 14 00 00 00 08 01 10 01 1a 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c",
            MessageId.REPORT_REQUEST,
            ReportRequest.newBuilder().setModid(1).setCmdid(1).setHost(host(IP_192_168_1_177, 7777)).build()),
        new Capture("2 ReportRequest retcode 1 host 10.0.0.1:9001", Transport.UDP,
            "06 00 00 00 10 00 00 00 08 0b 10 01 1a 08 08 81 80 80 50 10 a9 46 20 01",
            MessageId.REPORT_REQUEST,
            ReportRequest.newBuilder().setModid(11).setCmdid(1).setHost(host(IP_10_0_0_1, 9001))
                .setRetcode(RetCode.OVERLOAD.code()).build()),
        new Capture("2 API_GetRouteRequest", Transport.UDP,
            "07 00 00 00 04 00 00 00 08 01 10 01",
            MessageId.API_GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(1).setCmdid(1).build()),
        new Capture("2 API_GetRouteResponse empty", Transport.UDP,
            "08 00 00 00 04 00 00 00 08 01 10 01",
            MessageId.API_GET_ROUTE_RESPONSE, route(1, 1)),
        new Capture("2 API_GetRouteResponse 1 host", Transport.UDP,
            "08 00 00 00 14 00 00 00 08 01 10 01 1a 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c",
            MessageId.API_GET_ROUTE_RESPONSE, route(1, 1, host(IP_192_168_1_177, 7777))),
        // Section 3: agent <-> dns over TCP.
        new Capture("3 GetRouteRequest", Transport.TCP,
            "01 00 00 00 04 00 00 00 08 01 10 01",
            MessageId.GET_ROUTE_REQUEST, GetRouteRequest.newBuilder().setModid(1).setCmdid(1).build()),
        new Capture("3 GetRouteResponse 1 host", Transport.TCP,
            "02 00 00 00 14 00 00 00 08 01 10 01 1a 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c",
            MessageId.GET_ROUTE_RESPONSE, route(1, 1, host(IP_192_168_1_177, 7777))),
        new Capture("3 GetRouteResponse 5 hosts in hash-set order", Transport.TCP,
            "02 00 00 00 36 00 00 00 08 0b 10 01 1a 08 08 83 80 80 50 10 ab 46 1a 08 08 85 80 80 50 10 ad 46"
                + " 1a 08 08 82 80 80 50 10 aa 46 1a 08 08 84 80 80 50 10 ac 46 1a 08 08 81 80 80 50 10 a9 46",
            MessageId.GET_ROUTE_RESPONSE,
            route(11, 1, host(IP_10_0_0_3, 9003), host(IP_10_0_0_5, 9005), host(IP_10_0_0_2, 9002),
                host(IP_10_0_0_4, 9004), host(IP_10_0_0_1, 9001))),
        new Capture("3 GetRouteResponse no such module", Transport.TCP,
            "02 00 00 00 04 00 00 00 08 63 10 63",
            MessageId.GET_ROUTE_RESPONSE, route(99, 99)),
        new Capture("3 GetRouteResponse push after RouteChange", Transport.TCP,
            "02 00 00 00 2c 00 00 00 08 0b 10 01 1a 08 08 83 80 80 50 10 ab 46 1a 08 08 82 80 80 50 10 aa 46"
                + " 1a 08 08 84 80 80 50 10 ac 46 1a 08 08 81 80 80 50 10 a9 46",
            MessageId.GET_ROUTE_RESPONSE,
            route(11, 1, host(IP_10_0_0_3, 9003), host(IP_10_0_0_2, 9002), host(IP_10_0_0_4, 9004),
                host(IP_10_0_0_1, 9001))),
        // Section 4: agent -> reporter over TCP.
        new Capture("4 ReportStatusRequest 1 host succ", Transport.TCP,
            "03 00 00 00 20 00 00 00 08 01 10 01 18 81 80 80 f8 07 22 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c"
                + " 28 ae b3 88 d8 06",
            MessageId.REPORT_STATUS_REQUEST,
            ReportStatusReq.newBuilder().setModid(1).setCmdid(1).setCaller(CALLER_127_0_0_1)
                .addResults(HostCallResult.newBuilder().setIp(IP_192_168_1_177).setPort(7777))
                .setTs(1795299758).build()),
        new Capture("4 ReportStatusRequest 5 hosts overload", Transport.TCP,
            "03 00 00 00 50 00 00 00 08 0b 10 01 18 81 80 80 f8 07 22 0a 08 82 80 80 50 10 aa 46 28 01"
                + " 22 0a 08 84 80 80 50 10 ac 46 28 01 22 0a 08 81 80 80 50 10 a9 46 28 01"
                + " 22 0c 08 83 80 80 50 10 ab 46 18 01 28 01 22 0c 08 85 80 80 50 10 ad 46 20 01 28 01"
                + " 28 ed b8 88 d8 06",
            MessageId.REPORT_STATUS_REQUEST,
            ReportStatusReq.newBuilder().setModid(11).setCmdid(1).setCaller(CALLER_127_0_0_1)
                .addResults(result(IP_10_0_0_2, 9002, 0, 0))
                .addResults(result(IP_10_0_0_4, 9004, 0, 0))
                .addResults(result(IP_10_0_0_1, 9001, 0, 0))
                .addResults(result(IP_10_0_0_3, 9003, 1, 0))
                .addResults(result(IP_10_0_0_5, 9005, 0, 1))
                .setTs(1795300461).build()));
  }

  static Stream<Capture> udpCaptures() {
    return captures().stream().filter(c -> c.transport() == Transport.UDP);
  }

  static Stream<Capture> tcpCaptures() {
    return captures().stream().filter(c -> c.transport() == Transport.TCP);
  }

  @AfterAll
  static void shutdown() {
    TEST_KIT.shutdownTestKit();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("udpCaptures")
  void udpCaptureDecodesFromOneDatagram(Capture capture) {
    Frame frame = FrameCodec.decodeDatagram(hex(capture.hex()));

    assertDecodesTo(capture, frame);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tcpCaptures")
  void tcpCaptureDecodesFromTheStream(Capture capture) throws Exception {
    List<Frame> frames = decodeTcp(Source.single(hex(capture.hex())));

    assertEquals(1, frames.size(), "frames decoded");
    assertDecodesTo(capture, frames.get(0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void encodingTheMessageGivesTheCapturedBytes(Capture capture) {
    ByteString encoded = FrameCodec.encode(Frame.of(capture.id(), capture.message()));

    assertEquals(capture.hex(), hexOf(encoded));
  }

  @Test
  void allCapturesBackToBackOneByteAtATimeDecodeInOrder() throws Exception {
    List<ByteString> bytes = new ArrayList<>();
    for (Capture capture : captures()) {
      ByteString frame = hex(capture.hex());
      for (int i = 0; i < frame.size(); i++) {
        bytes.add(frame.slice(i, i + 1));
      }
    }

    List<Frame> frames = decodeTcp(Source.from(bytes));

    assertEquals(captures().size(), frames.size(), "frames decoded");
    for (int i = 0; i < frames.size(); i++) {
      assertDecodesTo(captures().get(i), frames.get(i));
    }
  }

  @Test
  void negativeIpTakesATenByteVarint() {
    ByteString body = Frame.of(MessageId.GET_ROUTE_RESPONSE, route(0, 0, host(IP_192_168_1_177, 0))).body();

    // 1a 0b: host entry of 11 bytes = tag 08 + the 10-byte varint of -1062731343.
    assertEquals("1a 0b 08 b1 83 a0 85 fc ff ff ff ff 01", hexOf(body));
  }

  @Test
  void defaultsAreLeftOffTheWire() {
    GetHostResponse allDefaults = GetHostResponse.newBuilder().setSeq(0).setRetcode(0).setModid(0).setCmdid(0).build();
    HostCallResult zeroResult =
        HostCallResult.newBuilder().setIp(0).setPort(0).setSucc(0).setErr(0).setOverload(false).build();

    assertEquals("05 00 00 00 00 00 00 00", hexOf(FrameCodec.encode(Frame.of(MessageId.GET_HOST_RESPONSE, allDefaults))));
    assertEquals(0, zeroResult.getSerializedSize());
    assertFalse(allDefaults.hasHost());
  }

  @Test
  void captureDecodesTheHostIpToItsDottedQuad() {
    GetHostResponse response = FrameCodec.decodeDatagram(
        hex("05 00 00 00 14 00 00 00 10 01 18 01 2a 0e 08 b1 83 a0 85 fc ff ff ff ff 01 10 e1 3c"))
        .decode(GetHostResponse.class);

    assertEquals(IP_192_168_1_177, response.getHost().getIp());
    assertEquals("192.168.1.177:7777", Host.of(response.getHost()).toString());
    assertEquals(3232235953L, Ipv4.toUnsigned(response.getHost().getIp()));
  }

  // Section 1, the frames the agent refused.

  @Test
  void bigEndianHeaderIsAnOversizeLength() throws Exception {
    ByteString be = hex("00 00 00 04 00 00 00 06 08 07 10 0b 18 01");

    FrameException udp = assertThrows(FrameException.class, () -> FrameCodec.decodeDatagram(be));
    FrameException tcp = tcpFailure(Source.single(be));

    // The agent read it as msgid 67108864, msglen 100663296.
    for (FrameException e : List.of(udp, tcp)) {
      assertEquals(FrameException.Reason.OVERSIZE_LENGTH, e.reason());
      assertEquals(100663296L, e.value());
    }
  }

  @Test
  void msglenTenWithASixByteBodyIsALengthMismatch() {
    ByteString datagram = hex("04 00 00 00 0a 00 00 00 08 07 10 0b 18 01");

    FrameException e = assertThrows(FrameException.class, () -> FrameCodec.decodeDatagram(datagram));

    assertEquals(FrameException.Reason.LENGTH_MISMATCH, e.reason());
    assertEquals(10L, e.value());
  }

  @Test
  void msglenTenWithASixByteBodyWaitsForTheRestOnTcp() throws Exception {
    ByteString first = hex("04 00 00 00 0a 00 00 00 08 07 10 0b 18 01");
    ByteString rest = hex("20 00 28 00");

    List<Frame> frames = decodeTcp(Source.from(List.of(first, rest)));

    assertEquals(List.of(new Frame(4, hex("08 07 10 0b 18 01 20 00 28 00"))), frames);
  }

  @Test
  void msgid99IsUnknown() {
    Frame frame = FrameCodec.decodeDatagram(hex("63 00 00 00 06 00 00 00 08 07 10 0b 18 01"));

    FrameException e = assertThrows(FrameException.class, frame::decode);

    assertNull(frame.messageId());
    assertEquals(FrameException.Reason.UNKNOWN_MSGID, e.reason());
    assertEquals(99L, e.value());
  }

  private static void assertDecodesTo(Capture capture, Frame frame) {
    assertEquals(capture.id().id(), frame.msgId(), "msgid");
    assertEquals(capture.id(), frame.messageId());
    Message decoded = frame.decode();
    assertTrue(capture.message().getClass().isInstance(decoded), "message class " + decoded.getClass());
    assertEquals(capture.message(), decoded);
    assertEquals(hex(capture.hex()).size() - FrameCodec.HEADER_LENGTH, frame.body().size(), "body length");
  }

  static List<Frame> decodeTcp(Source<ByteString, ?> bytes) throws Exception {
    CompletionStage<List<Frame>> frames = bytes.via(FrameStreams.tcpDecoder()).runWith(Sink.seq(), TEST_KIT.system());
    return frames.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static FrameException tcpFailure(Source<ByteString, ?> bytes) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> decodeTcp(bytes));
    assertTrue(e.getCause() instanceof FrameException, "stream failed with " + e.getCause());
    return (FrameException) e.getCause();
  }

  private static GetHostRequest getHostRequest(int seq, int modid, int cmdid) {
    return GetHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid).build();
  }

  private static HostInfo host(int ip, int port) {
    return HostInfo.newBuilder().setIp(ip).setPort(port).build();
  }

  private static GetRouteResponse route(int modid, int cmdid, HostInfo... hosts) {
    return GetRouteResponse.newBuilder().setModid(modid).setCmdid(cmdid).addAllHost(List.of(hosts)).build();
  }

  private static HostCallResult result(int ip, int port, int succ, int err) {
    return HostCallResult.newBuilder().setIp(ip).setPort(port).setSucc(succ).setErr(err).setOverload(true).build();
  }
}
