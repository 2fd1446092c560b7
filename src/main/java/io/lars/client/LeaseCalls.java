package io.lars.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.MessageId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.function.ToIntFunction;

/**
 * Blocking lease calls (ids 9/10, 11/12, 13/14) on a socket of their own, for the single thread of
 * a {@link Registration}: send, wait up to the timeout for the answer with the same {@code seq}
 * (others are skipped), send once more, then fail with {@link LarsTimeoutException}. Lease calls
 * are rare (a heartbeat every third of a TTL), so they stay off the fast get_host socket.
 */
final class LeaseCalls implements AutoCloseable {

  private final DatagramSocket socket;
  private final InetSocketAddress agent;
  private final Duration timeout;
  private final byte[] in = new byte[65_536];
  private int seq;

  LeaseCalls(InetSocketAddress agent, Duration timeout) {
    this.agent = agent;
    this.timeout = timeout;
    try {
      this.socket = new DatagramSocket();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a UDP socket for lease calls", e);
    }
  }

  /**
   * One request and its answer.
   *
   * @param requestId the request's id
   * @param request the request, carrying {@code seq}
   * @param answerId the answer's id
   * @param parser the answer's parser
   * @param seqOf reads the answer's seq
   * @param seq the request's seq ({@link #nextSeq()})
   * @return the answer
   * @throws LarsTimeoutException when no answer came after one retry
   */
  synchronized <T extends MessageLite> T call(MessageId requestId, MessageLite request, MessageId answerId,
      Parser<T> parser, ToIntFunction<T> seqOf, int seq) {
    byte[] frame = frame(requestId, request);
    for (int attempt = 0; attempt < 2; attempt++) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        socket.send(new DatagramPacket(frame, frame.length, agent));
        while (true) {
          long left = (deadline - System.nanoTime()) / 1_000_000;
          if (left <= 0) {
            break;
          }
          socket.setSoTimeout((int) Math.max(1, left));
          DatagramPacket p = new DatagramPacket(in, in.length);
          socket.receive(p);
          T answer = parse(p, answerId, parser);
          if (answer != null && seqOf.applyAsInt(answer) == seq) {
            return answer;
          }
        }
      } catch (SocketTimeoutException e) {
        // next attempt
      } catch (IOException e) {
        throw new UncheckedIOException("lease call to agent " + agent + " failed", e);
      }
    }
    throw new LarsTimeoutException(requestId + " to agent " + agent + ": no answer within 2 x " + timeout.toMillis()
        + " ms (is it a Lars on Akka agent? older agents drop ids 9..14)");
  }

  /** @return the next request seq */
  synchronized int nextSeq() {
    return ++seq;
  }

  private static <T extends MessageLite> T parse(DatagramPacket p, MessageId answerId, Parser<T> parser) {
    if (p.getLength() < FrameCodec.HEADER_LENGTH) {
      return null;
    }
    ByteBuffer header = ByteBuffer.wrap(p.getData(), p.getOffset(), FrameCodec.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    int id = header.getInt();
    int len = header.getInt();
    if (id != answerId.id() || len != p.getLength() - FrameCodec.HEADER_LENGTH) {
      return null;
    }
    try {
      return parser.parseFrom(p.getData(), p.getOffset() + FrameCodec.HEADER_LENGTH, len);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static byte[] frame(MessageId id, MessageLite message) {
    byte[] body = message.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(id.id()).putInt(body.length).put(body);
    return b.array();
  }

  @Override
  public void close() {
    socket.close();
  }
}
