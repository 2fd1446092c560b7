package io.lars.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lars.client.LarsClient;
import io.lars.client.LarsTimeoutException;
import io.lars.client.LeaseException;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.protocol.Host;
import io.lars.protocol.pb.LeaseStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Self-registration from the shell (DESIGN.md "Self-registration"): {@code lars register} holds a
 * lease through the
 * local agent until Ctrl-C, then drains; {@code lars leases} lists leases through a node's admin.
 */
final class LeaseCommands {

  /** Exit code: the agent or admin refused (invalid, conflict with a static row, unknown). */
  static final int REFUSED = 1;
  /** Exit code: the lease owner or the admin cannot be reached. */
  static final int UNAVAILABLE = 2;

  private LeaseCommands() {}

  /** {@code lars register MODID CMDID IP PORT --ttl 10}. */
  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Register a host in a module's route with a lease through the agent, heartbeat it, and on Ctrl-C "
          + "deregister it with draining.",
      footer = {"", "Prints: registered MODID CMDID IP:PORT lease=ID ttl=Ns, then deregistered ... on Ctrl-C.",
          "Exit codes: 0 deregistered; 1 refused (invalid, or the host is a static row); 2 lease owner unavailable;",
          "4 no answer from the agent (an agent older than the lease extension drops the request); 64 bad usage."})
  static final class Register implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODID", description = "module id") int modid;
    @Parameters(index = "1", paramLabel = "CMDID", description = "command id") int cmdid;
    @Parameters(index = "2", paramLabel = "IP", description = "IPv4 dotted quad of the host") String ip;
    @Parameters(index = "3", paramLabel = "PORT", description = "port 1..65535") int port;

    @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "10",
        description = "Lease TTL in seconds, 1..3600; heartbeats every third of it (default: ${DEFAULT-VALUE}).")
    int ttl;

    @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "2",
        description = "Seconds the host drains after Ctrl-C, 0..3600 (default: ${DEFAULT-VALUE}).")
    int drain;

    @Option(names = "--weight", paramLabel = "N", defaultValue = "100", description = "Weight 1..100 (default: ${DEFAULT-VALUE}).")
    int weight;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "A metadata label; repeatable.")
    Map<String, String> metadata = new TreeMap<>();

    @Mixin AgentOptions agent;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      Host host;
      LeaseOptions options;
      try {
        host = Host.of(ip, port);
        options = new LeaseOptions(Duration.ofSeconds(ttl), Duration.ofSeconds(drain), weight, metadata);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      CountDownLatch stopped = new CountDownLatch(1);
      try (LarsClient client = agent.client()) {
        Registration registration;
        try {
          registration = ClientCommands.await(client.register(modid, cmdid, host, options));
        } catch (LeaseException e) {
          System.err.println("lars register: " + e.getMessage());
          return e.status() == LeaseStatus.LEASE_UNAVAILABLE ? UNAVAILABLE : REFUSED;
        } catch (LarsTimeoutException e) {
          return ClientCommands.noAnswer("lars register", e);
        }
        System.out.println("registered " + modid + " " + cmdid + " " + host + " lease=" + registration.leaseId()
            + " ttl=" + ttl + "s; Ctrl-C to deregister (drain " + drain + "s)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          registration.close();
          System.out.println("deregistered " + modid + " " + cmdid + " " + host + " (draining " + drain + "s)");
          stopped.countDown();
        }, "lars-register-shutdown"));
        stopped.await();
      }
      return LarsMain.SUCC;
    }
  }

  /** {@code lars leases [MODID CMDID]}. */
  @Command(name = "leases", mixinStandardHelpOptions = true,
      description = "List the leases of self-registered hosts, through a node's admin HTTP API.",
      footer = {"", "Prints one line per lease: MODID CMDID IP PORT registered|draining ttl=Ns weight=N id=ID,",
          "and a line 'lease expiry suspended' while the cluster-wide protection holds expiry back.",
          "Exit codes: 0 done; 2 the admin cannot be reached or failed; 64 bad usage."})
  static final class Leases implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODID", description = "module id") Integer modid;
    @Parameters(index = "1", arity = "0..1", paramLabel = "CMDID", description = "command id") Integer cmdid;

    @Option(names = "--admin", paramLabel = "URL", defaultValue = AdminRouteClient.DEFAULT_ADMIN,
        description = "The node's admin HTTP API (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "Admin bearer token (default: $LARS_ADMIN_TOKEN, else the --token-file); reads from loopback need none.")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Token file a node wrote (default: ./data/admin-token).")
    Path tokenFile = AdminRouteClient.DEFAULT_TOKEN_FILE;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      if ((modid == null) != (cmdid == null)) {
        throw new ParameterException(spec.commandLine(), "MODID and CMDID go together");
      }
      String query = modid == null ? "" : "?modid=" + modid + "&cmdid=" + cmdid;
      Optional<String> bearer;
      try {
        bearer = AdminRouteClient.resolveToken(token, System.getenv(), tokenFile);
      } catch (RouteTool.Failure e) {
        System.err.println("lars leases: " + e.getMessage());
        return e.exitCode();
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stripSlash(admin) + "/api/leases" + query))
          .timeout(Duration.ofSeconds(10)).GET();
      bearer.ifPresent(t -> request.header("Authorization", "Bearer " + t));
      try {
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          System.err.println("lars leases: admin answered " + response.statusCode() + ": " + response.body());
          return UNAVAILABLE;
        }
        JsonNode body = new ObjectMapper().readTree(response.body());
        for (JsonNode lease : body.get("leases")) {
          System.out.println(lease.get("modid").asInt() + " " + lease.get("cmdid").asInt() + " " + lease.get("ip").asText()
              + " " + lease.get("port").asInt() + " " + lease.get("state").asText() + " ttl=" + lease.get("ttlS").asInt()
              + "s weight=" + lease.get("weight").asInt() + " id=" + lease.get("id").asText());
        }
        if (body.get("expirySuspended").asBoolean()) {
          System.out.println("lease expiry suspended (lars.dns.leases.max-expiry-fraction)");
        }
        return LarsMain.SUCC;
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("lars leases: cannot reach the admin at " + admin + ": " + e.getMessage());
        return UNAVAILABLE;
      }
    }

    private static String stripSlash(String url) {
      return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
  }
}
