package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.lars.protocol.Frame;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.transport.Connection;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link Connection} that records what is sent; {@link #fill()} makes its queue overflow. */
final class FakeConnection implements Connection {

  private final long id;
  private final BlockingQueue<Frame> sent = new LinkedBlockingQueue<>();
  private volatile boolean full;
  private volatile boolean closed;

  FakeConnection(long id) {
    this.id = id;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public InetSocketAddress peer() {
    return new InetSocketAddress("127.0.0.1", 40000 + (int) id);
  }

  @Override
  public boolean send(Frame frame) {
    if (closed || full) {
      closed = true;
      return false;
    }
    sent.add(frame);
    return true;
  }

  @Override
  public void close() {
    closed = true;
  }

  void fill() {
    full = true;
  }

  boolean isClosed() {
    return closed;
  }

  /** @return the next frame sent, as a route response; fails after 3 s */
  GetRouteResponse next() throws InterruptedException {
    Frame frame = sent.poll(3, TimeUnit.SECONDS);
    assertNotNull(frame, "no frame sent on connection " + id);
    assertEquals(MessageId.GET_ROUTE_RESPONSE.id(), frame.msgId());
    return frame.decode(GetRouteResponse.class);
  }

  /** @return a frame sent within the given time, or null */
  Frame poll(long millis) throws InterruptedException {
    return sent.poll(millis, TimeUnit.MILLISECONDS);
  }
}
