package io.lars.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.testkit.TestDatabases;
import io.lars.testkit.TestNodeConfig;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real node running the reporter role, fed over TCP by plain sockets, on H2 and (when
 * {@code LARS_TEST_DB_URL} is set) MariaDB/MySQL.
 */
class ReporterNodeTest {

  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final int CALLER = Ipv4.parse("127.0.0.1");

  private Database database;
  private LarsNode node;

  static List<DbSettings> databases() {
    return TestDatabases.all();
  }

  private InetSocketAddress start(DbSettings settings) throws Exception {
    return start(settings, "50ms");
  }

  private InetSocketAddress start(DbSettings settings, String flushInterval) throws Exception {
    database = TestDatabases.fresh(settings);
    TestNodeConfig conf = TestNodeConfig.create(TestDatabases.nodeConfig(settings).withFallback(ConfigFactory.parseString(
        "lars.reporter { flush-interval = " + flushInterval + ", retry-min-backoff = 50ms, retry-max-backoff = 300ms }")));
    node = LarsNode.start(conf.config(), EnumSet.of(Role.REPORTER)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    return node.listeners("reporter", "tcp").get(0).address();
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (database != null) {
      database.close();
    }
  }

  private static ReportStatusReq request(ModuleId module, int hosts, long seq) {
    ReportStatusReq.Builder b = ReportStatusReq.newBuilder().setModid(module.modid()).setCmdid(module.cmdid())
        .setCaller(CALLER).setTs((int) (1_700_000_000L + seq));
    for (int h = 0; h < hosts; h++) {
      int ip = h == 0 ? Ipv4.parse("192.168.1.177") : Ipv4.parse("10.0." + module.modid() % 256 + "." + h);
      b.addResults(HostCallResult.newBuilder().setIp(ip).setPort(9000 + h).setSucc((int) seq).setErr((int) (seq % 7))
          .setOverload(seq % 2 == 0));
    }
    return b.build();
  }

  private static Map<StatusBuffer.Key, CallStatusRow> rowsOf(ReportStatusReq request) {
    StatusReport.Accepted accepted = (StatusReport.Accepted) StatusReport.decode(request, 10_000);
    return accepted.rows().stream().collect(Collectors.toMap(StatusBuffer.Key::of, r -> r));
  }

  private void awaitTable(Map<StatusBuffer.Key, CallStatusRow> expected) {
    CallStatusRepository repository = new CallStatusRepository(database.dataSource());
    TestProbe<Object> probe = TestProbe.create(node.system());
    probe.awaitAssert(AWAIT, Duration.ofMillis(100), () -> {
      Map<StatusBuffer.Key, CallStatusRow> table = repository.list(Optional.empty()).stream()
          .collect(Collectors.toMap(StatusBuffer.Key::of, r -> r));
      assertEquals(expected.size(), table.size(), "rows in ServerCallStatus");
      assertEquals(expected, table);
      return null;
    });
  }

  /** Sends {@code perClient} requests from each client; each client owns its modules, so order per key is defined. */
  private static Map<StatusBuffer.Key, CallStatusRow> sendFromClients(InetSocketAddress reporter, int clients,
      int perClient, int modulesPerClient, long firstSeq) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Map<StatusBuffer.Key, CallStatusRow>>> sent = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        sent.add(pool.submit(() -> {
          Map<StatusBuffer.Key, CallStatusRow> last = new HashMap<>();
          try (RawReportClient socket = new RawReportClient(reporter)) {
            for (int i = 0; i < perClient; i++) {
              ModuleId module = new ModuleId(1 + client * modulesPerClient + i % modulesPerClient, 7);
              ReportStatusReq req = request(module, 5, firstSeq + i);
              socket.send(req);
              last.putAll(rowsOf(req));
            }
            socket.flush();
            assertFalse(socket.closedByServer(Duration.ofMillis(1)));
          }
          return last;
        }));
      }
      Map<StatusBuffer.Key, CallStatusRow> expected = new HashMap<>();
      for (Future<Map<StatusBuffer.Key, CallStatusRow>> f : sent) {
        expected.putAll(f.get(60, TimeUnit.SECONDS));
      }
      return expected;
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void tenThousandRequestsFromSeveralClientsLandWithLastWriteWins(DbSettings settings) throws Exception {
    InetSocketAddress reporter = start(settings);
    Map<StatusBuffer.Key, CallStatusRow> expected = sendFromClients(reporter, 4, 2_500, 50, 1);
    assertEquals(4 * 50 * 5, expected.size());
    awaitTable(expected);
    ReporterStats stats = ReporterStats.get(node.system());
    assertEquals(10_000, stats.requests());
    assertEquals(50_000, stats.rowsReceived());
    assertEquals(0, stats.rowsDropped());
    assertEquals(0, stats.requestsRejected());
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aDatabaseOutageLosesNoKey(DbSettings settings) throws Exception {
    InetSocketAddress reporter = start(settings);
    ReporterStats stats = ReporterStats.get(node.system());
    execute("ALTER TABLE ServerCallStatus RENAME TO ServerCallStatus_down");
    Map<StatusBuffer.Key, CallStatusRow> expected = new HashMap<>(sendFromClients(reporter, 3, 500, 40, 1));
    TestProbe<Object> probe = TestProbe.create(node.system());
    probe.awaitAssert(AWAIT, () -> {
      assertEquals(1_500, stats.requests(), "all handed to the writers before other clients send newer rows");
      assertTrue(stats.dbErrors() >= 6, "every writer failed and retried: " + stats);
      return null;
    });
    // Newer rows for half the modules arrive during the outage and must win over the buffered ones.
    expected.putAll(sendFromClients(reporter, 3, 100, 20, 1_000));
    execute("ALTER TABLE ServerCallStatus_down RENAME TO ServerCallStatus");
    awaitTable(expected);
    assertEquals(0, stats.rowsDropped());
    assertEquals(3 * 40 * 5, expected.size());
  }

  @ParameterizedTest
  @MethodSource("databases")
  void badFramesCloseOnlyTheirConnectionAndImpossibleValuesAreDropped(DbSettings settings) throws Exception {
    InetSocketAddress reporter = start(settings);
    ReporterStats stats = ReporterStats.get(node.system());
    try (RawReportClient good = new RawReportClient(reporter);
        RawReportClient negativeLength = new RawReportClient(reporter);
        RawReportClient oversize = new RawReportClient(reporter);
        RawReportClient wrongMsgId = new RawReportClient(reporter);
        RawReportClient badBody = new RawReportClient(reporter)) {
      ModuleId module = new ModuleId(3, 3);
      good.send(request(module, 2, 1));
      good.flush();
      negativeLength.sendHex("03 00 00 00 ff ff ff ff 08 01");
      negativeLength.flush();
      oversize.sendHex("03 00 00 00 00 00 01 00");
      oversize.flush();
      wrongMsgId.sendHex("01 00 00 00 04 00 00 00 08 01 10 01");
      wrongMsgId.flush();
      badBody.sendHex("03 00 00 00 03 00 00 00 ff ff ff");
      badBody.flush();
      for (RawReportClient bad : List.of(negativeLength, oversize, wrongMsgId, badBody)) {
        assertTrue(bad.closedByServer(AWAIT), "bad frame closes its connection");
      }
      ReportStatusReq impossible = request(new ModuleId(4, 4), 1, 1).toBuilder()
          .setResults(0, HostCallResult.newBuilder().setIp(1).setPort(70_000)).build();
      good.send(impossible);
      ReportStatusReq last = request(module, 2, 2);
      good.send(last);
      good.flush();
      awaitTable(rowsOf(last));
      assertEquals(1, stats.requestsRejected());
      assertFalse(good.closedByServer(Duration.ofMillis(50)), "an impossible value does not close the connection");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void goldenCaptureFramesAreStoredAsTheReferenceStoresThem(DbSettings settings) throws Exception {
    InetSocketAddress reporter = start(settings);
    try (RawReportClient agent = new RawReportClient(reporter)) {
      // wire-captures.md section 4, from the reference C++ agent.
      agent.sendHex("03 00 00 00 20 00 00 00 08 01 10 01 18 81 80 80 f8 07 22 0e 08 b1 83 a0 85 fc ff ff ff ff 01"
          + " 10 e1 3c 28 ae b3 88 d8 06");
      agent.sendHex("03 00 00 00 50 00 00 00 08 0b 10 01 18 81 80 80 f8 07 22 0a 08 82 80 80 50 10 aa 46 28 01 22 0a"
          + " 08 84 80 80 50 10 ac 46 28 01 22 0a 08 81 80 80 50 10 a9 46 28 01 22 0c 08 83 80 80 50 10 ab 46 18 01"
          + " 28 01 22 0c 08 85 80 80 50 10 ad 46 20 01 28 01 28 ed b8 88 d8 06");
      agent.flush();
      TestProbe<Object> probe = TestProbe.create(node.system());
      probe.awaitAssert(AWAIT, Duration.ofMillis(100), () -> {
        assertEquals(List.of(
            "1,1,3232235953,7777,2130706433,0,0,1795299758,0",
            "11,1,167772161,9001,2130706433,0,0,1795300461,1",
            "11,1,167772162,9002,2130706433,0,0,1795300461,1",
            "11,1,167772163,9003,2130706433,1,0,1795300461,1",
            "11,1,167772164,9004,2130706433,0,0,1795300461,1",
            "11,1,167772165,9005,2130706433,0,1,1795300461,1"), rawTable());
        return null;
      });
    }
  }

  @Test
  void stoppingTheNodeWritesWhatTheWritersHold() throws Exception {
    InetSocketAddress reporter = start(TestDatabases.h2(), "1m");
    ReportStatusReq last = request(new ModuleId(9, 9), 3, 1);
    try (RawReportClient agent = new RawReportClient(reporter)) {
      agent.send(last);
      agent.flush();
      TestProbe<Object> probe = TestProbe.create(node.system());
      probe.awaitAssert(AWAIT, () -> {
        assertEquals(1, ReporterStats.get(node.system()).requests());
        return null;
      });
    }
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    node = null;
    assertEquals(rowsOf(last), new CallStatusRepository(database.dataSource()).list(Optional.empty()).stream()
        .collect(Collectors.toMap(StatusBuffer.Key::of, r -> r)), "written at stop, not after the 1 min flush interval");
  }

  private List<String> rawTable() throws Exception {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT modid, cmdid, ip, port, caller, succ_cnt, err_cnt, ts, overload FROM ServerCallStatus ORDER BY 1, 2, 3, 4");
        ResultSet rs = ps.executeQuery()) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
          cols.add(rs.getString(i));
        }
        rows.add(String.join(",", cols));
      }
      return rows;
    }
  }

  private void execute(String sql) throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
