package io.lars.transport;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.javadsl.Flow;
import akka.util.ByteString;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;

/** The stream stages the TCP endpoints share. */
final class FrameStreams {

  private FrameStreams() {}

  /**
   * {@link FrameCodec#tcpDecoder()} without Akka's own "Error in stage" log line: the endpoint
   * logs bad input once itself, with the peer address (SPEC 3).
   */
  static Flow<ByteString, Frame, NotUsed> decoder() {
    return FrameCodec.tcpDecoder().addAttributes(Attributes.createLogLevels(
        Attributes.logLevelDebug(), Attributes.logLevelDebug(), Attributes.logLevelOff()));
  }
}
