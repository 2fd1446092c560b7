package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.db.CallStatusRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class StatusReportTest {

  private static HostCallResult result(int ip, int port) {
    return HostCallResult.newBuilder().setIp(ip).setPort(port).setSucc(3).setErr(1).build();
  }

  @Test
  void convertsEveryResultKeepingUnsignedCounters() {
    ReportStatusReq req = ReportStatusReq.newBuilder().setModid(11).setCmdid(1).setCaller(-1062731343).setTs(-1)
        .addResults(HostCallResult.newBuilder().setIp(-1062731343).setPort(7777).setSucc(-1).setErr(2).setOverload(true))
        .addResults(result(167772161, 9001))
        .build();
    StatusReport.Accepted accepted = assertInstanceOf(StatusReport.Accepted.class, StatusReport.decode(req, 10));
    ModuleId m = new ModuleId(11, 1);
    assertEquals(m, accepted.module());
    assertEquals(List.of(
        new CallStatusRow(m, new Host(-1062731343, 7777), -1062731343, 4294967295L, 2, 4294967295L, true),
        new CallStatusRow(m, new Host(167772161, 9001), -1062731343, 3, 1, 4294967295L, false)), accepted.rows());
  }

  @Test
  void aRequestWithoutResultsHasNoRows() {
    StatusReport.Accepted accepted = assertInstanceOf(StatusReport.Accepted.class,
        StatusReport.decode(ReportStatusReq.newBuilder().setModid(1).setCmdid(1).build(), 10));
    assertTrue(accepted.rows().isEmpty());
  }

  @Test
  void rejectsImpossibleValuesWhole() {
    ReportStatusReq.Builder ok = ReportStatusReq.newBuilder().setModid(5).setCmdid(6).addResults(result(1, 80));
    assertInstanceOf(StatusReport.Accepted.class, StatusReport.decode(ok.clone().addResults(result(2, 0)).build(), 10));
    assertInstanceOf(StatusReport.Accepted.class, StatusReport.decode(ok.clone().addResults(result(2, 65535)).build(), 10));
    assertRejected(ok.clone().addResults(result(2, 65536)).build(), "port 65536");
    assertRejected(ok.clone().addResults(result(2, -1)).build(), "port -1");
    assertRejected(ok.clone().addResults(result(0, 80)).build(), "0.0.0.0");
    ReportStatusReq.Builder many = ReportStatusReq.newBuilder().setModid(5).setCmdid(6);
    for (int i = 1; i <= 11; i++) {
      many.addResults(result(i, 80));
    }
    assertRejected(many.build(), "11 host results, above 10");
  }

  private static void assertRejected(ReportStatusReq req, String expected) {
    StatusReport.Rejected rejected = assertInstanceOf(StatusReport.Rejected.class, StatusReport.decode(req, 10));
    assertTrue(rejected.reason().contains(expected), rejected.reason());
    assertTrue(rejected.reason().contains("(5,6)"), rejected.reason());
  }
}
