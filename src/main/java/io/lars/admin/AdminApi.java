package io.lars.admin;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.model.headers.Host;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.AuthenticationFailedRejection;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.http.scaladsl.model.EntityStreamSizeException;
import io.lars.Futures;
import io.lars.db.AuditRepository;
import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.DatabaseException;
import io.lars.db.DuplicateHostException;
import io.lars.db.ModuleTrafficQuery;
import io.lars.db.NameRepository;
import io.lars.db.RouteChangeLog;
import io.lars.db.RouteRepository;
import io.lars.db.RouteRow;
import io.lars.db.RouteTooLargeException;
import io.lars.kernel.Metrics;
import io.lars.lease.LeaseBook;
import io.lars.lease.LeaseReply;
import io.lars.protocol.ModuleId;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's HTTP routes: the JSON REST API under {@code /api} (described by the OpenAPI document
 * {@code /api/openapi.json} and docs/API.md), Prometheus text on {@code /metrics} and the console
 * from the classpath directory {@code web/} on {@code /}.
 *
 * <p>Authentication: writes (POST, PUT, DELETE) need {@code Authorization: Bearer <token>}; reads
 * need it too unless the connection comes from a trusted address (loopback by default) <em>and</em>
 * names a loopback or configured host in its {@code Host} header (a web page whose DNS name was
 * rebound to 127.0.0.1 carries its own name). A missing or wrong token gives 401.
 *
 * <p>Every error is JSON {@code {"error": ..., "field": ...}}: 400 for bad input (naming the field
 * or parameter; unknown body fields are refused), 404 for unknown ids, paths and modules, 405 for a
 * method a path does not take, 409 for a duplicate host, 413 for a body above
 * {@code lars.admin.max-body-size}, 503 when the database or the live view is unavailable. Every
 * answer carries {@code X-Frame-Options: DENY} and a {@code Content-Security-Policy} that allows
 * only the console's own files.
 *
 * <p>Every JDBC call runs on the executor handed in ({@code lars-jdbc-dispatcher}), never on the
 * HTTP threads. After a successful route write the {@code routesChanged} callback runs, which tells
 * the dns role to reload at once.
 */
public final class AdminApi extends AllDirectives {

  /**
   * What the API needs.
   *
   * @param routes the route repository (its writes are audited under the token's name)
   * @param names module and command names
   * @param changes the {@code RouteChange} reader
   * @param audit the audit log reader
   * @param status the latest call statistics
   * @param history the call statistics over time
   * @param traffic calls per module over the overview's window
   * @param loadBalance the live LoadBalance view
   * @param cluster the cluster members and shard placement
   * @param leases the lease owners and the node's lease book (DESIGN.md "Self-registration")
   * @param routesChanged called after every successful route write
   * @param jdbc the executor of all JDBC calls
   * @param token the bearer token
   * @param trustedReader whether a peer address may read without the token
   * @param metrics the node's metrics
   * @param settings the admin settings
   * @param clock gives "now" for history windows
   */
  public record Dependencies(RouteRepository routes, NameRepository names, RouteChangeLog changes,
      AuditRepository audit, CallStatusRepository status, CallHistoryRepository history, ModuleTrafficQuery traffic,
      LoadBalanceView loadBalance, ClusterStateView cluster, LeaseAccess leases, Runnable routesChanged, Executor jdbc, AdminToken token,
      Predicate<InetAddress> trustedReader, Metrics metrics, AdminSettings settings, Clock clock) {

    /** @throws NullPointerException if any is null */
    public Dependencies {
      Objects.requireNonNull(routes, "routes");
      Objects.requireNonNull(names, "names");
      Objects.requireNonNull(changes, "changes");
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(history, "history");
      Objects.requireNonNull(traffic, "traffic");
      Objects.requireNonNull(loadBalance, "loadBalance");
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(leases, "leases");
      Objects.requireNonNull(routesChanged, "routesChanged");
      Objects.requireNonNull(jdbc, "jdbc");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(trustedReader, "trustedReader");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(clock, "clock");
    }
  }

  /** Window of the overview's call figures, seconds. */
  public static final int OVERVIEW_WINDOW_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final int DEFAULT_HISTORY_MINUTES = 60;
  private static final String OPENAPI_RESOURCE = "web/openapi.json";
  private static final List<HttpHeader> SECURITY_HEADERS = List.of(
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
          + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"));
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "localhost.", "ip6-localhost");

  private final Dependencies deps;
  private final Counter routeWrites;
  private final List<String> operations = new ArrayList<>();
  private final byte[] openApi;
  private final Route route;

  /**
   * Builds the route tree once.
   *
   * @param deps what the API needs
   * @throws UncheckedIOException if the OpenAPI document is missing from the classpath
   */
  public AdminApi(Dependencies deps) {
    this.deps = Objects.requireNonNull(deps, "deps");
    this.routeWrites = Counter.builder("lars.admin.route.writes").description("route writes through the admin")
        .register(deps.metrics().registry());
    this.openApi = resource(OPENAPI_RESOURCE);
    this.route = build();
  }

  /** @return the whole route tree */
  public Route route() {
    return route;
  }

  /**
   * The operations the route tree serves, as {@code "METHOD /path/{param}"}, in the OpenAPI
   * document's path syntax (the OpenAPI test compares the two).
   *
   * @return the operations, in declaration order; immutable
   */
  public List<String> operations() {
    return List.copyOf(operations);
  }

  private Route build() {
    Route api = concat(
        // routes
        op(HttpMethods.GET, "/api/routes", path("routes", () -> get(() -> reading(() -> moduleQuery(this::listRoutes))))),
        op(HttpMethods.POST, "/api/routes", path("routes", () -> post(() -> writing(() -> body(body -> {
          ApiJson.RouteInput in = ApiJson.parseRoute(body);
          return routeWrite(() -> deps.routes().addHost(in.module(), in.host()), StatusCodes.CREATED);
        }))))),
        op(HttpMethods.GET, "/api/routes/{id}", path(PathMatchers.segment("routes").slash(PathMatchers.longSegment()),
            id -> get(() -> reading(() -> jdbc(() -> routeView(deps.routes().find(id)
                .orElseThrow(() -> unknownRoute(id))), StatusCodes.OK))))),
        op(HttpMethods.PUT, "/api/routes/{id}", path(PathMatchers.segment("routes").slash(PathMatchers.longSegment()),
            id -> put(() -> writing(() -> body(body -> {
              ApiJson.RouteInput in = ApiJson.parseRoute(body);
              return routeWrite(() -> updateRoute(id, in), StatusCodes.OK);
            }))))),
        op(HttpMethods.DELETE, "/api/routes/{id}", path(PathMatchers.segment("routes").slash(PathMatchers.longSegment()),
            id -> delete(() -> writing(() -> jdbc(() -> {
              if (!deps.routes().removeRoute(id)) {
                throw unknownRoute(id);
              }
              routeWritten();
              return Map.of("deleted", id);
            }, StatusCodes.OK))))),
        // leases (DESIGN.md "Self-registration")
        op(HttpMethods.GET, "/api/leases", path("leases", () -> get(() -> reading(() -> moduleQuery(module ->
            async(deps.leases().list(module).thenApply(ApiJson.LeasesView::of), StatusCodes.OK)))))),
        op(HttpMethods.POST, "/api/leases", path("leases", () -> post(() -> writing(() -> body(body ->
            leaseWrite(deps.leases().register(ApiJson.parseLease(body)), StatusCodes.CREATED)))))),
        op(HttpMethods.POST, "/api/leases/{id}/heartbeat", path(PathMatchers.segment("leases").slash(PathMatchers.segment())
            .slash("heartbeat"), id -> post(() -> writing(() -> leaseWrite(deps.leases().heartbeat(id), StatusCodes.OK))))),
        op(HttpMethods.DELETE, "/api/leases/{id}", path(PathMatchers.segment("leases").slash(PathMatchers.segment()),
            id -> delete(() -> writing(() -> parameterOptional("drain_s", drain ->
                leaseWrite(deps.leases().deregister(id, intParameter("drain_s", drain.orElse("0"))), StatusCodes.OK)))))),
        // names
        op(HttpMethods.GET, "/api/modules", path("modules", () -> get(() -> reading(() -> listNames(true))))),
        op(HttpMethods.PUT, "/api/modules/{modid}", path(PathMatchers.segment("modules").slash(PathMatchers.integerSegment()),
            id -> put(() -> writing(() -> setName(true, id))))),
        op(HttpMethods.DELETE, "/api/modules/{modid}", path(PathMatchers.segment("modules").slash(PathMatchers.integerSegment()),
            id -> delete(() -> writing(() -> deleteName(true, id))))),
        op(HttpMethods.GET, "/api/commands", path("commands", () -> get(() -> reading(() -> listNames(false))))),
        op(HttpMethods.PUT, "/api/commands/{cmdid}", path(PathMatchers.segment("commands").slash(PathMatchers.integerSegment()),
            id -> put(() -> writing(() -> setName(false, id))))),
        op(HttpMethods.DELETE, "/api/commands/{cmdid}", path(PathMatchers.segment("commands").slash(PathMatchers.integerSegment()),
            id -> delete(() -> writing(() -> deleteName(false, id))))),
        // history and state
        op(HttpMethods.GET, "/api/version", path("version", () -> get(() -> reading(
            () -> jdbc(() -> ApiJson.VersionView.of(deps.routes().readVersion()), StatusCodes.OK))))),
        op(HttpMethods.GET, "/api/changes", path("changes", () -> get(() -> reading(this::changes)))),
        op(HttpMethods.GET, "/api/audit", path("audit", () -> get(() -> reading(this::audit)))),
        op(HttpMethods.GET, "/api/status", path("status", () -> get(() -> reading(() -> moduleQuery(module -> jdbc(
            () -> deps.status().list(module).stream().map(ApiJson.StatusView::of).toList(), StatusCodes.OK)))))),
        op(HttpMethods.GET, "/api/status/history", path(PathMatchers.segment("status").slash("history"),
            () -> get(() -> reading(this::history)))),
        op(HttpMethods.GET, "/api/lb/{modid}/{cmdid}", path(PathMatchers.segment("lb").slash(PathMatchers.integerSegment())
            .slash(PathMatchers.integerSegment()), (modid, cmdid) -> get(() -> reading(
                () -> loadBalance(new ModuleId(modid, cmdid)))))),
        op(HttpMethods.GET, "/api/overview", path("overview", () -> get(() -> reading(this::overview)))),
        op(HttpMethods.GET, "/api/cluster", path("cluster", () -> get(() -> reading(this::cluster)))),
        op(HttpMethods.GET, "/api/openapi.json", path("openapi.json", () -> get(
            () -> complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, openApi))))));
    Route metrics = op(HttpMethods.GET, "/metrics", path("metrics", () -> get(() -> reading(this::metricsText))));
    RejectionHandler apiRejections = rejections("no such API: /api");
    RejectionHandler otherRejections = rejections("not found: ");
    ExceptionHandler exceptions = exceptionHandler();
    // The suppliers below run per request: build nothing in them that op() would record again.
    return respondWithHeaders(SECURITY_HEADERS, () -> handleExceptions(exceptions,
        () -> handleRejections(otherRejections, () -> concat(
        pathPrefix("api", () -> handleRejections(apiRejections, () -> api)),
        metrics,
        pathEndOrSingleSlash(() -> get(() -> getFromResource("web/index.html", ContentTypes.TEXT_HTML_UTF8))),
        get(() -> getFromResourceDirectory("web"))))));
  }

  /** Records an operation for {@link #operations()}; the route must serve exactly that method and path. */
  private Route op(HttpMethod method, String template, Route inner) {
    operations.add(method.name() + " " + template);
    return inner;
  }

  // ---- routes ------------------------------------------------------------------------------------

  private static NotFoundException unknownRoute(long id) {
    return new NotFoundException("unknown route id " + id);
  }

  private RouteRow updateRoute(long id, ApiJson.RouteInput in) {
    try {
      return deps.routes().updateRoute(id, in.module(), in.host());
    } catch (NoSuchElementException e) {
      throw unknownRoute(id);
    }
  }

  private Route routeWrite(Supplier<RouteRow> write, StatusCode status) {
    return jdbc(() -> {
      RouteRow row = write.get();
      routeWritten();
      return routeView(row);
    }, status);
  }

  private ApiJson.RouteView routeView(RouteRow row) {
    return ApiJson.RouteView.of(row, deps.names().listModuleNames(), deps.names().listCommandNames());
  }

  /** Counts the write and has the dns reload at once, so agents get it well before the next poll. */
  private void routeWritten() {
    routeWrites.increment();
    deps.routesChanged().run();
  }

  private Route listRoutes(Optional<ModuleId> module) {
    return jdbc(() -> {
      List<RouteRow> rows = module.map(deps.routes()::list).orElseGet(deps.routes()::loadAll);
      SortedMap<Integer, String> modules = deps.names().listModuleNames();
      SortedMap<Integer, String> commands = deps.names().listCommandNames();
      return rows.stream().map(r -> ApiJson.RouteView.of(r, modules, commands)).toList();
    }, StatusCodes.OK);
  }

  /** A lease write: the owner's answer as JSON, or its failure as the matching status. */
  private Route leaseWrite(CompletionStage<LeaseReply> reply, StatusCode status) {
    return async(reply.thenApply(r -> switch (r.status()) {
      case OK -> ApiJson.LeaseAnswer.of(r);
      case INVALID -> throw new InvalidRequestException(r.error());
      case CONFLICT -> throw new LeaseConflictException(r.error());
      case UNKNOWN -> throw new NotFoundException(r.error());
      case UNAVAILABLE -> throw new LoadBalanceUnavailableException(r.error());
    }), status);
  }

  // ---- names -------------------------------------------------------------------------------------

  private Route listNames(boolean modules) {
    return jdbc(() -> modules
        ? deps.names().listModuleNames().entrySet().stream().map(e -> new ApiJson.ModuleName(e.getKey(), e.getValue())).toList()
        : deps.names().listCommandNames().entrySet().stream().map(e -> new ApiJson.CommandName(e.getKey(), e.getValue())).toList(),
        StatusCodes.OK);
  }

  private Route setName(boolean modules, int id) {
    return body(body -> {
      String name = ApiJson.parseName(body, NameRepository.MAX_NAME_LENGTH);
      return jdbc(() -> {
        if (modules) {
          deps.names().upsertModuleName(id, name);
          return new ApiJson.ModuleName(id, name);
        }
        deps.names().upsertCommandName(id, name);
        return new ApiJson.CommandName(id, name);
      }, StatusCodes.OK);
    });
  }

  private Route deleteName(boolean modules, int id) {
    return jdbc(() -> {
      boolean deleted = modules ? deps.names().deleteModuleName(id) : deps.names().deleteCommandName(id);
      if (!deleted) {
        throw new NotFoundException((modules ? "modid " : "cmdid ") + id + " has no name");
      }
      return Map.of("deleted", id);
    }, StatusCodes.OK);
  }

  // ---- changes, audit, status, history -----------------------------------------------------------

  private Route changes() {
    return jdbc(() -> deps.changes().recent(deps.settings().changesLimit()).stream().map(ApiJson.ChangeView::of)
        .toList(), StatusCodes.OK);
  }

  private Route audit() {
    return moduleQuery(module -> parameterOptional("limit", limitText -> {
      int limit = limitText.map(text -> intParameter("limit", text)).orElse(deps.settings().auditLimit());
      if (limit < 1 || limit > deps.settings().auditLimit()) {
        throw new InvalidRequestException("limit", "parameter 'limit' must be 1.." + deps.settings().auditLimit()
            + ", got " + limit);
      }
      return jdbc(() -> deps.audit().recent(module, limit).stream().map(ApiJson.AuditView::of).toList(), StatusCodes.OK);
    }));
  }

  private Route history() {
    return moduleQuery(module -> parameterOptional("minutes", minutes -> {
      ModuleId m = module.orElseThrow(() -> new InvalidRequestException("modid",
          "parameters 'modid' and 'cmdid' are required"));
      int window = minutes.map(text -> intParameter("minutes", text)).orElse(DEFAULT_HISTORY_MINUTES);
      if (window < 1 || window > deps.settings().maxHistoryMinutes()) {
        throw new InvalidRequestException("minutes", "parameter 'minutes' must be 1.."
            + deps.settings().maxHistoryMinutes() + ", got " + window);
      }
      long since = deps.clock().instant().getEpochSecond() - window * 60L;
      return jdbc(() -> history(m, since), StatusCodes.OK);
    }));
  }

  private ApiJson.HistoryView history(ModuleId module, long since) {
    List<CallStatusRow> rows = deps.history().history(module, since);
    TreeMap<Long, long[]> sums = new TreeMap<>();
    for (CallStatusRow row : rows) {
      long[] s = sums.computeIfAbsent(row.ts(), ts -> new long[3]);
      s[0] += row.succ();
      s[1] += row.err();
      s[2] += row.overload() ? 1 : 0;
    }
    List<ApiJson.HistoryPoint> points = new ArrayList<>();
    sums.forEach((ts, s) -> points.add(new ApiJson.HistoryPoint(ts, s[0], s[1], (int) s[2])));
    return new ApiJson.HistoryView(module.modid(), module.cmdid(), since, points,
        rows.stream().map(ApiJson.StatusView::of).toList());
  }

  // ---- live views --------------------------------------------------------------------------------

  /**
   * The live state, only of a module the route table, its leases or the agents' reports know: the
   * database and the lease book are asked first, so a read for a module nobody uses starts no entity.
   */
  private Route loadBalance(ModuleId module) {
    CompletionStage<Boolean> leased = deps.leases().list(Optional.of(module))
        .thenApply(listing -> !listing.sets().isEmpty())
        .exceptionally(e -> false);
    CompletionStage<Boolean> known = CompletableFuture.supplyAsync(
        () -> !deps.routes().list(module).isEmpty() || !deps.status().list(Optional.of(module)).isEmpty(), deps.jdbc())
        .thenCombine(leased, Boolean::logicalOr);
    return async(known.thenCompose(isKnown -> {
      if (!isKnown) {
        throw new NotFoundException("module " + module.modid() + "/" + module.cmdid()
            + " is unknown: it has no route, no lease and no agent reported it");
      }
      return deps.loadBalance().state(module).thenApply(ApiJson.LbView::of);
    }), StatusCodes.OK);
  }

  private record OverviewData(long version, Map<ModuleId, Integer> hosts, SortedMap<Integer, String> moduleNames,
      SortedMap<Integer, String> commandNames, Set<ModuleId> reported, Map<ModuleId, ModuleTrafficQuery.Traffic> traffic,
      Optional<Map<ModuleId, Integer>> registered) {

    OverviewData withRegistered(Optional<Map<ModuleId, Integer>> leased) {
      return new OverviewData(version, hosts, moduleNames, commandNames, reported, traffic, leased);
    }
  }

  /** Registered hosts in the route (leases not draining) per module with leases. */
  private static Map<ModuleId, Integer> registeredHosts(LeaseBook.Listing listing) {
    Map<ModuleId, Integer> registered = new TreeMap<>();
    listing.sets().forEach(set -> registered.put(set.module(), set.activeHosts().size()));
    return registered;
  }

  private Route overview() {
    long now = deps.clock().instant().getEpochSecond();
    // Without an answer from the lease book the overview still lists the static and reported modules.
    CompletionStage<Optional<Map<ModuleId, Integer>>> leased = deps.leases().list(Optional.empty())
        .thenApply(listing -> Optional.of(registeredHosts(listing)))
        .exceptionally(e -> Optional.empty());
    CompletionStage<ApiJson.OverviewView> view = CompletableFuture.supplyAsync(() -> {
      Map<ModuleId, Integer> hosts = new TreeMap<>();
      deps.routes().loadRoutes().forEach((module, set) -> hosts.put(module, set.size()));
      Set<ModuleId> reported = new TreeSet<>();
      deps.status().list(Optional.empty()).forEach(row -> reported.add(row.module()));
      return new OverviewData(deps.routes().readVersion(), hosts, deps.names().listModuleNames(),
          deps.names().listCommandNames(), reported, deps.traffic().since(now - OVERVIEW_WINDOW_SECONDS), Optional.empty());
    }, deps.jdbc()).thenCombine(leased, OverviewData::withRegistered).thenCompose(data -> {
      Set<ModuleId> modules = new TreeSet<>(data.hosts().keySet());
      modules.addAll(data.reported());
      data.registered().ifPresent(registered -> modules.addAll(registered.keySet()));
      boolean live = modules.size() <= deps.settings().overviewLiveLimit();
      List<CompletableFuture<ApiJson.ModuleSummary>> rows = modules.stream()
          .map(m -> summary(m, data, live).toCompletableFuture()).toList();
      return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(done -> new ApiJson.OverviewView(
          now, OVERVIEW_WINDOW_SECONDS, ApiJson.VersionView.of(data.version()),
          rows.stream().map(CompletableFuture::join).toList()));
    });
    return async(view, StatusCodes.OK);
  }

  private CompletionStage<ApiJson.ModuleSummary> summary(ModuleId m, OverviewData data, boolean live) {
    ModuleTrafficQuery.Traffic t = data.traffic().getOrDefault(m, new ModuleTrafficQuery.Traffic(0, 0));
    long calls = t.succ() + t.err();
    double perSecond = calls / (double) OVERVIEW_WINDOW_SECONDS;
    double errorRate = calls == 0 ? 0 : t.err() / (double) calls;
    String moduleName = data.moduleNames().get(m.modid());
    String commandName = data.commandNames().get(m.cmdid());
    int hosts = data.hosts().getOrDefault(m, 0);
    Integer registered = data.registered().map(r -> r.getOrDefault(m, 0)).orElse(null);
    if (!live) {
      return CompletableFuture.completedFuture(new ApiJson.ModuleSummary(m.modid(), m.cmdid(), moduleName, commandName,
          hosts, registered, null, null, "skipped", null, calls, t.err(), perSecond, errorRate));
    }
    return deps.loadBalance().state(m).handle((s, failure) -> failure == null
        ? new ApiJson.ModuleSummary(m.modid(), m.cmdid(), moduleName, commandName, hosts, registered, s.idle().size(),
            s.overload().size(), "live", null, calls, t.err(), perSecond, errorRate)
        : new ApiJson.ModuleSummary(m.modid(), m.cmdid(), moduleName, commandName, hosts, registered, null, null,
            "unavailable", Futures.unwrap(failure).getMessage(), calls, t.err(), perSecond, errorRate));
  }

  private Route cluster() {
    return async(CompletableFuture.supplyAsync(() -> deps.routes().loadRoutes().keySet(), deps.jdbc())
        .thenCompose(modules -> deps.cluster().cluster(modules)), StatusCodes.OK);
  }

  private Route metricsText() {
    return complete(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, deps.metrics().scrape()));
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** Optional {@code modid} and {@code cmdid} query parameters: both or neither. */
  private Route moduleQuery(Function<Optional<ModuleId>, Route> inner) {
    return parameterOptional("modid", modid -> parameterOptional("cmdid", cmdid -> {
      if (modid.isPresent() != cmdid.isPresent()) {
        throw new InvalidRequestException(modid.isPresent() ? "cmdid" : "modid",
            "parameters 'modid' and 'cmdid' go together; got only " + (modid.isPresent() ? "'modid'" : "'cmdid'"));
      }
      return inner.apply(modid.map(m -> new ModuleId(intParameter("modid", m), intParameter("cmdid", cmdid.get()))));
    }));
  }

  private static int intParameter(String name, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(name, "parameter '" + name + "' must be an integer, got " + ApiJson.quoted(text));
    }
  }

  /**
   * The request body as text, whatever its content type (the API parses JSON itself to name bad
   * fields), at most {@code lars.admin.max-body-size} bytes: a declared larger length is refused
   * before reading, a longer stream while reading (both 413).
   */
  private Route body(Function<String, Route> inner) {
    long max = deps.settings().maxBodyBytes();
    return extractRequestEntity(entity -> {
      if (entity.getContentLengthOption().orElse(0L) > max) {
        return error(StatusCodes.PAYLOAD_TOO_LARGE, "request body of " + entity.getContentLengthOption().getAsLong()
            + " bytes is above the limit of " + max + " bytes", null);
      }
      return withSizeLimit(max, () -> entity(Unmarshaller.entityToString(), inner));
    });
  }

  /** Runs blocking work on the JDBC executor and completes with its result as JSON. */
  private <T> Route jdbc(Supplier<T> work, StatusCode status) {
    return async(CompletableFuture.supplyAsync(work, deps.jdbc()), status);
  }

  private <T> Route async(CompletionStage<T> result, StatusCode status) {
    return onComplete(result, outcome -> outcome.isSuccess()
        ? complete(status, outcome.get(), Jackson.marshaller(ApiJson.mapper()))
        : failure(outcome.failed().get()));
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder().match(RuntimeException.class, this::failure).build();
  }

  private Route failure(Throwable failure) {
    Throwable e = Futures.unwrap(failure);
    if (e instanceof InvalidRequestException invalid) {
      return error(StatusCodes.BAD_REQUEST, e.getMessage(), invalid.field().orElse(null));
    }
    if (e instanceof NotFoundException) {
      return error(StatusCodes.NOT_FOUND, e.getMessage(), null);
    }
    if (e instanceof DuplicateHostException) {
      return error(StatusCodes.CONFLICT, e.getMessage(), "ip");
    }
    if (e instanceof LeaseConflictException) {
      return error(StatusCodes.CONFLICT, e.getMessage(), "ip");
    }
    if (e instanceof RouteTooLargeException) {
      return error(StatusCodes.CONFLICT, e.getMessage(), "modid");
    }
    if (e instanceof IllegalArgumentException) {
      return error(StatusCodes.BAD_REQUEST, e.getMessage(), null);
    }
    if (e instanceof LoadBalanceUnavailableException) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage(), null);
    }
    if (e instanceof DatabaseException) {
      deps.metrics().databaseError("admin");
      log.warn("admin request failed: {}", e.getMessage());
      return error(StatusCodes.SERVICE_UNAVAILABLE, "database unavailable: " + e.getMessage(), null);
    }
    log.error("admin request failed", e);
    return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getName(), null);
  }

  /**
   * Rejections as JSON errors: 401 for authentication, 405 with {@code Allow} for a method a path
   * does not take, 413 for an oversize body, 404 (message {@code notFound} and the path) for
   * anything else unmatched.
   */
  private RejectionHandler rejections(String notFound) {
    return RejectionHandler.newBuilder()
        .handle(AuthenticationFailedRejection.class, r -> respondWithHeader(WWWAuthenticate.create(r.challenge()),
            () -> error(StatusCodes.UNAUTHORIZED, r.cause()
                instanceof akka.http.scaladsl.server.AuthenticationFailedRejection.CredentialsMissing$
                ? "missing 'Authorization: Bearer <token>'; the admin token is in lars.admin.token, "
                    + "LARS_ADMIN_TOKEN or the admin-token file under lars.admin.data-dir"
                : "wrong admin token", null)))
        .handle(MalformedRequestContentRejection.class, r -> Futures.unwrap(r.getCause()) instanceof EntityStreamSizeException
            ? error(StatusCodes.PAYLOAD_TOO_LARGE, "request body is above the limit of "
                + deps.settings().maxBodyBytes() + " bytes", null)
            : error(StatusCodes.BAD_REQUEST, "unreadable request body", null))
        .handleAll(MethodRejection.class, rs -> {
          List<HttpMethod> allowed = rs.stream().map(MethodRejection::supported).toList();
          return respondWithHeader(Allow.create(allowed.toArray(HttpMethod[]::new)), () -> error(
              StatusCodes.METHOD_NOT_ALLOWED, "method not allowed; this path takes "
                  + allowed.stream().map(HttpMethod::name).toList(), null));
        })
        .handleNotFound(extractUnmatchedPath(rest -> error(StatusCodes.NOT_FOUND,
            notFound + ApiJson.quoted(rest.toString()).replace("'", "") + "; see /api/openapi.json", null)))
        .build()
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(AdminApi::asJsonError));
  }

  /** Turns a default rejection answer (plain text) into the API's JSON error. */
  private static HttpResponse asJsonError(HttpResponse response) {
    if (response.entity() instanceof HttpEntity.Strict strict
        && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      String text = strict.getData().utf8String();
      try {
        return response.withEntity(ContentTypes.APPLICATION_JSON,
            ApiJson.mapper().writeValueAsBytes(new ApiJson.ErrorView(text.length() > 300 ? text.substring(0, 300) : text, null)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return response;
  }

  private Route error(StatusCode status, String message, String field) {
    return complete(status, new ApiJson.ErrorView(message, field), Jackson.marshaller(ApiJson.mapper()));
  }

  /**
   * A read: free for a trusted peer that names a loopback or configured host, otherwise the token.
   * The Host check defeats DNS rebinding: a page on {@code evil.example} whose name now resolves to
   * 127.0.0.1 reaches the loopback listener, but its requests say {@code Host: evil.example}.
   */
  private Route reading(Supplier<Route> inner) {
    return extractRequest(request -> peerAddress(request).filter(deps.trustedReader()).isPresent()
        && hostAllowed(request) ? inner.get() : writing(inner));
  }

  /** A write: always the token ({@code Authorization: Bearer}); a failure is a 401 rejection. */
  private Route writing(Supplier<Route> inner) {
    return authenticateOAuth2("lars-admin",
        credentials -> credentials.filter(c -> c.verify(deps.token().secret())).map(c -> deps.settings().tokenName()),
        tokenName -> inner.get());
  }

  private boolean hostAllowed(HttpRequest request) {
    Optional<Host> header = request.getHeader(Host.class);
    if (header.isEmpty()) {
      return false;
    }
    String name = header.get().host().address().toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    return LOOPBACK_NAMES.contains(name) || deps.settings().allowedHosts().contains(name) || isLoopbackLiteral(name);
  }

  /** True for a literal loopback address (127.0.0.0/8 dotted, ::1), never resolving a name. */
  private static boolean isLoopbackLiteral(String name) {
    if (name.equals("::1") || name.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = name.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private static Optional<InetAddress> peerAddress(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress).flatMap(remote -> remote.getAddress());
  }

  private static byte[] resource(String name) {
    try (InputStream in = AdminApi.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("classpath resource " + name + " is missing"));
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
