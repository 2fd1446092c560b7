package io.lars.admin;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Authorization;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import io.lars.db.CallHistoryRepository;
import io.lars.db.CallStatusRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.DatabaseException;
import io.lars.db.DuplicateHostException;
import io.lars.db.NameRepository;
import io.lars.db.RouteChangeLog;
import io.lars.db.RouteRepository;
import io.lars.db.RouteRow;
import io.lars.node.Metrics;
import io.lars.protocol.ModuleId;
import io.micrometer.core.instrument.Counter;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's HTTP routes: the JSON REST API under {@code /api}, Prometheus text on
 * {@code /metrics} and the web page from the classpath directory {@code web/} on {@code /}.
 *
 * <p>Authentication: writes (POST, PUT, DELETE) need {@code Authorization: Bearer <token>}; reads
 * need it too unless the connection comes from a trusted address (loopback by default). A missing
 * or wrong token gives 401 with {@code {"error": ...}}. Bad input gives 400 naming the field;
 * a database failure 503. Every JDBC call runs on the executor handed in
 * ({@code lars-jdbc-dispatcher}), never on the HTTP threads. After a successful route write the
 * {@code routesChanged} callback runs, which tells the dns role to reload at once.
 */
public final class AdminApi extends AllDirectives {

  /**
   * What the API needs.
   *
   * @param routes the route repository
   * @param names module and command names
   * @param changes the {@code RouteChange} reader
   * @param status the latest call statistics
   * @param history the call statistics over time
   * @param loadBalance the live LoadBalance view
   * @param routesChanged called after every successful route write
   * @param jdbc the executor of all JDBC calls
   * @param token the bearer token
   * @param trustedReader whether a peer address may read without the token
   * @param metrics the node's metrics
   * @param settings the admin settings
   * @param clock gives "now" for history windows
   */
  public record Dependencies(RouteRepository routes, NameRepository names, RouteChangeLog changes,
      CallStatusRepository status, CallHistoryRepository history, LoadBalanceView loadBalance,
      Runnable routesChanged, Executor jdbc, AdminToken token, Predicate<InetAddress> trustedReader,
      Metrics metrics, AdminSettings settings, Clock clock) {

    /** @throws NullPointerException if any is null */
    public Dependencies {
      Objects.requireNonNull(routes, "routes");
      Objects.requireNonNull(names, "names");
      Objects.requireNonNull(changes, "changes");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(history, "history");
      Objects.requireNonNull(loadBalance, "loadBalance");
      Objects.requireNonNull(routesChanged, "routesChanged");
      Objects.requireNonNull(jdbc, "jdbc");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(trustedReader, "trustedReader");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(clock, "clock");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final int DEFAULT_HISTORY_MINUTES = 60;

  private final Dependencies deps;
  private final Counter routeWrites;

  /** @param deps what the API needs */
  public AdminApi(Dependencies deps) {
    this.deps = Objects.requireNonNull(deps, "deps");
    this.routeWrites = Counter.builder("lars.admin.route.writes").description("route writes through the admin")
        .register(deps.metrics().registry());
  }

  /** @return the whole route tree */
  public Route route() {
    return handleExceptions(ExceptionHandler.newBuilder().match(RuntimeException.class, this::failure).build(), () -> concat(
        pathPrefix("api", () -> concat(
            pathPrefix("routes", this::routesApi),
            pathPrefix("modules", () -> namesApi(true)),
            pathPrefix("commands", () -> namesApi(false)),
            path("version", () -> get(() -> reading(this::version))),
            path("changes", () -> get(() -> reading(this::changes))),
            pathPrefix("status", this::statusApi),
            path(PathMatchers.segment("lb").slash(PathMatchers.integerSegment()).slash(PathMatchers.integerSegment()),
                (modid, cmdid) -> get(() -> reading(() -> loadBalance(new ModuleId(modid, cmdid))))),
            pathEndOrSingleSlash(() -> error(StatusCodes.NOT_FOUND, "no such API; see /api/routes")),
            extractUnmatchedPath(rest -> error(StatusCodes.NOT_FOUND, "no such API: /api" + rest)))),
        path("metrics", () -> get(() -> reading(this::metricsText))),
        pathEndOrSingleSlash(() -> get(() -> getFromResource("web/index.html", ContentTypes.TEXT_HTML_UTF8))),
        get(() -> getFromResourceDirectory("web"))));
  }

  // ---- routes ------------------------------------------------------------------------------------

  private Route routesApi() {
    return concat(
        pathEnd(() -> concat(
            get(() -> reading(() -> moduleQuery(this::listRoutes))),
            post(() -> writing(() -> body(body -> {
              ApiJson.RouteInput in = ApiJson.parseRoute(body);
              return routeWrite(() -> deps.routes().addHost(in.module(), in.host()), StatusCodes.CREATED);
            }))))),
        path(PathMatchers.longSegment(), id -> concat(
            put(() -> writing(() -> body(body -> {
              ApiJson.RouteInput in = ApiJson.parseRoute(body);
              return routeWrite(() -> updateRoute(id, in), StatusCodes.OK);
            }))),
            delete(() -> writing(() -> jdbc(() -> {
              if (!deps.routes().removeRoute(id)) {
                throw new InvalidRequestException("unknown route id " + id);
              }
              routeWritten();
              return Map.of("deleted", id);
            }, StatusCodes.OK))))));
  }

  private RouteRow updateRoute(long id, ApiJson.RouteInput in) {
    try {
      return deps.routes().updateRoute(id, in.module(), in.host());
    } catch (NoSuchElementException e) {
      throw new InvalidRequestException("unknown route id " + id);
    }
  }

  private Route routeWrite(Supplier<RouteRow> write, StatusCode status) {
    return jdbc(() -> {
      RouteRow row = write.get();
      routeWritten();
      return ApiJson.RouteView.of(row, deps.names().listModuleNames(), deps.names().listCommandNames());
    }, status);
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

  // ---- names -------------------------------------------------------------------------------------

  private Route namesApi(boolean modules) {
    return concat(
        pathEnd(() -> get(() -> reading(() -> jdbc(() -> modules
            ? deps.names().listModuleNames().entrySet().stream().map(e -> new ApiJson.ModuleName(e.getKey(), e.getValue())).toList()
            : deps.names().listCommandNames().entrySet().stream().map(e -> new ApiJson.CommandName(e.getKey(), e.getValue())).toList(),
            StatusCodes.OK)))),
        path(PathMatchers.integerSegment(), id -> concat(
            put(() -> writing(() -> body(body -> {
              String name = ApiJson.parseName(body, NameRepository.MAX_NAME_LENGTH);
              return jdbc(() -> {
                if (modules) {
                  deps.names().upsertModuleName(id, name);
                  return new ApiJson.ModuleName(id, name);
                }
                deps.names().upsertCommandName(id, name);
                return new ApiJson.CommandName(id, name);
              }, StatusCodes.OK);
            }))),
            delete(() -> writing(() -> jdbc(() -> {
              boolean deleted = modules ? deps.names().deleteModuleName(id) : deps.names().deleteCommandName(id);
              if (!deleted) {
                throw new InvalidRequestException((modules ? "modid " : "cmdid ") + id + " has no name");
              }
              return Map.of("deleted", id);
            }, StatusCodes.OK))))));
  }

  // ---- version, changes, status, history, lb ----------------------------------------------------

  private Route version() {
    return jdbc(() -> new ApiJson.VersionView(deps.routes().readVersion()), StatusCodes.OK);
  }

  private Route changes() {
    return jdbc(() -> deps.changes().recent(deps.settings().changesLimit()).stream().map(ApiJson.ChangeView::of)
        .toList(), StatusCodes.OK);
  }

  private Route statusApi() {
    return concat(
        pathEnd(() -> get(() -> reading(() -> moduleQuery(module -> jdbc(
            () -> deps.status().list(module).stream().map(ApiJson.StatusView::of).toList(), StatusCodes.OK))))),
        path("history", () -> get(() -> reading(() -> moduleQuery(module -> parameterOptional("minutes", minutes -> {
          ModuleId m = module.orElseThrow(() -> new InvalidRequestException("parameters 'modid' and 'cmdid' are required"));
          int window = minutes.map(text -> intParameter("minutes", text)).orElse(DEFAULT_HISTORY_MINUTES);
          if (window < 1 || window > deps.settings().maxHistoryMinutes()) {
            throw new InvalidRequestException("parameter 'minutes' must be 1.." + deps.settings().maxHistoryMinutes()
                + ", got " + window);
          }
          long since = deps.clock().instant().getEpochSecond() - window * 60L;
          return jdbc(() -> history(m, since), StatusCodes.OK);
        }))))));
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

  private Route loadBalance(ModuleId module) {
    return async(deps.loadBalance().state(module).thenApply(ApiJson.LbView::of), StatusCodes.OK);
  }

  private Route metricsText() {
    return complete(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, deps.metrics().scrape()));
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** Optional {@code modid} and {@code cmdid} query parameters: both or neither. */
  private Route moduleQuery(Function<Optional<ModuleId>, Route> inner) {
    return parameterOptional("modid", modid -> parameterOptional("cmdid", cmdid -> {
      if (modid.isPresent() != cmdid.isPresent()) {
        throw new InvalidRequestException("parameters 'modid' and 'cmdid' go together; got only "
            + (modid.isPresent() ? "'modid'" : "'cmdid'"));
      }
      return inner.apply(modid.map(m -> new ModuleId(intParameter("modid", m), intParameter("cmdid", cmdid.get()))));
    }));
  }

  private static int intParameter(String name, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("parameter '" + name + "' must be an integer, got '" + text + "'");
    }
  }

  /** The request body as text, whatever its content type; the API parses JSON itself to name bad fields. */
  private Route body(Function<String, Route> inner) {
    return entity(Unmarshaller.entityToString(), inner);
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

  private Route failure(Throwable failure) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (e instanceof InvalidRequestException || e instanceof DuplicateHostException
        || e instanceof IllegalArgumentException) {
      return error(StatusCodes.BAD_REQUEST, e.getMessage());
    }
    if (e instanceof LoadBalanceUnavailableException) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage());
    }
    if (e instanceof DatabaseException) {
      deps.metrics().databaseError("admin");
      log.warn("admin request failed: {}", e.getMessage());
      return error(StatusCodes.SERVICE_UNAVAILABLE, "database unavailable: " + e.getMessage());
    }
    log.error("admin request failed", e);
    return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + e);
  }

  private Route error(StatusCode status, String message) {
    return complete(status, new ApiJson.ErrorView(message), Jackson.marshaller(ApiJson.mapper()));
  }

  /** A read: free for trusted peers, otherwise the token. */
  private Route reading(Supplier<Route> inner) {
    return extractRequest(request -> peerAddress(request).filter(deps.trustedReader()).isPresent()
        ? inner.get()
        : authenticated(request, inner));
  }

  /** A write: always the token. */
  private Route writing(Supplier<Route> inner) {
    return extractRequest(request -> authenticated(request, inner));
  }

  private Route authenticated(HttpRequest request, Supplier<Route> inner) {
    Optional<Authorization> header = request.getHeader(Authorization.class);
    if (header.isEmpty() || !"bearer".equalsIgnoreCase(header.get().credentials().scheme())) {
      return unauthorized("missing 'Authorization: Bearer <token>'; the admin token is in lars.admin.token, "
          + "LARS_ADMIN_TOKEN or the admin-token file under lars.admin.data-dir");
    }
    if (!deps.token().matches(header.get().credentials().token())) {
      return unauthorized("wrong admin token");
    }
    return inner.get();
  }

  private Route unauthorized(String message) {
    return respondWithHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "lars-admin")),
        () -> error(StatusCodes.UNAUTHORIZED, message));
  }

  private static Optional<InetAddress> peerAddress(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress).flatMap(remote -> remote.getAddress());
  }
}
