package io.lars.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lars.db.RouteRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code lars route} through a node's admin HTTP API (the default): {@code GET /api/routes},
 * {@code POST /api/routes}, {@code DELETE /api/routes/{id}}. The admin writes the route, bumps the
 * version and has the dns push it at once; this tool never opens a database.
 *
 * <p>Answers become exit codes ({@link RouteCommand}): 2xx done; 409 (duplicate host) and 404
 * (unknown route) {@link RouteCommand#REFUSED}; 400 {@link RouteCommand#USAGE} with the admin's
 * message and field; 401/403, 5xx, an answer that is not the API's JSON, a refused connection or
 * a timeout {@link RouteCommand#UNAVAILABLE}. Every failure is one line naming the admin URL.
 */
final class AdminRouteClient implements RouteTool {

  /** The admin the tools talk to when {@code --admin} is not given. */
  static final String DEFAULT_ADMIN = "http://127.0.0.1:8080";
  /** The token file a node writes under its default {@code lars.admin.data-dir}. */
  static final Path DEFAULT_TOKEN_FILE = Path.of("data", "admin-token");
  /** The environment variable of the token, as the node reads it. */
  static final String TOKEN_ENV = "LARS_ADMIN_TOKEN";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final URI base;
  private final Optional<String> token;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param admin the admin's base URL, {@code http://HOST:PORT} (a path prefix is kept)
   * @param token the bearer token; without one only reads from a trusted (loopback) address work
   * @param timeout how long one request may take, connect included
   * @throws RouteTool.Failure with {@link RouteCommand#USAGE} if the URL is not http(s)://HOST[:PORT]
   */
  AdminRouteClient(String admin, Optional<String> token, Duration timeout) {
    this.base = parseBase(admin);
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT.compareTo(timeout) < 0 ? CONNECT_TIMEOUT : timeout).build();
  }

  /**
   * Picks the token: {@code --token}, else {@code LARS_ADMIN_TOKEN}, else the token file a node
   * beside this shell wrote ({@code ./data/admin-token} unless {@code --token-file} says otherwise).
   *
   * @param option the {@code --token} value, or null
   * @param env the environment
   * @param file the token file; ignored when it does not exist
   * @return the token, or empty when none is found (reads from loopback still work)
   * @throws RouteTool.Failure with {@link RouteCommand#USAGE} if the file exists but cannot be read
   *     or is empty
   */
  static Optional<String> resolveToken(String option, Map<String, String> env, Path file) {
    if (option != null && !option.isBlank()) {
      return Optional.of(option.strip());
    }
    String fromEnv = env.get(TOKEN_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(fromEnv.strip());
    }
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (stored.isEmpty()) {
        throw new Failure(RouteCommand.USAGE, "the admin token file " + file.toAbsolutePath() + " is empty");
      }
      return Optional.of(stored);
    } catch (IOException e) {
      throw new Failure(RouteCommand.USAGE, "cannot read the admin token file " + file.toAbsolutePath() + ": " + e);
    }
  }

  private static URI parseBase(String admin) {
    try {
      URI uri = new URI(admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new URISyntaxException(admin, "not http://HOST[:PORT]");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new Failure(RouteCommand.USAGE, "--admin must be http://HOST:PORT (e.g. " + DEFAULT_ADMIN + "), got '"
          + admin + "'");
    }
  }

  @Override
  public List<RouteRow> list(Optional<ModuleId> module) {
    String query = module.map(m -> "?modid=" + m.modid() + "&cmdid=" + m.cmdid()).orElse("");
    JsonNode rows = send("GET", "/api/routes" + query, null);
    if (!rows.isArray()) {
      throw unexpected("GET /api/routes", rows);
    }
    List<RouteRow> result = new ArrayList<>();
    rows.forEach(row -> result.add(row(row)));
    return result;
  }

  @Override
  public RouteRow add(ModuleId module, Host host) {
    // Checked first so the answer is the same whether the admin says 400 or 409 for a duplicate.
    if (list(Optional.of(module)).stream().anyMatch(r -> r.host().equals(host))) {
      throw new Failure(RouteCommand.REFUSED, "module " + module + " already has host " + host);
    }
    ObjectNode body = JSON.createObjectNode().put("modid", module.modid()).put("cmdid", module.cmdid())
        .put("ip", host.ipText()).put("port", host.port());
    return row(send("POST", "/api/routes", body.toString()));
  }

  @Override
  public void remove(ModuleId module, Host host) {
    RouteRow row = list(Optional.of(module)).stream().filter(r -> r.host().equals(host)).findFirst()
        .orElseThrow(() -> new Failure(RouteCommand.REFUSED, "module " + module + " has no host " + host));
    send("DELETE", "/api/routes/" + row.id(), null);
  }

  @Override
  public void close() {
    // HttpClient of Java 17 has no close; its threads are daemons.
  }

  /** Sends one request; a 2xx answer's JSON, else a {@link Failure} with the mapped exit code. */
  private JsonNode send(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      throw new Failure(RouteCommand.UNAVAILABLE, "cannot reach the admin at " + base + " (connection refused); "
          + "is a node with the admin role running there? (--admin URL)");
    } catch (HttpTimeoutException e) {
      throw new Failure(RouteCommand.UNAVAILABLE, "the admin at " + base + " did not answer within "
          + timeout.toMillis() + " ms");
    } catch (IOException e) {
      throw new Failure(RouteCommand.UNAVAILABLE, "cannot reach the admin at " + base + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(RouteCommand.UNAVAILABLE, "interrupted while waiting for the admin at " + base);
    }
    return answer(method + " " + path, response.statusCode(), response.body());
  }

  /** Maps an answer to its JSON or to a failure; package-private for tests of the mapping. */
  JsonNode answer(String request, int status, String body) {
    JsonNode json = parse(body);
    String error = json != null && json.hasNonNull("error") ? json.get("error").asText() : null;
    String field = json != null && json.hasNonNull("field") ? json.get("field").asText() : null;
    String detail = error == null ? "HTTP " + status : error + (field == null ? "" : " (field '" + field + "')");
    if (status >= 200 && status < 300) {
      if (json == null) {
        throw unexpected(request, body);
      }
      return json;
    }
    switch (status) {
      case 400:
        throw new Failure(RouteCommand.USAGE, "the admin refused the request: " + detail);
      case 401:
      case 403:
        throw new Failure(RouteCommand.UNAVAILABLE, "the admin at " + base + " refused the token (" + detail
            + "); give --token, set " + TOKEN_ENV + " or run beside the node (its data/admin-token)");
      case 404:
      case 409:
        throw new Failure(RouteCommand.REFUSED, detail);
      default:
        throw new Failure(RouteCommand.UNAVAILABLE, "the admin at " + base + " failed: " + detail);
    }
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private Failure unexpected(String request, Object body) {
    String text = String.valueOf(body);
    return new Failure(RouteCommand.UNAVAILABLE, "unexpected answer to " + request + " from " + base
        + " (is it a Lars admin?): " + (text.length() > 120 ? text.substring(0, 120) + "..." : text));
  }

  private RouteRow row(JsonNode json) {
    try {
      return new RouteRow(json.get("id").asLong(), new ModuleId(json.get("modid").asInt(), json.get("cmdid").asInt()),
          Host.of(json.get("ip").asText(), json.get("port").asInt()));
    } catch (RuntimeException e) {
      throw unexpected("a route", json);
    }
  }
}
