package io.lars.protocol;

import akka.util.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/**
 * One Lars frame without its header: the msgid and the protobuf body bytes.
 *
 * @param msgId the header's msgid, any int32 (unknown ids are refused by {@link #decode()})
 * @param body the body bytes, at most {@link FrameCodec#MAX_BODY_LENGTH}
 */
public record Frame(int msgId, ByteString body) {

  /**
   * Builds a frame from a message.
   *
   * @param id the message id
   * @param message its protobuf body
   * @return the frame
   * @throws FrameException with {@code OVERSIZE_LENGTH} if the body is above the limit
   */
  public static Frame of(MessageId id, Message message) {
    byte[] bytes = message.toByteArray();
    if (bytes.length > FrameCodec.MAX_BODY_LENGTH) {
      throw new FrameException(FrameException.Reason.OVERSIZE_LENGTH, bytes.length,
          "message " + id + " body of " + bytes.length + " bytes is above " + FrameCodec.MAX_BODY_LENGTH);
    }
    return new Frame(id.id(), ByteString.fromArrayUnsafe(bytes));
  }

  /** @return the message id, or {@code null} if Lars defines none with this msgid */
  public MessageId messageId() {
    return MessageId.of(msgId);
  }

  /**
   * Parses the body as the protobuf message of its msgid.
   *
   * @return the message (its class follows {@link MessageId})
   * @throws FrameException with {@code UNKNOWN_MSGID} or {@code BAD_BODY}
   */
  public Message decode() {
    MessageId id = messageId();
    if (id == null) {
      throw new FrameException(FrameException.Reason.UNKNOWN_MSGID, msgId, "msgid " + msgId + " is not a Lars message");
    }
    try {
      return id.parser().parseFrom(body.toArrayUnsafe());
    } catch (InvalidProtocolBufferException e) {
      throw new FrameException(FrameException.Reason.BAD_BODY, msgId,
          "body of msgid " + msgId + " (" + body.size() + " bytes) is not a valid " + id + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses the body as a given message type.
   *
   * @param type the expected class, which must match the msgid
   * @param <T> the message type
   * @return the message
   * @throws FrameException with {@code UNKNOWN_MSGID} if the msgid does not carry {@code type},
   *     or {@code BAD_BODY}
   */
  public <T extends Message> T decode(Class<T> type) {
    Message m = decode();
    if (!type.isInstance(m)) {
      throw new FrameException(FrameException.Reason.UNKNOWN_MSGID, msgId,
          "msgid " + msgId + " carries " + m.getClass().getSimpleName() + ", not " + type.getSimpleName());
    }
    return type.cast(m);
  }

  @Override
  public String toString() {
    return "Frame(msgid=" + msgId + ", " + body.size() + " bytes)";
  }
}
