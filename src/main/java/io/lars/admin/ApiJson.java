package io.lars.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lars.agent.LoadBalance;
import io.lars.db.CallStatusRow;
import io.lars.db.RouteChangeLog;
import io.lars.db.RouteRow;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents of the admin REST API: what it returns (records serialized by Jackson) and
 * the parsing of request bodies with errors that name the field. IPs are dotted text everywhere.
 */
public final class ApiJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ApiJson() {}

  /** @return the object mapper the API writes and reads JSON with */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * A {@code RouteData} row.
   *
   * @param id row id
   * @param modid modid
   * @param cmdid cmdid
   * @param ip dotted quad
   * @param port 1..65535
   * @param serverip the stored unsigned number of the ip
   * @param moduleName the modid's name, null when it has none
   * @param commandName the cmdid's name, null when it has none
   */
  public record RouteView(long id, int modid, int cmdid, String ip, int port, long serverip, String moduleName,
      String commandName) {

    static RouteView of(RouteRow row, Map<Integer, String> modules, Map<Integer, String> commands) {
      return new RouteView(row.id(), row.module().modid(), row.module().cmdid(), row.host().ipText(),
          row.host().port(), Ipv4.toUnsigned(row.host().ip()), modules.get(row.module().modid()),
          commands.get(row.module().cmdid()));
    }
  }

  /**
   * A modid's name.
   *
   * @param modid modid
   * @param name its name
   */
  public record ModuleName(int modid, String name) {}

  /**
   * A cmdid's name.
   *
   * @param cmdid cmdid
   * @param name its name
   */
  public record CommandName(int cmdid, String name) {}

  /** @param version {@code RouteVersion.version} */
  public record VersionView(long version) {}

  /**
   * A {@code RouteChange} row.
   *
   * @param id row id
   * @param modid modid
   * @param cmdid cmdid
   * @param version the version the write set
   */
  public record ChangeView(long id, int modid, int cmdid, long version) {

    static ChangeView of(RouteChangeLog.Change change) {
      return new ChangeView(change.id(), change.module().modid(), change.module().cmdid(), change.version());
    }
  }

  /**
   * A {@code ServerCallStatus} or {@code ServerCallHistory} row.
   *
   * @param modid modid
   * @param cmdid cmdid
   * @param ip the host, dotted
   * @param port the host's port
   * @param caller the reporting agent, dotted
   * @param succ successes in the report
   * @param err failures in the report
   * @param ts report time, unix seconds
   * @param overload whether the agent held the host overloaded
   */
  public record StatusView(int modid, int cmdid, String ip, int port, String caller, long succ, long err, long ts,
      boolean overload) {

    static StatusView of(CallStatusRow row) {
      return new StatusView(row.module().modid(), row.module().cmdid(), row.host().ipText(), row.host().port(),
          Ipv4.format(row.caller()), row.succ(), row.err(), row.ts(), row.overload());
    }
  }

  /**
   * One chart point: the sums of all reports of a module at one time.
   *
   * @param ts unix seconds
   * @param succ successes summed over hosts and callers
   * @param err failures summed over hosts and callers
   * @param overloaded reports at that time that flagged their host overloaded
   */
  public record HistoryPoint(long ts, long succ, long err, int overloaded) {}

  /**
   * Chart data of a module.
   *
   * @param modid modid
   * @param cmdid cmdid
   * @param since the oldest ts included, unix seconds
   * @param points per-time sums, oldest first
   * @param rows the rows behind them, oldest first
   */
  public record HistoryView(int modid, int cmdid, long since, List<HistoryPoint> points, List<StatusView> rows) {}

  /**
   * A host in the live LoadBalance state.
   *
   * @param ip dotted
   * @param port port
   * @param overloaded whether it is in the overload list
   * @param vsucc virtual successes
   * @param verr virtual errors
   * @param rsucc real successes in the window
   * @param rerr real errors in the window
   * @param continSucc consecutive successes
   * @param continErr consecutive failures
   * @param idleSinceMs agent clock millis the idle window started
   * @param overloadSinceMs agent clock millis it was last overloaded, 0 if never
   */
  public record LbHost(String ip, int port, boolean overloaded, long vsucc, long verr, long rsucc, long rerr,
      int continSucc, int continErr, long idleSinceMs, long overloadSinceMs) {

    static LbHost of(LoadBalance.HostSnapshot h) {
      return new LbHost(h.host().ipText(), h.host().port(), h.overloaded(), h.vsucc(), h.verr(), h.rsucc(), h.rerr(),
          h.continSucc(), h.continErr(), h.idleSinceMs(), h.overloadSinceMs());
    }
  }

  /**
   * The live state of a module's LoadBalance entity.
   *
   * @param modid modid
   * @param cmdid cmdid
   * @param routeKnown false until the agent got the module's route
   * @param access requests since the last probe of an overloaded host
   * @param pullStatus {@code NEW} or {@code PULLING}
   * @param lastUpdateMs agent clock millis of the last route update, -1 if none
   * @param idle idle hosts, next pick first
   * @param overload overloaded hosts, next probe first
   */
  public record LbView(int modid, int cmdid, boolean routeKnown, int access, String pullStatus, long lastUpdateMs,
      List<LbHost> idle, List<LbHost> overload) {

    static LbView of(LoadBalance.Snapshot s) {
      return new LbView(s.module().modid(), s.module().cmdid(), s.routeKnown(), s.access(), s.pullStatus().name(),
          s.lastUpdateMs(), s.idle().stream().map(LbHost::of).toList(), s.overload().stream().map(LbHost::of).toList());
    }
  }

  /** @param error what went wrong */
  public record ErrorView(String error) {}

  /**
   * A route in a POST or PUT body.
   *
   * @param module modid and cmdid
   * @param host ip and port
   */
  public record RouteInput(ModuleId module, Host host) {}

  /**
   * Parses {@code {"modid": int, "cmdid": int, "ip": "a.b.c.d", "port": 1..65535}}.
   *
   * @param body the request body
   * @return the route
   * @throws InvalidRequestException if the body is not a JSON object or a field is missing or wrong
   */
  public static RouteInput parseRoute(String body) {
    JsonNode json = parseObject(body);
    int modid = intField(json, "modid");
    int cmdid = intField(json, "cmdid");
    JsonNode ipNode = field(json, "ip");
    if (!ipNode.isTextual()) {
      throw new InvalidRequestException("field 'ip' must be a dotted IPv4 address string such as \"10.0.0.1\"");
    }
    int ip;
    try {
      ip = Ipv4.parse(ipNode.asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("field 'ip' is not a dotted IPv4 address: '" + ipNode.asText() + "'");
    }
    if (ip == 0) {
      throw new InvalidRequestException("field 'ip' must not be 0.0.0.0");
    }
    int port = intField(json, "port");
    if (port < 1 || port > 65535) {
      throw new InvalidRequestException("field 'port' must be 1..65535, got " + port);
    }
    return new RouteInput(new ModuleId(modid, cmdid), new Host(ip, port));
  }

  /**
   * Parses {@code {"name": "..."}}.
   *
   * @param body the request body
   * @param maxLength the longest name allowed
   * @return the name, 1..maxLength characters, not blank
   * @throws InvalidRequestException if the body is not a JSON object or the name is missing or wrong
   */
  public static String parseName(String body, int maxLength) {
    JsonNode name = field(parseObject(body), "name");
    if (!name.isTextual() || name.asText().isBlank() || name.asText().length() > maxLength) {
      throw new InvalidRequestException("field 'name' must be a string of 1.." + maxLength + " characters, not blank");
    }
    return name.asText();
  }

  private static JsonNode parseObject(String body) {
    JsonNode json;
    try {
      json = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("body is not valid JSON: " + e.getOriginalMessage());
    }
    if (json == null || !json.isObject()) {
      throw new InvalidRequestException("body must be a JSON object");
    }
    return json;
  }

  private static JsonNode field(JsonNode json, String name) {
    JsonNode value = json.get(name);
    if (value == null || value.isNull()) {
      throw new InvalidRequestException("missing field '" + name + "'");
    }
    return value;
  }

  private static int intField(JsonNode json, String name) {
    JsonNode value = field(json, name);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new InvalidRequestException("field '" + name + "' must be an integer in the int32 range, got " + value);
    }
    return value.intValue();
  }
}
