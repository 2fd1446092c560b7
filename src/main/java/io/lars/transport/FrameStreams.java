package io.lars.transport;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Framing;
import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import java.nio.ByteOrder;

/**
 * The Akka Streams stages of the Lars TCP wire (reference: lars_reactor {@code msg_head}):
 * {@link FrameCodec} in stream form. They live here, not in {@code protocol}, so the protocol
 * package (and the thin client jar) needs no Akka Streams.
 */
public final class FrameStreams {

  private FrameStreams() {}

  /**
   * A stream stage that cuts a TCP byte stream into frames, for any split or coalescing of the
   * bytes. The stage fails with a {@link io.lars.protocol.FrameException} on a negative or
   * oversize msglen, as soon as the header is seen and before the body is buffered; the stage
   * does not log it itself (no Akka "Error in stage" line): the endpoint logs bad input once, with
   * the peer address (WIRE.md "Bad input"). A stream that ends inside a frame fails with Akka's
   * {@code FramingException}.
   *
   * @return bytes in, frames out
   */
  public static Flow<ByteString, Frame, NotUsed> tcpDecoder() {
    // The FrameException thrown by frameSize fails the stage unchanged; Akka would also log it as
    // an ERROR with a stack trace per bad peer, so failures are not logged here.
    return Framing.lengthField(4, 4, FrameCodec.HEADER_LENGTH + FrameCodec.MAX_BODY_LENGTH, ByteOrder.LITTLE_ENDIAN,
            FrameStreams::frameSize)
        .map(FrameCodec::decodeDatagram)
        .addAttributes(Attributes.createLogLevels(
            Attributes.logLevelDebug(), Attributes.logLevelDebug(), Attributes.logLevelOff()));
  }

  /** @return frames in, bytes out, using {@link FrameCodec#encode} */
  public static Flow<Frame, ByteString, NotUsed> encoder() {
    return Flow.<Frame>create().map(FrameCodec::encode);
  }

  private static int frameSize(byte[] lengthField, Integer fieldValue) {
    return FrameCodec.HEADER_LENGTH + FrameCodec.checkedBodyLength(fieldValue);
  }
}
