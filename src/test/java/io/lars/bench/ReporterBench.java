package io.lars.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lars.db.CallStatusEachRow;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.Database;
import io.lars.db.DbSettings;
import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.reporter.ReportIntake;
import io.lars.reporter.ReporterSettings;
import io.lars.reporter.ReporterStats;
import io.lars.reporter.StatusWriter;
import io.lars.transport.Connection;
import java.net.InetSocketAddress;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast the reporter stores call statistics in a real MySQL/MariaDB, against the reference way
 * (one autocommitted statement per row).
 *
 * <ol>
 *   <li><b>pipeline</b>: {@code requests} ReportStatusRequests of {@code hosts} hosts over
 *       {@code modules} modules go through {@link ReportIntake} to {@code writers}
 *       {@link StatusWriter}s with the default batch size and flush interval; timed until the
 *       table holds the last report of every key. Rows of the same key collapse while a batch is
 *       in flight, so fewer rows reach the database than were received.
 *   <li><b>batched</b>: {@link CallStatusRepository#upsert} in batches of {@code batch-size}
 *       rows, no collapsing, on {@code writers} threads: the raw database rate of the batch path.
 *   <li><b>per-row</b>: {@link CallStatusEachRow#upsert} on {@code writers} threads for a
 *       sample of {@code perRowSample} rows, extrapolated to rows per second.
 * </ol>
 *
 * <p>Run (MariaDB at 127.0.0.1:3306, user root without password; the scratch schema {@code lars_bench} is
 * dropped and created again):
 * {@code mvn -o -q -DskipTests test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test
 * -Dexec.args="-cp %classpath io.lars.bench.ReporterBench"}. System properties
 * {@code -Dbench.server=jdbc:mysql://host:3306/ -Dbench.user -Dbench.password -Dbench.requests
 * -Dbench.hosts -Dbench.modules -Dbench.perRowSample} change the defaults.
 */
public final class ReporterBench {

  private static final Logger log = LoggerFactory.getLogger(ReporterBench.class);
  private static final String SCHEMA = "lars_bench";
  private static final long TS_BASE = 1_700_000_000L;

  private ReporterBench() {}

  /**
   * Runs the three measurements once and logs the figures.
   *
   * @param args unused; see the class comment for the system properties
   * @throws Exception if the database cannot be reached
   */
  public static void main(String[] args) throws Exception {
    String server = System.getProperty("bench.server", "jdbc:mysql://127.0.0.1:3306/");
    String user = System.getProperty("bench.user", "root");
    String password = System.getProperty("bench.password", "");
    String urlParams = System.getProperty("bench.urlParams", "");
    int requests = Integer.getInteger("bench.requests", 100_000);
    int hosts = Integer.getInteger("bench.hosts", 10);
    int modules = Integer.getInteger("bench.modules", 1_000);
    int perRowSample = Integer.getInteger("bench.perRowSample", 20_000);

    try (var c = DriverManager.getConnection(server, user, password); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS lars_bench");
      s.execute("CREATE DATABASE lars_bench");
    }
    Config config = ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING")
        .withFallback(ConfigFactory.load());
    ReporterSettings settings = ReporterSettings.fromConfig(config);
    DbSettings dbSettings = new DbSettings(server + SCHEMA + urlParams, user, password, settings.writers() + 1,
        Duration.ofSeconds(5), true);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "reporter-bench", config);
    try (Database db = Database.open(dbSettings)) {
      CallStatusRepository repository = new CallStatusRepository(db.dataSource());
      log.info("bench: {} requests x {} hosts over {} modules, {} writers, batch-size {}, flush-interval {}, db {}",
          requests, hosts, modules, settings.writers(), settings.batchSize(), settings.flushInterval().toMillis() + "ms",
          dbSettings.safeUrl());
      pipeline(system, db, repository, settings, requests, hosts, modules);
      double batched = direct(db, repository, settings, Math.max(perRowSample * 5, modules * hosts * 5), hosts,
          modules, rows -> repository.upsert(rows), "batched", settings.batchSize());
      double perRow = direct(db, repository, settings, perRowSample, hosts, modules,
          rows -> CallStatusEachRow.upsert(db.dataSource(), rows), "per-row", settings.batchSize());
      log.info("bench: batched/per-row = {}x", String.format("%.1f", batched / perRow));
    } finally {
      system.terminate();
    }
  }

  private static void pipeline(ActorSystem<Void> system, Database db, CallStatusRepository repository,
      ReporterSettings settings, int requests, int hosts, int modules) throws Exception {
    truncate(db);
    List<ReportStatusReq> feed = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      feed.add(request(new ModuleId(1 + i % modules, 1), hosts, TS_BASE + i / modules));
    }
    long finalTs = TS_BASE + (requests - 1) / modules;
    long keysAtFinalTs = (long) Math.min(requests - (requests - 1) / modules * modules, modules) * hosts;
    ReporterStats stats = new ReporterStats();
    List<ActorRef<StatusWriter.Command>> writers = new ArrayList<>();
    for (int w = 0; w < settings.writers(); w++) {
      writers.add(system.systemActorOf(StatusWriter.create(settings, repository::upsert, Database.jdbcExecutor(system),
          stats), "bench-writer-" + w, Props.empty()));
    }
    ReportIntake intake = new ReportIntake(writers, settings.maxResultsPerRequest(), stats);
    Connection agent = new BenchConnection();

    long start = System.nanoTime();
    feed.forEach(req -> intake.onReport(agent, req));
    long fed = System.nanoTime();
    while (countAtTs(db, finalTs) < keysAtFinalTs) {
      Thread.sleep(5);
    }
    long done = System.nanoTime();
    double seconds = (done - start) / 1e9;
    log.info("bench pipeline: {} rows received in {} s ({} s to hand over) = {} rows/s stored (last write per key);"
            + " {} rows reached the database ({} rows/s), {} dropped, {} db errors",
        stats.rowsReceived(), fmt(seconds), fmt((fed - start) / 1e9), fmt(stats.rowsReceived() / seconds),
        stats.rowsWritten(), fmt(stats.rowsWritten() / seconds), stats.rowsDropped(), stats.dbErrors());
  }

  /** Writes {@code total} rows from the writers' number of threads, each with its own keys, in chunks of {@code chunk}. */
  private static double direct(Database db, CallStatusRepository repository, ReporterSettings settings, int total,
      int hosts, int modules, Function<List<CallStatusRow>, Integer> write, String name, int chunk) throws Exception {
    truncate(db);
    int threads = settings.writers();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> runs = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        runs.add(pool.submit(() -> {
          List<CallStatusRow> rows = new ArrayList<>(chunk);
          int keysPerThread = modules * hosts / threads;
          for (int i = thread; i < total; i += threads) {
            // Each thread owns its keys, as each writer owns its modules.
            int key = thread + threads * (i / threads % keysPerThread);
            ModuleId module = new ModuleId(1 + key / hosts, 1);
            rows.add(new CallStatusRow(module, host(module, key % hosts), caller(), i, i % 7, TS_BASE + i, i % 2 == 0));
            if (rows.size() == chunk) {
              write.apply(List.copyOf(rows));
              rows.clear();
            }
          }
          if (!rows.isEmpty()) {
            write.apply(List.copyOf(rows));
          }
          return null;
        }));
      }
      for (Future<?> run : runs) {
        run.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = total / seconds;
      log.info("bench {}: {} rows on {} threads in {} s = {} rows/s", name, total, threads, fmt(seconds), fmt(rate));
      return rate;
    } finally {
      pool.shutdownNow();
    }
  }

  private static ReportStatusReq request(ModuleId module, int hosts, long ts) {
    ReportStatusReq.Builder b = ReportStatusReq.newBuilder().setModid(module.modid()).setCmdid(module.cmdid())
        .setCaller(caller()).setTs((int) ts);
    for (int h = 0; h < hosts; h++) {
      Host host = host(module, h);
      b.addResults(HostCallResult.newBuilder().setIp(host.ip()).setPort(host.port()).setSucc((int) (ts % 1000))
          .setErr(h).setOverload(h == 0));
    }
    return b.build();
  }

  private static Host host(ModuleId module, int h) {
    return new Host(Ipv4.parse("10." + (module.modid() >> 8 & 0xff) + "." + (module.modid() & 0xff) + "." + (h + 1)),
        9000 + h);
  }

  private static int caller() {
    return Ipv4.parse("192.168.1.177");
  }

  private static long countAtTs(Database db, long ts) throws Exception {
    try (var c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ServerCallStatus WHERE ts = ?")) {
      ps.setLong(1, ts);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void truncate(Database db) throws Exception {
    try (var c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE TABLE ServerCallStatus");
    }
  }

  private static String fmt(double v) {
    return String.format("%,.1f", v);
  }

  /** The agent's side of a connection, which the intake only uses to log rejected requests. */
  private static final class BenchConnection implements Connection {
    @Override
    public long id() {
      return 1;
    }

    @Override
    public InetSocketAddress peer() {
      return InetSocketAddress.createUnresolved("bench", 0);
    }

    @Override
    public boolean send(Frame frame) {
      return false;
    }

    @Override
    public void close() {}
  }
}
