package io.lars.agent;

import com.google.protobuf.CodedOutputStream;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a module's statistics into {@code ReportStatusRequest} bodies that each fit one frame
 * (DESIGN.md "Robustness rules", H6: a module with thousands of hosts made one body above the
 * 65,535-byte frame limit, which killed the reporter client). Every body repeats modid, cmdid,
 * caller and ts; the reporter stores each host's row independently, so several bodies mean the same
 * as one.
 */
final class StatisticsFrames {

  private StatisticsFrames() {}

  /**
   * @param header modid, cmdid, caller and ts, without results
   * @param results one entry per host, in the order to send
   * @return one or more requests, each with a body of at most {@link FrameCodec#MAX_BODY_LENGTH}
   *     bytes, together holding every result once in order; one request without results when
   *     {@code results} is empty
   */
  static List<ReportStatusReq> split(ReportStatusReq header, List<LoadBalance.HostCallStats> results) {
    return split(header, results, FrameCodec.MAX_BODY_LENGTH);
  }

  /**
   * As {@link #split(ReportStatusReq, List)} with another body limit (tests).
   *
   * @param header modid, cmdid, caller and ts, without results
   * @param results one entry per host
   * @param maxBody the largest body, in bytes; at least the header plus one result
   * @return the requests
   */
  static List<ReportStatusReq> split(ReportStatusReq header, List<LoadBalance.HostCallStats> results, int maxBody) {
    List<ReportStatusReq> out = new ArrayList<>();
    int headerSize = header.getSerializedSize();
    ReportStatusReq.Builder current = header.toBuilder();
    int size = headerSize;
    for (LoadBalance.HostCallStats stats : results) {
      HostCallResult result = HostCallResult.newBuilder()
          .setIp(stats.host().ip())
          .setPort(stats.host().port())
          .setSucc((int) stats.rsucc())
          .setErr((int) stats.rerr())
          .setOverload(stats.overload())
          .build();
      int itemSize = CodedOutputStream.computeMessageSize(ReportStatusReq.RESULTS_FIELD_NUMBER, result);
      if (size + itemSize > maxBody && current.getResultsCount() > 0) {
        out.add(current.build());
        current = header.toBuilder();
        size = headerSize;
      }
      current.addResults(result);
      size += itemSize;
    }
    out.add(current.build());
    return out;
  }
}
