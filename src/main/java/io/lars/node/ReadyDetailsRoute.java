package io.lars.node;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.management.HealthCheckSettings;
import akka.management.NamedHealthCheck;
import akka.management.javadsl.CheckResult;
import akka.management.javadsl.HealthChecks;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lars.dns.Poller;
import io.lars.lease.LeaseBook;
import io.lars.lease.LeaseNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /ready/details} on the management port (registered in {@code lars-akka.conf} under
 * {@code akka.management.http.routes}): the result of each readiness check of {@code /ready}, and
 * on a dns node the protections in force (DESIGN.md "Self-registration with leases"): the modules
 * whose route is held back (their last good route served because a load lost more than {@code
 * max-shrink-fraction} of their hosts, or was too large) and whether lease expiry is suspended by
 * the cluster-wide guard, with its counts.
 *
 * <p>The status code is that of {@code /ready}: 200 when every readiness check passes, 500
 * otherwise; the body is JSON either way. A held route does not make the node unready: the route
 * served is the last good one, and an unready dns would be taken out of service for a fault of the
 * database that every dns node shares (the details are there so an operator sees it).
 *
 * <p>Each check runs through Akka Management's own {@link HealthChecks} with one check each (same
 * loading, {@code check-timeout} and failure messages as {@code /ready}). The dns part asks the
 * node's {@link Poller} (found through the Receptionist, this node's only) and {@link LeaseBook}
 * within {@code check-timeout}; it is {@code null} on a node without the dns role and carries an
 * {@code error} when they do not answer in time.
 */
public final class ReadyDetailsRoute extends AllDirectives implements ManagementRouteProvider {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ActorSystem<?> system;
  private final String readinessPath;
  private final Duration timeout;
  /** One single-check {@link HealthChecks} per readiness check, in configuration order. */
  private final Map<String, HealthChecks> checks = new LinkedHashMap<>();

  /**
   * Called by Akka Management when it starts.
   *
   * @param system the node's classic actor system
   * @throws akka.management.InvalidHealthCheckException if a configured check cannot be loaded (then
   *     Akka Management's own {@code /ready} fails to start too)
   */
  public ReadyDetailsRoute(ExtendedActorSystem system) {
    this.system = Adapter.toTyped(system);
    HealthCheckSettings all = HealthCheckSettings.create(system.settings().config().getConfig("akka.management.health-checks"));
    this.readinessPath = all.readinessPath();
    this.timeout = all.getCheckTimeout();
    for (NamedHealthCheck check : all.getReadinessChecks()) {
      checks.put(check.name(), new HealthChecks(system, HealthCheckSettings.create(List.of(check), List.of(),
          all.readinessPath(), all.livenessPath(), all.getCheckTimeout())));
    }
  }

  /**
   * @param settings Akka Management's route settings (unused: the route only reads)
   * @return {@code GET <readiness-path>/details}
   */
  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(PathMatchers.separateOnSlashes(readinessPath + "/details"), () -> get(() ->
        onSuccess(details(), details -> complete(details.ready() ? StatusCodes.OK : StatusCodes.INTERNAL_SERVER_ERROR,
            details, Jackson.marshaller(MAPPER)))));
  }

  /** @return the details now; completes within about {@code check-timeout}, never fails */
  public CompletionStage<Details> details() {
    CompletionStage<List<Check>> results = CompletableFuture.completedFuture(List.of());
    for (Map.Entry<String, HealthChecks> check : checks.entrySet()) {
      CompletionStage<Check> result = check.getValue().readyResult()
          .handle((r, e) -> e != null ? new Check(check.getKey(), false, e.toString()) : check(check.getKey(), r));
      results = results.thenCombine(result, (list, one) -> {
        List<Check> more = new ArrayList<>(list);
        more.add(one);
        return more;
      });
    }
    return results.thenCombine(dns(), (list, dns) -> new Details(list.stream().allMatch(Check::ok), list, dns));
  }

  private static Check check(String name, CheckResult result) {
    return new Check(name, result.isSuccess(), result.failure().orElse(null));
  }

  /** The dns part: null without a local poller (no dns role); never fails. */
  private CompletionStage<Dns> dns() {
    CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
        replyTo -> Receptionist.find(Poller.SERVICE_KEY, replyTo), timeout, system.scheduler());
    return listing.thenCompose(found -> found.getServiceInstances(Poller.SERVICE_KEY).stream()
            .filter(poller -> poller.path().address().hasLocalScope())
            .findFirst()
            .map(this::dnsOf)
            .orElseGet(() -> CompletableFuture.completedFuture(null)))
        .exceptionally(e -> new Dns(null, null, null, "the dns did not answer within " + timeout.toMillis() + " ms: " + e));
  }

  private CompletionStage<Dns> dnsOf(ActorRef<Poller.Command> poller) {
    CompletionStage<Poller.HeldRoutes> held = AskPattern.ask(poller, Poller.GetHeldRoutes::new, timeout, system.scheduler());
    CompletionStage<LeaseBook.ExpiryGuardStatus> guard = AskPattern.ask(LeaseNode.get(system).book(),
        LeaseBook.GetExpiryGuard::new, timeout, system.scheduler());
    return held.thenCombine(guard, (routes, expiry) -> new Dns(routes.maxShrinkFraction(),
        routes.routes().stream().map(ReadyDetailsRoute::held).toList(), expiry(expiry), null));
  }

  private static HeldRoute held(Poller.HeldRoute route) {
    return new HeldRoute(route.module().modid(), route.module().cmdid(), route.reason().name().toLowerCase(Locale.ROOT),
        route.hostsKept(), route.hostsLoaded(), route.since().toString());
  }

  private static LeaseExpiry expiry(LeaseBook.ExpiryGuardStatus s) {
    return new LeaseExpiry(s.suspended(), s.leases(), s.due(), s.expiredRecently(), s.maxExpiryFraction(),
        s.minLeasesForProtection(), s.suspendedSince().map(Instant::toString).orElse(null));
  }

  /**
   * The body of {@code /ready/details}.
   *
   * @param ready whether every readiness check passed (what {@code /ready} answers)
   * @param checks each readiness check, in configuration order
   * @param dns the dns protections; null on a node without the dns role (and for a moment after
   *     start, until the Receptionist lists the node's poller)
   */
  public record Details(boolean ready, List<Check> checks, Dns dns) {}

  /**
   * One readiness check.
   *
   * @param name its key under {@code akka.management.health-checks.readiness-checks}
   * @param ok whether it passed within {@code check-timeout}
   * @param failure Akka Management's message when it did not (names the check's class), else null
   */
  public record Check(String name, boolean ok, String failure) {}

  /**
   * The protections of the node's dns.
   *
   * @param maxShrinkFraction {@code lars.dns.max-shrink-fraction}, 0..1 (1 = off); null with {@code error}
   * @param heldRoutes modules served their last good route instead of a refused load, sorted by module
   * @param leaseExpiry the cluster-wide expiry protection as this node sees it
   * @param error why the dns could not be asked, else null
   */
  public record Dns(Double maxShrinkFraction, List<HeldRoute> heldRoutes, LeaseExpiry leaseExpiry, String error) {}

  /**
   * A module whose route is held back.
   *
   * @param modid modid
   * @param cmdid cmdid
   * @param reason {@code shrink} (the load lost more than {@code max-shrink-fraction} of the hosts
   *     without {@code RouteChange} rows) or {@code oversize} (more hosts than one frame carries)
   * @param hostsKept hosts of the route served, the last good one
   * @param hostsLoaded hosts of the latest refused load
   * @param since when the refusal started, ISO-8601 UTC
   */
  public record HeldRoute(int modid, int cmdid, String reason, int hostsKept, int hostsLoaded, String since) {}

  /**
   * The cluster-wide lease expiry protection.
   *
   * @param suspended whether expiry is held back now
   * @param leases leases of every module
   * @param due leases past their TTL not removed
   * @param expiredRecently leases expired within their last TTL
   * @param maxExpiryFraction {@code lars.dns.leases.max-expiry-fraction}
   * @param minLeasesForProtection {@code lars.dns.leases.min-leases-for-protection}
   * @param suspendedSince when the suspension started, ISO-8601 UTC; null while not suspended
   */
  public record LeaseExpiry(boolean suspended, long leases, long due, long expiredRecently, double maxExpiryFraction,
      int minLeasesForProtection, String suspendedSince) {}
}
