package io.lars.transport;

import com.google.protobuf.Message;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import io.lars.protocol.MessageId;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a {@link TcpServer} does with the frames of its connections: a table from msgid to a
 * handler of the parsed body, plus connect and close hooks (reference: lars_reactor
 * {@code msg_router}). Immutable once built; shared by all connections of a server.
 *
 * <p>Handlers run on the connection's stream, one frame at a time per connection, and must not
 * block: they are expected to {@code tell} an actor. A frame whose msgid has no handler, or
 * whose body does not parse, closes its connection (WIRE.md "Bad input").
 */
public final class MessageRouter {

  private final Map<MessageId, Route<?>> routes;
  private final Consumer<Connection> onConnect;
  private final Consumer<Connection> onClose;

  private MessageRouter(Builder b) {
    this.routes = new EnumMap<>(b.routes);
    this.onConnect = b.onConnect;
    this.onClose = b.onClose;
  }

  /** @return a builder without handlers, whose hooks do nothing */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses a frame's body and hands it to the handler of its msgid.
   *
   * @throws FrameException {@code UNKNOWN_MSGID} if no handler serves the msgid,
   *     {@code BAD_BODY} if the body does not parse
   */
  void dispatch(Connection connection, Frame frame) {
    MessageId id = frame.messageId();
    Route<?> route = id == null ? null : routes.get(id);
    if (route == null) {
      throw new FrameException(FrameException.Reason.UNKNOWN_MSGID, frame.msgId(),
          "msgid " + frame.msgId() + " has no handler on this endpoint");
    }
    route.handle(connection, frame);
  }

  void connected(Connection connection) {
    onConnect.accept(connection);
  }

  void closed(Connection connection) {
    onClose.accept(connection);
  }

  private record Route<T extends Message>(Class<T> type, BiConsumer<Connection, T> handler) {
    void handle(Connection connection, Frame frame) {
      handler.accept(connection, frame.decode(type));
    }
  }

  /** Collects handlers; not thread-safe, build once at start. */
  public static final class Builder {

    private final Map<MessageId, Route<?>> routes = new EnumMap<>(MessageId.class);
    private Consumer<Connection> onConnect = c -> { };
    private Consumer<Connection> onClose = c -> { };

    private Builder() {}

    /**
     * Routes a msgid to a handler.
     *
     * @param id the msgid
     * @param type the protobuf class its body carries (see {@link MessageId})
     * @param handler called with the connection and the parsed body; must not block
     * @param <T> the body type
     * @return this builder
     * @throws IllegalArgumentException if {@code type} is not the body class of {@code id}, or
     *     {@code id} already has a handler
     */
    public <T extends Message> Builder on(MessageId id, Class<T> type, BiConsumer<Connection, T> handler) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(handler, "handler");
      Class<?> bodyType = id.bodyType();
      if (!type.equals(bodyType)) {
        throw new IllegalArgumentException("msgid " + id + " carries " + bodyType.getSimpleName()
            + ", not " + type.getSimpleName());
      }
      if (routes.containsKey(id)) {
        throw new IllegalArgumentException("msgid " + id + " already has a handler");
      }
      routes.put(id, new Route<>(type, handler));
      return this;
    }

    /**
     * @param handler called once per accepted connection, before any of its frames is handled
     * @return this builder
     */
    public Builder onConnect(Consumer<Connection> handler) {
      this.onConnect = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * @param handler called exactly once per connection that {@code onConnect} saw, however it
     *     ended: peer close, error, bad input, overflow, {@link Connection#close()} or unbind
     * @return this builder
     */
    public Builder onClose(Consumer<Connection> handler) {
      this.onClose = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** @return the router */
    public MessageRouter build() {
      return new MessageRouter(this);
    }
  }
}
