package io.lars.bench;

import io.lars.agent.LoadBalance;
import io.lars.agent.LoadBalanceSettings;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread throughput of the load-balancing decisions for one module with 10 hosts:
 * {@code getHost} and a successful {@code report}, with the real wall clock.
 *
 * <p>Run: {@code mvn -q -DskipTests test-compile exec:exec -Dexec.executable=java
 * -Dexec.classpathScope=test -Dexec.args="-cp %classpath org.openjdk.jmh.Main LoadBalanceBench -f 1 -wi 2 -i 3"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class LoadBalanceBench {

  private static final int HOSTS = 10;

  private LoadBalance lb;
  private Host[] hosts;
  private int next;

  /** Builds a module with 10 idle hosts. */
  @Setup
  public void setUp() {
    lb = new LoadBalance(new ModuleId(1, 1), LoadBalanceSettings.defaults(), System::currentTimeMillis);
    List<Host> route = IntStream.range(0, HOSTS).mapToObj(i -> Host.of("10.0.0." + (i + 1), 9000 + i)).toList();
    lb.updateRoutes(route);
    hosts = route.toArray(Host[]::new);
  }

  /** @return one pick (round robin over the idle hosts) */
  @Benchmark
  public LoadBalance.Pick getHost() {
    return lb.getHost();
  }

  /** @return the outcome of one successful report, rotating over the hosts */
  @Benchmark
  public Optional<LoadBalance.Transition> reportSuccess() {
    Host host = hosts[next];
    next = next + 1 == HOSTS ? 0 : next + 1;
    return lb.report(host, 0, 0);
  }
}
