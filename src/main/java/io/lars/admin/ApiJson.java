package io.lars.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lars.agent.LoadBalance;
import io.lars.db.AuditRepository;
import io.lars.db.CallStatusRow;
import io.lars.db.RouteChangeLog;
import io.lars.db.RouteRow;
import io.lars.lease.Lease;
import io.lars.lease.LeaseBook;
import io.lars.lease.LeaseReply;
import io.lars.lease.LeaseRequest;
import io.lars.lease.LeaseSet;
import io.lars.protocol.Host;
import io.lars.protocol.Ipv4;
import io.lars.protocol.ModuleId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON documents of the admin REST API: what it returns (records serialized by Jackson) and
 * the parsing of request bodies with errors that name the field. IPs are dotted text everywhere.
 *
 * <p>Parsing is strict: a body must be one JSON object with exactly the documented fields (an
 * unknown field is refused, so a user never believes a setting took effect), nested at most
 * {@value #MAX_DEPTH} levels (Jackson's {@link StreamReadConstraints}, so a body of thousands of
 * {@code [} cannot overflow the stack). Error messages quote at most {@value #MAX_QUOTED}
 * characters of what the client sent.
 */
public final class ApiJson {

  /** Deepest nesting of arrays and objects a request body may have. */
  public static final int MAX_DEPTH = 16;
  /** Most characters of client input an error message quotes. */
  public static final int MAX_QUOTED = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(32)
          .maxStringLength(64 * 1024).build())
      .build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> ROUTE_FIELDS = Set.of("modid", "cmdid", "ip", "port");
  private static final Set<String> NAME_FIELDS = Set.of("name");
  private static final Set<String> LEASE_FIELDS = Set.of("modid", "cmdid", "ip", "port", "ttl_s", "weight", "metadata");

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

  /**
   * The route version.
   *
   * @param version {@code RouteVersion.version}: unix seconds of the last write (or a little above,
   *     when several writes fell in one second)
   * @param time the version read as unix seconds, ISO-8601 UTC; null for version 0 (no write yet)
   */
  public record VersionView(long version, String time) {

    static VersionView of(long version) {
      return new VersionView(version, version > 0 ? Instant.ofEpochSecond(version).toString() : null);
    }
  }

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
   * @param avgTimecostMs moving average of the reported call durations, ms; 0 until one is reported
   */
  public record LbHost(String ip, int port, boolean overloaded, long vsucc, long verr, long rsucc, long rerr,
      int continSucc, int continErr, long idleSinceMs, long overloadSinceMs, double avgTimecostMs) {

    static LbHost of(LoadBalance.HostSnapshot h) {
      return new LbHost(h.host().ipText(), h.host().port(), h.overloaded(), h.vsucc(), h.verr(), h.rsucc(), h.rerr(),
          h.continSucc(), h.continErr(), h.idleSinceMs(), h.overloadSinceMs(), h.avgTimecostMs());
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

  /**
   * Every error answer.
   *
   * @param error what went wrong
   * @param field the body field or query parameter at fault, null when none is
   */
  public record ErrorView(String error, String field) {}

  /**
   * A route before an update, in an audit entry.
   *
   * @param modid modid
   * @param cmdid cmdid
   * @param ip dotted
   * @param port port
   */
  public record AuditRoute(int modid, int cmdid, String ip, int port) {}

  /**
   * A {@code RouteAudit} row.
   *
   * @param id row id, newer entries higher
   * @param ts when, unix milliseconds
   * @param time when, ISO-8601 UTC
   * @param actor who: the admin token's name, or {@code sql} for writes through the database
   * @param action {@code add}, {@code remove} or {@code update}
   * @param routeId the {@code RouteData} id
   * @param modid modid after the write
   * @param cmdid cmdid after the write
   * @param ip host after the write, dotted
   * @param port port after the write
   * @param before the route before an update, null otherwise
   * @param version the route version the write set
   */
  public record AuditView(long id, long ts, String time, String actor, String action, long routeId, int modid,
      int cmdid, String ip, int port, AuditRoute before, long version) {

    static AuditView of(AuditRepository.Entry e) {
      AuditRoute before = e.before().map(b -> new AuditRoute(b.module().modid(), b.module().cmdid(), b.host().ipText(),
          b.host().port())).orElse(null);
      return new AuditView(e.id(), e.tsMillis(), Instant.ofEpochMilli(e.tsMillis()).toString(), e.actor(),
          e.action().name().toLowerCase(Locale.ROOT), e.routeId(), e.module().modid(), e.module().cmdid(),
          e.host().ipText(), e.host().port(), before, e.version());
    }
  }

  /**
   * One module on the overview.
   *
   * @param modid modid
   * @param cmdid cmdid
   * @param moduleName the modid's name, null when it has none
   * @param commandName the cmdid's name, null when it has none
   * @param hosts static hosts in the module's route ({@code RouteData} rows)
   * @param registered self-registered hosts in the module's route (leases not draining; DESIGN.md
   *     "Self-registration with leases"); null when the node's lease book did not answer
   * @param idle idle hosts in the agents' live view; null when the view did not answer
   * @param overloaded overloaded hosts in the agents' live view; null when the view did not answer
   * @param live {@code live} (counts from the LoadBalance view), {@code unavailable} (it did not
   *     answer: see {@code liveError}) or {@code skipped} (more modules than
   *     {@code lars.admin.overview-live-limit})
   * @param liveError why the live view did not answer, null otherwise
   * @param calls calls reported in the window (successes plus errors)
   * @param errors errors reported in the window
   * @param callsPerSecond calls divided by the window in seconds
   * @param errorRate errors divided by calls, 0..1; 0 without calls
   */
  public record ModuleSummary(int modid, int cmdid, String moduleName, String commandName, int hosts, Integer registered,
      Integer idle, Integer overloaded, String live, String liveError, long calls, long errors, double callsPerSecond,
      double errorRate) {}

  /**
   * The module overview.
   *
   * @param ts when it was computed, unix seconds
   * @param windowSeconds the window of the call figures, seconds
   * @param version the route version
   * @param modules every module with a route, with leases or with reports, sorted by modid and cmdid
   */
  public record OverviewView(long ts, int windowSeconds, VersionView version, List<ModuleSummary> modules) {}

  /**
   * A cluster member.
   *
   * @param address its Akka address ({@code akka://lars@host:port})
   * @param status Akka's member status ({@code Up}, {@code Leaving}, ...)
   * @param roles its roles
   * @param reachable false when the failure detector lost it
   * @param self whether this is the node answering
   * @param leader whether it is the cluster leader
   * @param shards the LoadBalance shards its region holds: shard id to running entities
   * @param modules the modules (of the route table) whose shard it holds, as {@code modid/cmdid}
   */
  public record MemberView(String address, String status, List<String> roles, boolean reachable, boolean self,
      boolean leader, Map<String, Integer> shards, List<String> modules) {}

  /**
   * The cluster as this node sees it.
   *
   * @param clustered false when the node runs without Akka Cluster (then members is empty)
   * @param self this node's address
   * @param leader the leader's address, null when none
   * @param members every member, sorted by address
   * @param shardsError why the LoadBalance shard placement is missing, null when it is present
   */
  public record ClusterView(boolean clustered, String self, String leader, List<MemberView> members,
      String shardsError) {}

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
    JsonNode json = parseObject(body, ROUTE_FIELDS);
    int modid = intField(json, "modid");
    int cmdid = intField(json, "cmdid");
    JsonNode ipNode = field(json, "ip");
    if (!ipNode.isTextual()) {
      throw new InvalidRequestException("ip", "field 'ip' must be a dotted IPv4 address string such as \"10.0.0.1\"");
    }
    int ip;
    try {
      ip = Ipv4.parseStrictHost(ipNode.asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("ip", "field 'ip': " + e.getMessage());
    }
    int port = intField(json, "port");
    if (port < 1 || port > 65535) {
      throw new InvalidRequestException("port", "field 'port' must be 1..65535, got " + port);
    }
    return new RouteInput(new ModuleId(modid, cmdid), new Host(ip, port));
  }

  /**
   * Parses {@code {"modid": int, "cmdid": int, "ip": "a.b.c.d", "port": 1..65535, "ttl_s": 1..3600,
   * "weight": 1..100 (optional, 100), "metadata": {"key": "value", ...} (optional)}} (DESIGN.md
   * "Self-registration").
   *
   * @param body the request body
   * @return the valid lease request
   * @throws InvalidRequestException if the body is not a JSON object or a field is missing or wrong
   */
  public static LeaseRequest parseLease(String body) {
    JsonNode json = parseObject(body, LEASE_FIELDS);
    ObjectNode route = MAPPER.createObjectNode();
    for (String name : ROUTE_FIELDS) {
      if (json.has(name)) {
        route.set(name, json.get(name));
      }
    }
    RouteInput where = parseRoute(route.toString());
    int ttl = intField(json, "ttl_s");
    int weight = json.hasNonNull("weight") ? intField(json, "weight") : LeaseRequest.DEFAULT_WEIGHT;
    Map<String, String> metadata = new TreeMap<>();
    JsonNode meta = json.get("metadata");
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject()) {
        throw new InvalidRequestException("metadata", "field 'metadata' must be an object of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new InvalidRequestException("metadata", "field 'metadata' must be an object of strings");
        }
        metadata.put(e.getKey(), e.getValue().asText());
      }
    }
    try {
      return new LeaseRequest(where.module(), where.host(), ttl, weight, metadata);
    } catch (IllegalArgumentException e) {
      String field = e.getMessage().substring(0, Math.max(0, e.getMessage().indexOf(' ')));
      throw new InvalidRequestException(field, "field " + e.getMessage());
    }
  }

  /**
   * One lease (DESIGN.md "Self-registration").
   *
   * @param id the lease id
   * @param modid modid
   * @param cmdid cmdid
   * @param ip dotted quad
   * @param port port
   * @param ttlS TTL in seconds
   * @param weight 1..100
   * @param metadata labels
   * @param state {@code "registered"} (in the route) or {@code "draining"} (out of the route, ending)
   * @param registeredAt unix millis of the registration
   * @param drainUntil unix millis at which a draining lease ends; 0 when not draining
   */
  public record LeaseView(String id, int modid, int cmdid, String ip, int port, int ttlS, int weight,
      Map<String, String> metadata, String state, long registeredAt, long drainUntil) {

    static LeaseView of(ModuleId module, Lease lease) {
      return new LeaseView(lease.id(), module.modid(), module.cmdid(), lease.host().ipText(), lease.host().port(),
          lease.ttlS(), lease.weight(), lease.metadata(), lease.draining() ? "draining" : "registered",
          lease.registeredAtMs(), lease.drainUntilMs());
    }
  }

  /**
   * The lease listing.
   *
   * @param leases every lease asked for, by module then id
   * @param expirySuspended whether the cluster-wide guard holds lease expiry back now
   */
  public record LeasesView(List<LeaseView> leases, boolean expirySuspended) {

    static LeasesView of(LeaseBook.Listing listing) {
      List<LeaseView> leases = new ArrayList<>();
      for (LeaseSet set : listing.sets()) {
        set.leases().forEach(l -> leases.add(LeaseView.of(set.module(), l)));
      }
      return new LeasesView(List.copyOf(leases), listing.expirySuspended());
    }
  }

  /**
   * The answer to a lease write.
   *
   * @param leaseId the lease
   * @param ttlS its TTL, seconds
   * @param draining whether it is draining
   */
  public record LeaseAnswer(String leaseId, int ttlS, boolean draining) {

    static LeaseAnswer of(LeaseReply reply) {
      return new LeaseAnswer(reply.leaseId(), reply.ttlS(), reply.draining());
    }
  }

  /**
   * Parses {@code {"name": "..."}}.
   *
   * @param body the request body
   * @param maxLength the longest name allowed
   * @return the name, 1..maxLength characters, not blank, without control characters
   * @throws InvalidRequestException if the body is not a JSON object, has another field, or the
   *     name is missing, blank, too long or has control characters (U+0000..U+001F, U+007F..U+009F)
   */
  public static String parseName(String body, int maxLength) {
    JsonNode name = field(parseObject(body, NAME_FIELDS), "name");
    if (!name.isTextual() || name.asText().isBlank() || name.asText().length() > maxLength) {
      throw new InvalidRequestException("name", "field 'name' must be a string of 1.." + maxLength
          + " characters, not blank");
    }
    if (name.asText().chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequestException("name", "field 'name' must not contain control characters "
          + "(tabs, line breaks, U+0000..U+001F, U+007F..U+009F)");
    }
    return name.asText();
  }

  /**
   * Quotes client input for an error message, cut to {@value #MAX_QUOTED} characters.
   *
   * @param text what the client sent
   * @return {@code 'text'}, or {@code 'first 64 characters...'}
   */
  static String quoted(String text) {
    String shown = text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...";
    return "'" + shown.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + "'";
  }

  private static JsonNode parseObject(String body, Set<String> fields) {
    JsonNode json;
    try {
      json = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      // Jackson's message may quote a token of the input: cut it.
      String why = String.valueOf(e.getOriginalMessage());
      throw new InvalidRequestException("body is not valid JSON: " + (why.length() > 200 ? why.substring(0, 200) + "..." : why));
    }
    if (json == null || !json.isObject()) {
      throw new InvalidRequestException("body must be a JSON object");
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new InvalidRequestException(name.length() <= MAX_QUOTED ? name : name.substring(0, MAX_QUOTED),
            "unknown field " + quoted(name) + "; the fields are " + fields.stream().sorted().toList());
      }
    }
    return json;
  }

  private static JsonNode field(JsonNode json, String name) {
    JsonNode value = json.get(name);
    if (value == null || value.isNull()) {
      throw new InvalidRequestException(name, "missing field '" + name + "'");
    }
    return value;
  }

  private static int intField(JsonNode json, String name) {
    JsonNode value = field(json, name);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new InvalidRequestException(name, "field '" + name + "' must be an integer in the int32 range, got "
          + quoted(value.toString()));
    }
    return value.intValue();
  }
}
