package io.lars.protocol;

import io.lars.transport.FrameStreams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.HostInfo;
import io.lars.protocol.pb.ReportStatusReq;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of {@link FrameCodec}: any TCP split decodes, no input escapes as anything but a
 * {@link FrameException}, and a bad length fails the stream before its body is awaited.
 */
class FrameCodecProperties {

  private static final int TRIES = 200;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private static ActorSystem<Void> system;

  @BeforeContainer
  static void startSystem() {
    system = ActorSystem.create(Behaviors.empty(), "FrameCodecProperties", TestSupport.LOCAL_CONFIG);
  }

  @AfterContainer
  static void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Property(tries = TRIES)
  void framesSplitAnywhereDecodeToTheSameFrames(
      @ForAll("frames") List<Frame> frames,
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> cuts) throws Exception {
    ByteStringBuilder stream = ByteString.createBuilder();
    frames.forEach(frame -> stream.append(FrameCodec.encode(frame)));

    List<ByteString> chunks = split(stream.result(), cuts);
    List<Frame> decoded = Source.from(chunks).via(FrameStreams.tcpDecoder())
        .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertEquals(frames, decoded);
  }

  @Property(tries = TRIES)
  void randomDatagramsFailOnlyWithFrameException(@ForAll @Size(max = 64) byte[] bytes) {
    decodeFully(ByteString.fromArray(bytes));
  }

  @Property(tries = TRIES)
  void datagramsWithAnyHeaderFailOnlyWithFrameException(
      @ForAll("msgIds") int msgId, @ForAll("declaredLengths") int declaredLength, @ForAll("bodies") byte[] body) {
    ByteString datagram = header(msgId, declaredLength == -1 ? body.length : declaredLength)
        .concat(ByteString.fromArray(body));

    decodeFully(datagram);

    if (declaredLength == -1) {
      assertEquals(new Frame(msgId, ByteString.fromArray(body)), FrameCodec.decodeDatagram(datagram));
    }
  }

  @Property(tries = TRIES)
  void decodingAnyBodyFailsOnlyWithFrameException(@ForAll("msgIds") int msgId, @ForAll("bodies") byte[] body) {
    Frame frame = new Frame(msgId, ByteString.fromArray(body));
    try {
      frame.decode();
    } catch (FrameException expected) {
      assertTrue(expected.reason() == FrameException.Reason.UNKNOWN_MSGID
          || expected.reason() == FrameException.Reason.BAD_BODY, "reason " + expected.reason());
    }
  }

  @Property(tries = TRIES)
  void badLengthFailsTheStreamOnTheHeaderAlone(
      @ForAll int msgId, @ForAll("badLengths") int length, @ForAll @IntRange(min = 0, max = 8) int headerCut)
      throws Exception {
    ByteString header = header(msgId, length);
    // The source never completes: a decoder that waited for the body would never fail.
    Source<ByteString, ?> bytes = Source.from(split(header, List.of(headerCut))).concat(Source.maybe());

    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> bytes.via(FrameStreams.tcpDecoder()).runWith(Sink.seq(), system)
            .toCompletableFuture().get(10, TimeUnit.SECONDS));

    assertTrue(failure.getCause() instanceof FrameException, "stream failed with " + failure.getCause());
    FrameException cause = (FrameException) failure.getCause();
    assertEquals(length < 0 ? FrameException.Reason.NEGATIVE_LENGTH : FrameException.Reason.OVERSIZE_LENGTH,
        cause.reason());
    assertEquals(length, cause.value());
  }

  @Provide
  Arbitrary<List<Frame>> frames() {
    Arbitrary<Integer> size = Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.integers().between(0, 2000)),
        Tuple.of(1, Arbitraries.integers().between(2001, FrameCodec.MAX_BODY_LENGTH)),
        Tuple.of(1, Arbitraries.just(FrameCodec.MAX_BODY_LENGTH)));
    // Bodies come from a seed: jqwik would otherwise build a shrinkable value per byte.
    return Combinators.combine(Arbitraries.integers(), size, Arbitraries.longs())
        .as((msgId, bodySize, seed) -> new Frame(msgId, randomBytes(bodySize, seed)))
        .list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<Integer> msgIds() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.integers().between(1, 8)),
        Tuple.of(1, Arbitraries.integers()));
  }

  /** -1 stands for "the true body length". */
  @Provide
  Arbitrary<Integer> declaredLengths() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.just(-1)),
        Tuple.of(1, Arbitraries.integers().between(0, 300)),
        Tuple.of(1, Arbitraries.integers()));
  }

  @Provide
  Arbitrary<Integer> badLengths() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(Integer.MIN_VALUE, -1),
        Arbitraries.integers().between(FrameCodec.MAX_BODY_LENGTH + 1, Integer.MAX_VALUE));
  }

  /** Random bytes, and valid messages with a byte flipped or cut short: both reach the parser. */
  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> damaged = Combinators.combine(
            Arbitraries.integers().between(0, 20), Arbitraries.longs(), Arbitraries.integers().between(0, 400),
            Arbitraries.bytes(), Arbitraries.integers().between(0, 400))
        .as((hosts, seed, flipAt, flipTo, cutAt) -> damage(validBody(hosts, seed), flipAt, flipTo, cutAt));
    return Arbitraries.oneOf(random, damaged);
  }

  private static void decodeFully(ByteString datagram) {
    try {
      Frame frame = FrameCodec.decodeDatagram(datagram);
      frame.decode();
    } catch (FrameException expected) {
      assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty(), "message");
    }
  }

  private static ByteString header(int msgId, int length) {
    return ByteString.createBuilder().putInt(msgId, LE).putInt(length, LE).result();
  }

  /** Cuts the bytes at each position (taken modulo size + 1); empty chunks are left out. */
  private static List<ByteString> split(ByteString bytes, List<Integer> cuts) {
    TreeSet<Integer> positions = new TreeSet<>();
    cuts.forEach(cut -> positions.add(cut % (bytes.size() + 1)));
    positions.add(bytes.size());
    List<ByteString> chunks = new ArrayList<>();
    int from = 0;
    for (int to : positions) {
      if (to > from) {
        chunks.add(bytes.slice(from, to));
        from = to;
      }
    }
    return chunks;
  }

  private static ByteString randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  private static byte[] validBody(int hosts, long seed) {
    Random random = new Random(seed);
    if (random.nextBoolean()) {
      GetRouteResponse.Builder route = GetRouteResponse.newBuilder().setModid(random.nextInt()).setCmdid(random.nextInt());
      for (int i = 0; i < hosts; i++) {
        route.addHost(HostInfo.newBuilder().setIp(random.nextInt()).setPort(random.nextInt(65536)));
      }
      return route.build().toByteArray();
    }
    ReportStatusReq.Builder report = ReportStatusReq.newBuilder()
        .setModid(random.nextInt()).setCmdid(random.nextInt()).setCaller(random.nextInt()).setTs(random.nextInt());
    for (int i = 0; i < hosts; i++) {
      report.addResults(HostCallResult.newBuilder().setIp(random.nextInt()).setPort(random.nextInt(65536))
          .setSucc(random.nextInt()).setErr(random.nextInt()).setOverload(random.nextBoolean()));
    }
    return report.build().toByteArray();
  }

  private static byte[] damage(byte[] body, int flipAt, byte flipTo, int cutAt) {
    byte[] damaged = Arrays.copyOf(body, Math.min(body.length, cutAt));
    if (damaged.length > 0) {
      damaged[flipAt % damaged.length] = flipTo;
    }
    return damaged;
  }
}
