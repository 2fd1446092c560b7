package io.lars.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.protocol.Frame;
import io.lars.protocol.FrameCodec;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Statistics of a module with thousands of hosts go out in frames that each fit (issue 19 item 6). */
@Execution(ExecutionMode.CONCURRENT)
class StatisticsFramesTest {

  private static final ReportStatusReq HEADER = ReportStatusReq.newBuilder()
      .setModid(7).setCmdid(8).setCaller(-1).setTs(-1).build();

  @Test
  void thousandsOfHostsAreSplitIntoFramesThatEachFitAndTogetherHoldEveryHostOnce() {
    List<LoadBalance.HostCallStats> stats = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      // Addresses in 192.168.x: negative int32, the largest varint, as in the reported case.
      stats.add(new LoadBalance.HostCallStats(Host.of("192.168." + (i / 250) + "." + (i % 250 + 1), 60_000 + i),
          Integer.MAX_VALUE, Integer.MAX_VALUE, i % 3 == 0));
    }
    List<ReportStatusReq> frames = StatisticsFrames.split(HEADER, stats);
    assertTrue(frames.size() > 1, "one frame cannot hold 5000 hosts");
    List<HostCallResult> all = new ArrayList<>();
    for (ReportStatusReq frame : frames) {
      assertTrue(frame.getSerializedSize() <= FrameCodec.MAX_BODY_LENGTH, "body " + frame.getSerializedSize());
      Frame.of(MessageId.REPORT_STATUS_REQUEST, frame);
      assertEquals(7, frame.getModid());
      assertEquals(8, frame.getCmdid());
      assertEquals(-1, frame.getCaller());
      all.addAll(frame.getResultsList());
    }
    assertEquals(stats.size(), all.size());
    for (int i = 0; i < stats.size(); i++) {
      assertEquals(stats.get(i).host().ip(), all.get(i).getIp());
      assertEquals(stats.get(i).host().port(), all.get(i).getPort());
      assertEquals(stats.get(i).overload(), all.get(i).getOverload());
    }
  }

  @Test
  void aSmallModuleIsOneFrameAndNoHostsIsOneEmptyFrame() {
    List<LoadBalance.HostCallStats> two = List.of(
        new LoadBalance.HostCallStats(Host.of("10.0.0.1", 1), 3, 1, false),
        new LoadBalance.HostCallStats(Host.of("10.0.0.2", 2), 0, 5, true));
    assertEquals(1, StatisticsFrames.split(HEADER, two).size());
    assertEquals(2, StatisticsFrames.split(HEADER, two).get(0).getResultsCount());
    assertEquals(List.of(HEADER), StatisticsFrames.split(HEADER, List.of()));
    // A tight limit: one host per frame.
    assertEquals(2, StatisticsFrames.split(HEADER, two, HEADER.getSerializedSize() + 20).size());
  }
}
