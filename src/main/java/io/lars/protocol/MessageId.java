package io.lars.protocol;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.lars.protocol.pb.DeregisterRequest;
import io.lars.protocol.pb.DeregisterResponse;
import io.lars.protocol.pb.GetHostRequest;
import io.lars.protocol.pb.GetHostResponse;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.HeartbeatRequest;
import io.lars.protocol.pb.HeartbeatResponse;
import io.lars.protocol.pb.RegisterHostRequest;
import io.lars.protocol.pb.RegisterHostResponse;
import io.lars.protocol.pb.ReportRequest;
import io.lars.protocol.pb.ReportStatusReq;

/**
 * The Lars message ids carried in the frame header, each with the protobuf class and parser of its
 * body: the one dispatch table of the wire (reference: lars.proto {@code MessageId}; ids 7 and 8
 * reuse the route messages). The TCP router and the agent's UDP ports both dispatch on it.
 */
public enum MessageId {
  /** 1: agent to dns, {@link GetRouteRequest}. */
  GET_ROUTE_REQUEST(1, GetRouteRequest.class, GetRouteRequest.parser()),
  /** 2: dns to agent, answer or unrequested push, {@link GetRouteResponse}. */
  GET_ROUTE_RESPONSE(2, GetRouteResponse.class, GetRouteResponse.parser()),
  /** 3: agent to reporter, {@link ReportStatusReq}. */
  REPORT_STATUS_REQUEST(3, ReportStatusReq.class, ReportStatusReq.parser()),
  /** 4: API to agent over UDP, {@link GetHostRequest}. */
  GET_HOST_REQUEST(4, GetHostRequest.class, GetHostRequest.parser()),
  /** 5: agent to API over UDP, {@link GetHostResponse}. */
  GET_HOST_RESPONSE(5, GetHostResponse.class, GetHostResponse.parser()),
  /** 6: API to agent over UDP, {@link ReportRequest}; no answer. */
  REPORT_REQUEST(6, ReportRequest.class, ReportRequest.parser()),
  /** 7: API to agent over UDP, {@link GetRouteRequest}. */
  API_GET_ROUTE_REQUEST(7, GetRouteRequest.class, GetRouteRequest.parser()),
  /** 8: agent to API over UDP, {@link GetRouteResponse}. */
  API_GET_ROUTE_RESPONSE(8, GetRouteResponse.class, GetRouteResponse.parser()),
  /** 9: API to agent over UDP, {@link RegisterHostRequest} (extension, DESIGN.md "Self-registration"). */
  REGISTER_HOST_REQUEST(9, RegisterHostRequest.class, RegisterHostRequest.parser()),
  /** 10: agent to API over UDP, {@link RegisterHostResponse}. */
  REGISTER_HOST_RESPONSE(10, RegisterHostResponse.class, RegisterHostResponse.parser()),
  /** 11: API to agent over UDP, {@link HeartbeatRequest}. */
  HEARTBEAT_REQUEST(11, HeartbeatRequest.class, HeartbeatRequest.parser()),
  /** 12: agent to API over UDP, {@link HeartbeatResponse}. */
  HEARTBEAT_RESPONSE(12, HeartbeatResponse.class, HeartbeatResponse.parser()),
  /** 13: API to agent over UDP, {@link DeregisterRequest}. */
  DEREGISTER_REQUEST(13, DeregisterRequest.class, DeregisterRequest.parser()),
  /** 14: agent to API over UDP, {@link DeregisterResponse}. */
  DEREGISTER_RESPONSE(14, DeregisterResponse.class, DeregisterResponse.parser());

  private static final MessageId[] BY_ID = new MessageId[15];

  static {
    for (MessageId id : values()) {
      BY_ID[id.id] = id;
    }
  }

  private final int id;
  private final Class<? extends Message> bodyType;
  private final Parser<? extends Message> parser;

  <T extends Message> MessageId(int id, Class<T> bodyType, Parser<T> parser) {
    this.id = id;
    this.bodyType = bodyType;
    this.parser = parser;
  }

  /** @return the wire value, 1..14 */
  public int id() {
    return id;
  }

  /** @return the protobuf class of this id's body (the TCP router checks its handlers against it) */
  public Class<? extends Message> bodyType() {
    return bodyType;
  }

  /** @return the protobuf parser of this id's body */
  public Parser<? extends Message> parser() {
    return parser;
  }

  /**
   * Looks up a wire value.
   *
   * @param id any int32
   * @return the message id, or {@code null} when Lars defines no message with that id
   */
  public static MessageId of(int id) {
    return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
  }
}
