package io.lars.cli;

import static io.lars.testkit.LarsCli.lars;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.testkit.LarsCli.Run;
import io.lars.client.ScriptedAgent;
import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.ReportRequest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client tools' output and exit codes against a scripted agent (and a silent one). */
class ClientCommandsTest {

  private static final Host A = Host.of("10.0.0.1", 9001);
  private static final Host B = Host.of("10.0.0.2", 9002);

  private ScriptedAgent agent;


  @BeforeEach
  void start() throws Exception {
    agent = new ScriptedAgent().route(5, 1, A, B).route(6, 1, A);
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
  }


  @Test
  void gethostPrintsTheHostAndExitsWithTheReturnCode() {
    Run r = lars("gethost", "6", "1", "--agent-ports", agent.portsOption());
    assertEquals(new Run(0, "host is 10.0.0.1:9001" + System.lineSeparator(), ""), r);
    Run unknown = lars("gethost", "77", "1", "--agent-ports", agent.portsOption());
    assertEquals(new Run(3, "no hosts for module (77,1)" + System.lineSeparator(), ""), unknown);
  }

  @Test
  void getrouteOfAnUnknownModuleSaysSoAndExits3() {
    Run known = lars("getroute", "5", "1", "--agent-ports", agent.portsOption());
    assertEquals(0, known.exit(), known.err());
    assertEquals(List.of("ip = 10.0.0.1, port = 9001", "ip = 10.0.0.2, port = 9002"), known.out().lines().toList());
    Run unknown = lars("getroute", "77", "1", "--agent-ports", agent.portsOption());
    assertEquals(new Run(3, "no hosts for module (77,1)" + System.lineSeparator(), ""), unknown);
  }

  @Test
  void reportIsReadByTheAgentBeforeTheCommandSaysSo() {
    Run r = lars("report", "5", "1", "10.0.0.1", "9001", "1", "--timecost-ms", "250", "--agent-ports", agent.portsOption());
    assertEquals(new Run(0, "reported failure of 10.0.0.1:9001 for (5,1)" + System.lineSeparator(), ""), r);
    // already read by the agent when the command returned: no waiting here
    List<ReportRequest> reports = agent.reports();
    assertEquals(1, reports.size());
    assertEquals(A, Host.of(reports.get(0).getHost()));
    assertEquals(1, reports.get(0).getRetcode());
    assertEquals(250, reports.get(0).getTimecostMs());
    assertEquals(List.of(MessageId.API_GET_ROUTE_REQUEST.id(), MessageId.REPORT_REQUEST.id(),
        MessageId.API_GET_ROUTE_REQUEST.id()), agent.received().stream().map(Frame::msgId).toList());
  }

  @Test
  void reportWithNoAgentAnsweringSendsNothingAndExits4() {
    agent.silent();
    Run r = lars("report", "5", "1", "10.0.0.1", "9001", "0", "--timeout", "50", "--agent-ports", agent.portsOption());
    assertEquals(LarsMain.NO_ANSWER, r.exit(), r.out());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("report: no agent answered at 127.0.0.1:") && r.err().contains("nothing reported"), r.err());
    assertEquals(List.of(), agent.reports());
  }

  @Test
  void silentAgentIsExit4WithOneLine() {
    agent.silent();
    for (String cmd : List.of("gethost", "getroute", "simulate")) {
      Run r = lars(cmd, "5", "1", "--timeout", "50", "--agent-ports", agent.portsOption());
      assertEquals(LarsMain.NO_ANSWER, r.exit(), cmd + ": " + r.out() + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().startsWith(cmd + ": ") && r.err().contains("no answer"), r.err());
    }
    Run qps = lars("qps", "1", "--seconds", "1", "--timeout", "50", "--agent-ports", agent.portsOption());
    assertEquals(LarsMain.NO_ANSWER, qps.exit(), qps.out());
    assertEquals("", qps.out());
    assertTrue(qps.err().startsWith("qps: no answer from the agent"), qps.err());
  }

  @Test
  void simulateOfAnUnknownModuleExits3AndOfAKnownOnePrintsTheTable() {
    Run unknown = lars("simulate", "77", "1", "2", "10", "--agent-ports", agent.portsOption());
    assertEquals(new Run(3, "no hosts for module (77,1)" + System.lineSeparator(), ""), unknown);
    Run known = lars("simulate", "5", "1", "0", "10", "--agent-ports", agent.portsOption());
    assertEquals(0, known.exit(), known.err());
    assertTrue(known.out().matches("(?s).*10\\.0\\.0\\.1:9001\\s+5\\s+0.*10\\.0\\.0\\.2:9002\\s+5\\s+0.*"), known.out());
    assertEquals(10, agent.reports().size());
  }

  @Test
  void qpsMeasuresFromTheFirstSecond() {
    agent.route(1, 1, A).route(2, 1, B);
    Run r = lars("qps", "2", "--seconds", "2", "--agent-ports", agent.portsOption());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    Matcher first = Pattern.compile("second 1: (\\d+) qps").matcher(r.out());
    assertTrue(first.find(), r.out());
    assertTrue(Long.parseLong(first.group(1)) > 0, "the first second counted nothing:\n" + r.out());
    Matcher avg = Pattern.compile("threads 2, 2 s: average (\\d+) qps").matcher(r.out());
    assertTrue(avg.find() && Long.parseLong(avg.group(1)) > 0, r.out());
    assertTrue(r.out().contains("get_host latency us: p50"), r.out());
  }

  @Test
  void qpsOfModulesWithoutHostsExits3() {
    agent.route(1, 1, A);
    Run r = lars("qps", "2", "--seconds", "1", "--agent-ports", agent.portsOption());
    assertEquals(new Run(3, "", "qps: no hosts for module (2,1); thread i loads module (i+1,1)" + System.lineSeparator()), r);
  }

  @Test
  void usageErrorsOfEverySubcommandAreExit64InOneLine() {
    lars("gethost", "x", "1").isUsageError("'x' is not an int");
    lars("gethost", "1", "1", "--agent-ports", "18888").isUsageError("exactly 3 ports");
    lars("getroute", "1", "1", "--agent-ports", "1,2,70000").isUsageError("70000");
    lars("gethost", "1", "1", "--timeout", "soon").isUsageError("--timeout");
    lars("gethost", "1", "1", "--timeout", "5").isUsageError("10..60000");
    lars("gethost", "1", "1", "--agent", "no.such.host.invalid").isUsageError("unknown host");
    lars("getroute", "1").isUsageError("CMDID");
    lars("report", "4", "1", "10.0.0.300", "9001", "0").isUsageError("10.0.0.300");
    lars("report", "4", "1", "10.0.0.1", "70000", "0").isUsageError("70000");
    lars("report", "4", "1", "10.0.0.1", "9001", "7").isUsageError("0 (success) or 1 (failure)");
    lars("report", "4", "1", "10.0.0.1", "9001", "0", "--timecost-ms", "-1").isUsageError("--timecost-ms");
    lars("simulate", "4", "1", "11").isUsageError("ERR_RATE");
    lars("simulate", "4", "1", "1", "0").isUsageError("COUNT");
    lars("qps", "0").isUsageError("THREADS");
    lars("qps", "1", "--seconds", "0").isUsageError("--seconds");
    lars("route", "add", "x", "1", "10.0.0.1", "80").isUsageError("'x' is not an int");
    lars("node", "--no-such-option").isUsageError("--no-such-option");
    lars("frobnicate").isUsageError("frobnicate");
    lars().isUsageError("missing subcommand");
  }

  @Test
  void helpListsTheExitCodes() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"gethost", "--help"})) {
      Run r = lars(args);
      assertEquals(0, r.exit());
      for (String code : List.of("0", "1", "2", "3", "4", "64")) {
        assertTrue(Pattern.compile("(?m)^\\s+" + code + "\\s+\\S").matcher(r.out()).find(), "exit code " + code + " in\n" + r.out());
      }
    }
    assertTrue(lars("report", "--help").out().contains("only after the agent answered"));
  }
}
