package io.lars.cli;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import io.lars.Futures;
import io.lars.db.DatabaseException;
import io.lars.db.JdbcRouteRepository;
import io.lars.kernel.Role;
import io.lars.kernel.RouteReloadNotifier;
import io.lars.node.LarsConfig;
import io.lars.node.LarsNode;
import io.lars.node.NodeExit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code lars node}: starts a node and runs until it is stopped (Ctrl-C or SIGTERM). */
@Command(name = "node", mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped on request (SIGTERM, SIGINT)", "1:failed to start",
        "3:the actor system terminated by itself", "4:removed from the cluster (downed or made to leave); a downed agent-only node with seeds rejoins instead",
        "64:bad options"},
    description = {"Start a Lars node (default: all roles on the embedded H2 database).",
        "Options win over -Dkey=value, which wins over --config FILE, which wins over the defaults.",
        "The database comes from lars.db or LARS_DB_URL / LARS_DB_USER / LARS_DB_PASSWORD; "
            + "a multi-node cluster needs a shared MySQL/MariaDB."})
public final class NodeCommand implements Callable<Integer> {

  /** Exit code for bad options (sysexits EX_USAGE). */
  static final int EX_USAGE = 64;

  private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);

  @Option(names = "--roles", description = "Comma-separated roles: dns,reporter,agent,admin (default: all).")
  String roles;

  @Option(names = "--demo", description = "Also seed the demo routes: (1,1) 192.168.1.177:7777 and (11,1) 10.0.0.1-5:9001-9005.")
  boolean demo;

  @Option(names = "--config", description = "HOCON file whose settings override the defaults.")
  Path config;

  @Option(names = "--cluster-host", paramLabel = "HOST",
      description = "Host name other members reach this node's Akka remoting at (default: 127.0.0.1).")
  String clusterHost;

  @Option(names = {"--cluster-port", "--port"}, paramLabel = "PORT",
      description = "Akka remoting (cluster) port, 0 for any free port (default: 2551).")
  Integer clusterPort;

  @Option(names = "--seed", split = ",", paramLabel = "HOST:PORT",
      description = "Seed node(s), repeatable or comma-separated, e.g. --seed 127.0.0.1:2551; "
          + "becomes akka://lars@HOST:PORT. Without seeds the node forms a cluster of its own.")
  List<String> seeds;

  @Option(names = "--management-port", paramLabel = "PORT",
      description = "Akka Management HTTP port: /ready, /alive, /cluster/members (default: 8558).")
  Integer managementPort;

  @Option(names = "--agent-ports", split = ",", paramLabel = "PORT",
      description = "The agent's three UDP ports, comma-separated (default: 8888,8889,8890).")
  List<Integer> agentPorts;

  @Option(names = "--dns-port", paramLabel = "PORT",
      description = "The dns role's TCP port (default: 7778); also where this node's agent looks for "
          + "the dns unless --dns-addr is given.")
  Integer dnsPort;

  @Option(names = "--reporter-port", paramLabel = "PORT",
      description = "The reporter role's TCP port (default: 7779); also where this node's agent sends "
          + "statistics unless --reporter-addr is given.")
  Integer reporterPort;

  @Option(names = "--admin-port", paramLabel = "PORT", description = "The admin role's HTTP port (default: 8080).")
  Integer adminPort;

  @Option(names = "--dns-addr", paramLabel = "HOST:PORT",
      description = "Where this node's agent finds the dns role (default: 127.0.0.1:7778).")
  String dnsAddr;

  @Option(names = "--reporter-addr", paramLabel = "HOST:PORT",
      description = "Where this node's agent finds the reporter role (default: 127.0.0.1:7779).")
  String reporterAddr;

  /**
   * Starts the node, prints the ready line, and waits until the node has stopped.
   *
   * @return the exit code: 0 stopped on request (SIGTERM, SIGINT), 1 failed to start, 3 the actor
   *     system terminated by itself, 4 removed from the cluster ({@link NodeExit}), 64 bad options
   */
  @Override
  public Integer call() {
    Set<Role> roleSet;
    try {
      roleSet = Role.parseList(roles);
    } catch (IllegalArgumentException e) {
      System.err.println("lars node: " + e.getMessage());
      return EX_USAGE;
    }
    Config conf;
    LarsNode node;
    try {
      conf = LarsConfig.load(config, overrides().toConfig());
      node = LarsNode.start(conf, roleSet).toCompletableFuture().join();
    } catch (IllegalArgumentException | CompletionException e) {
      Throwable cause = Futures.unwrap(e);
      LOG.error("lars node: failed to start (exit {}): {}", NodeExit.FAILED_TO_START.code(), cause.getMessage());
      return NodeExit.FAILED_TO_START.code();
    }
    stopOnSignals(node);
    System.out.println(node.readyLine());
    if (demo) {
      seedDemoRoutes(node);
    }
    System.out.flush();
    NodeExit exit = node.whenTerminated().toCompletableFuture().join();
    if (exit != NodeExit.REQUESTED) {
      LOG.error("lars node: {} (exit {}): coordinated shutdown reason {}", exit.description(), exit.code(),
          CoordinatedShutdown.get(node.system()).getShutdownReason().map(Object::toString).orElse("none"));
    }
    return exit.code();
  }

  /**
   * SIGTERM and SIGINT run coordinated shutdown as a requested stop, so the process exits 0 after
   * it (the JVM's own handling would exit 143 or 130 and hide which stops were asked for).
   */
  private static void stopOnSignals(LarsNode node) {
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal.handle(new Signal(name), signal -> {
          LOG.info("lars node: SIG{} received, stopping", signal.getName());
          node.stop();
        });
      } catch (IllegalArgumentException unsupported) {
        LOG.warn("lars node: cannot handle SIG{} here ({}); it stops the JVM without exit code 0", name,
            unsupported.getMessage());
      }
    }
  }

  private static void seedDemoRoutes(LarsNode node) {
    if (node.database().isEmpty()) {
      System.err.println("lars node: --demo needs a role with a database; no routes seeded");
      return;
    }
    try {
      int added = DemoRoutes.seed(new JdbcRouteRepository(node.database().get().dataSource()));
      reloadDns(node);
      System.out.println("demo routes: " + added + " hosts added; try: lars gethost 1 1, lars simulate 11 1");
    } catch (DatabaseException e) {
      System.err.println("lars node: cannot seed the demo routes: " + e.getMessage());
    }
  }

  /**
   * Makes the dns pollers reload before the seeded routes are announced: else a client started at
   * once would get NOEXIST until the next poll (DESIGN.md "Defects of the reference", D5: the first
   * get_host must not fail). A poller's registration reaches the Receptionist's listing up to about
   * half a second after start; the {@link RouteReloadNotifier} waits for it. Waits at most 5 s in
   * all; then the dns's next poll, within {@code lars.dns.poll-interval}, serves the routes.
   */
  private static void reloadDns(LarsNode node) {
    ActorSystem<?> system = node.system();
    Duration timeout = Duration.ofSeconds(5);
    ActorRef<RouteReloadNotifier.Command> notifier =
        system.systemActorOf(RouteReloadNotifier.create(), "lars-demo-route-reload", Props.empty());
    try {
      AskPattern.<RouteReloadNotifier.Command, Done>ask(notifier,
              replyTo -> new RouteReloadNotifier.ReloadAndWait(timeout, replyTo), timeout, system.scheduler())
          .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("lars node: the dns did not reload the demo routes within 5 s (" + e.getMessage()
          + "); they are served after its next poll");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private NodeOverrides overrides() {
    NodeOverrides o = new NodeOverrides();
    if (clusterHost != null) {
      o.clusterHost(clusterHost);
    }
    if (clusterPort != null) {
      o.clusterPort(clusterPort);
    }
    if (seeds != null) {
      o.seeds(seeds);
    }
    if (managementPort != null) {
      o.managementPort(managementPort);
    }
    if (agentPorts != null) {
      o.agentPorts(agentPorts);
    }
    if (dnsPort != null) {
      o.dnsPort(dnsPort);
    }
    if (reporterPort != null) {
      o.reporterPort(reporterPort);
    }
    if (adminPort != null) {
      o.adminPort(adminPort);
    }
    if (dnsAddr != null) {
      o.dnsAddr(dnsAddr);
    }
    if (reporterAddr != null) {
      o.reporterAddr(reporterAddr);
    }
    return o;
  }
}
