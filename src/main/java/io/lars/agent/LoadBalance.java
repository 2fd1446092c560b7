package io.lars.agent;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The load-balancing decisions for one module (DESIGN.md "Load-balancing rules"; reference:
 * {@code load_balance}).
 *
 * <p>A plain, single-threaded class with an injected clock: the sharded LoadBalance entity owns
 * one and does the messaging (pulls, first-pull wait, statistics timer, logging). State: a host
 * map keyed by (ip, port), an idle list and an overload list (rotating queues; every host of the
 * route is in exactly one of them), an access counter, a pull status and the time of the last
 * route update.
 *
 * <p>Fixed reference defects (DESIGN.md "Defects of the reference", D1, D2, D9, D10): one host per
 * request in the mixed branch; removed hosts leave the map and both lists; a new host's window
 * start and the access counter are initialised; a module stays known after an empty route (no
 * NOEXIST forgetting).
 *
 * <p>Not thread-safe. All times are milliseconds of the injected clock.
 */
public final class LoadBalance {

  /** Whether a route pull is outstanding (reference: {@code load_balance::STATUS}). */
  public enum PullStatus {
    /** No pull outstanding; the route may be refreshed when it is older than {@code update-timeout}. */
    NEW,
    /** A {@code GetRouteRequest} was sent and its answer has not arrived yet. */
    PULLING
  }

  /**
   * The answer to one {@code get_host} request.
   *
   * @param retCode {@link RetCode#SUCC}, {@link RetCode#OVERLOAD} or {@link RetCode#NOEXIST}
   * @param host the chosen host; non-null exactly when {@code retCode} is SUCC
   * @param probe true when the host was taken from the overload list to test it
   */
  public record Pick(RetCode retCode, Host host, boolean probe) {

    /**
     * Checks that a host is present exactly for SUCC.
     *
     * @throws IllegalArgumentException otherwise
     */
    public Pick {
      Objects.requireNonNull(retCode, "retCode");
      if ((retCode == RetCode.SUCC) != (host != null)) {
        throw new IllegalArgumentException("a pick has a host exactly when it is SUCC: " + retCode + " " + host);
      }
      if (probe && host == null) {
        throw new IllegalArgumentException("a probe pick needs a host");
      }
    }
  }

  /**
   * A host moving between idle and overload, for the one log line (and the event) per transition.
   *
   * @param module the module
   * @param host the host
   * @param toOverload true for idle to overload, false for overload to idle
   * @param vsucc virtual successes before the reset
   * @param verr virtual errors before the reset
   * @param rsucc real successes before the reset
   * @param rerr real errors before the reset
   * @param reason what triggered it
   */
  public record Transition(ModuleId module, Host host, boolean toOverload, long vsucc, long verr, long rsucc,
      long rerr, Reason reason) {}

  /** What triggered a {@link Transition}; {@link #toString()} is the text of the log line. */
  public enum Reason {
    /** Idle to overload: the virtual error rate went above {@code errRate}. */
    ERROR_RATE("error rate"),
    /** Idle to overload: {@code continErrLimit} errors in a row. */
    CONSECUTIVE_ERRORS("consecutive errors"),
    /** Idle to overload: at the end of an idle window, the real error rate reached {@code windowErrRate}. */
    WINDOW_ERROR_RATE("window error rate"),
    /** Overload to idle: the virtual success rate went above {@code succRate}. */
    SUCCESS_RATE("success rate"),
    /** Overload to idle: {@code continSuccLimit} successes in a row. */
    CONSECUTIVE_SUCCESSES("consecutive successes"),
    /** Overload to idle: the overload timeout passed. */
    OVERLOAD_TIMEOUT("overload timeout");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    /** @return the words of the log line, e.g. {@code "error rate"} */
    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * An immutable copy of one host's state.
   *
   * @param host the host
   * @param overloaded whether it is in the overload list
   * @param vsucc virtual successes
   * @param verr virtual errors
   * @param rsucc real successes since the window or overload period started
   * @param rerr real errors (timecost-amplified) since then
   * @param continSucc consecutive successes
   * @param continErr consecutive failures
   * @param idleSinceMs clock millis at which the current idle window started
   * @param overloadSinceMs clock millis at which the host was last overloaded, 0 if never
   * @param avgTimecostMs moving average of the time cost reports gave for this host, ms (each
   *     report with a time cost moves it {@code adaptive.sample-weight} of the way; failures count
   *     as they were reported); 0 until a report says; kept in memory only, not recorded
   */
  public record HostSnapshot(Host host, boolean overloaded, long vsucc, long verr, long rsucc, long rerr,
      int continSucc, int continErr, long idleSinceMs, long overloadSinceMs, double avgTimecostMs) {

    /** A snapshot without a time cost average (0 ms). */
    public HostSnapshot(Host host, boolean overloaded, long vsucc, long verr, long rsucc, long rerr,
        int continSucc, int continErr, long idleSinceMs, long overloadSinceMs) {
      this(host, overloaded, vsucc, verr, rsucc, rerr, continSucc, continErr, idleSinceMs, overloadSinceMs, 0);
    }
  }

  /**
   * An immutable copy of the whole state, for the admin view.
   *
   * @param module the module
   * @param routeKnown false until the first route update or restore
   * @param idle idle hosts in rotation order (the next pick first)
   * @param overload overloaded hosts in rotation order (the next probe first)
   * @param access requests since the last probe
   * @param pullStatus whether a pull is outstanding
   * @param lastUpdateMs clock millis of the last route update, -1 if none yet
   */
  public record Snapshot(ModuleId module, boolean routeKnown, List<HostSnapshot> idle, List<HostSnapshot> overload,
      int access, PullStatus pullStatus, long lastUpdateMs) {

    /** Copies the lists. */
    public Snapshot {
      idle = List.copyOf(idle);
      overload = List.copyOf(overload);
    }
  }

  /**
   * What a route update changed.
   *
   * @param added hosts new to the route, sorted
   * @param removed hosts no longer in the route, sorted
   */
  public record RouteDiff(Set<Host> added, Set<Host> removed) {

    /** Copies the sets, keeping their order. */
    public RouteDiff {
      added = Collections.unmodifiableSortedSet(new TreeSet<>(added));
      removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
    }

    /** @return true when a host was added or removed */
    public boolean changed() {
      return !added.isEmpty() || !removed.isEmpty();
    }
  }

  /**
   * One host's counts for a {@code ReportStatusRequest} (reference: {@code HostCallResult}).
   *
   * @param host the host
   * @param rsucc real successes in its current window or overload period
   * @param rerr real errors (timecost-amplified) in that period
   * @param overload whether the host is overloaded
   */
  public record HostCallStats(Host host, long rsucc, long rerr, boolean overload) {}

  private static final Pick NOEXIST = new Pick(RetCode.NOEXIST, null, false);
  private static final Pick OVERLOAD = new Pick(RetCode.OVERLOAD, null, false);

  private final ModuleId module;
  private final LoadBalanceSettings settings;
  private final LongSupplier clockMillis;
  private final long idleTimeoutMs;
  private final long overloadTimeoutMs;
  private final long updateTimeoutMs;
  private final long timecostUnitMs;
  private final double timecostWeight;

  private final Map<Host, HostState> hostMap = new HashMap<>();
  private final HostRing idleList = new HostRing();
  private final HostRing overloadList = new HostRing();
  private int access;
  private PullStatus pullStatus = PullStatus.NEW;
  private boolean routeKnown;
  private long lastUpdateMs = -1;
  private boolean statsChanged;

  /**
   * Creates the state of a module whose route is not known yet: {@link #getHost()} answers NOEXIST
   * and {@link #needsPull()} is true until the first {@link #updateRoutes} or {@link #restore}.
   *
   * @param module the module
   * @param settings the tuning
   * @param clockMillis the clock, in milliseconds (any epoch; only differences are used)
   */
  public LoadBalance(ModuleId module, LoadBalanceSettings settings, LongSupplier clockMillis) {
    this.module = Objects.requireNonNull(module, "module");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    this.idleTimeoutMs = settings.idleTimeout().toMillis();
    this.overloadTimeoutMs = settings.overloadTimeout().toMillis();
    this.updateTimeoutMs = settings.updateTimeout().toMillis();
    this.timecostUnitMs = settings.timecostUnit().toMillis();
    this.timecostWeight = settings.adaptive().sampleWeight();
  }

  /** @return the module this instance balances */
  public ModuleId module() {
    return module;
  }

  /** @return the settings in use */
  public LoadBalanceSettings settings() {
    return settings;
  }

  /**
   * Whether a route has arrived (DESIGN.md "Load-balancing rules", G1 and U2: a module the dns does
   * not know stays known-but-empty instead of being forgotten).
   *
   * @return false until the first {@link #updateRoutes} (even an empty one) or {@link #restore}
   */
  public boolean routeKnown() {
    return routeKnown;
  }

  /**
   * Chooses one host (DESIGN.md "Load-balancing rules", G2-G5; reference:
   * {@code load_balance::choice_one_host}, without its double take from the idle list in the mixed
   * branch).
   *
   * <ul>
   *   <li>Route unknown, or known but empty: NOEXIST (the entity does the first-pull wait of rule 1).
   *   <li>Idle list empty: if {@code access >= probe-num}, {@code access = 0} and the overload head is
   *       returned (moved to its tail) as a SUCC probe; else {@code access++} and OVERLOAD.
   *   <li>Idle non-empty, overload empty: the idle head, moved to the tail; access unchanged.
   *   <li>Both non-empty: if {@code access >= probe-num}, {@code access = 0} and the overload head
   *       (moved to its tail) as a probe; else {@code access++} and the idle head (moved to its tail).
   * </ul>
   *
   * <p>O(1). Does not look at the clock; the caller checks {@link #needsPull()} afterwards (rule 6).
   *
   * @return the pick; never null
   */
  public Pick getHost() {
    if (hostMap.isEmpty()) {
      return NOEXIST;
    }
    if (idleList.isEmpty()) {
      if (access >= settings.probeNum()) {
        access = 0;
        return new Pick(RetCode.SUCC, overloadList.rotate().host, true);
      }
      access++;
      return OVERLOAD;
    }
    if (overloadList.isEmpty()) {
      return new Pick(RetCode.SUCC, idleList.rotate().host, false);
    }
    if (access >= settings.probeNum()) {
      access = 0;
      return new Pick(RetCode.SUCC, overloadList.rotate().host, true);
    }
    access++;
    return new Pick(RetCode.SUCC, idleList.rotate().host, false);
  }

  /**
   * Whether the entity should pull the route now (DESIGN.md "Load-balancing rules", G1 and G6;
   * reference: {@code route_lb::get_host} update-timeout check).
   *
   * @return true when the status is NEW and the route is unknown, was never updated from the dns
   *     (e.g. only restored), or was last updated more than {@code update-timeout} ago
   */
  public boolean needsPull() {
    if (pullStatus != PullStatus.NEW) {
      return false;
    }
    return !routeKnown || lastUpdateMs < 0 || clockMillis.getAsLong() - lastUpdateMs > updateTimeoutMs;
  }

  /** Records that a {@code GetRouteRequest} was sent (reference: {@code load_balance::pull}). */
  public void markPulling() {
    pullStatus = PullStatus.PULLING;
  }

  /**
   * Records that no pull is outstanding any more, e.g. because the dns connection was
   * (re)established (reference: {@code route_lb::reset_lb_status}).
   */
  public void markNew() {
    pullStatus = PullStatus.NEW;
  }

  /** @return whether a pull is outstanding */
  public PullStatus pullStatus() {
    return pullStatus;
  }

  /**
   * Applies the outcome of one call to a host (DESIGN.md "Load-balancing rules", R1-R5; reference:
   * {@code load_balance::report}, with the timecost amplification of its 八-2).
   *
   * <ol>
   *   <li>Success: {@code vsucc++ rsucc++ continSucc++ continErr=0}. Failure: with
   *       {@code k = max(1, timecost / timecost-unit)}, {@code verr+=k rerr+=k continErr++ continSucc=0}.
   *   <li>Idle host, failure: overload if {@code verr/(vsucc+verr) > err-rate}, else if
   *       {@code continErr >= contin-err-limit}.
   *   <li>Overloaded host, success: idle if {@code vsucc/(vsucc+verr) > succ-rate}, else if
   *       {@code continSucc >= contin-succ-limit}.
   *   <li>No transition yet: an idle host whose window is {@code idle-timeout} old is overloaded if
   *       {@code rerr/(rsucc+rerr) >= window-err-rate} over at least
   *       {@link LoadBalanceSettings#windowMinCalls()} calls (1 with the reference policy), else its window restarts (counters back to the
   *       idle start, its place in the list kept; reference: {@code host_info::check_window}); an
   *       overloaded host {@code overload-timeout} old goes back to idle.
   *   <li>To overload: {@code vsucc=0, verr=init-err-cnt}, real and consecutive counts 0,
   *       {@code overloadSince=now}, appended to the overload list. To idle: {@code vsucc=init-succ-cnt,
   *       verr=0}, the others 0, {@code idleSince=now}, appended to the idle list.
   * </ol>
   *
   * <p>Rates are computed in double. The caller logs the returned transition once.
   *
   * @param host the host called
   * @param retcode 0 for success, anything else a failure
   * @param timecostMs how long the call took, read as the wire's unsigned 32-bit value; 0 = unknown
   * @return the transition this report caused, or empty (also for a host not in the route, which is ignored)
   */
  public Optional<Transition> report(Host host, int retcode, int timecostMs) {
    HostState h = hostMap.get(host);
    if (h == null) {
      return Optional.empty();
    }
    long now = clockMillis.getAsLong();
    statsChanged = true;
    boolean success = retcode == 0;
    if (timecostMs != 0) {
      double cost = Integer.toUnsignedLong(timecostMs);
      h.avgTimecostMs = h.avgTimecostMs == 0 ? cost : h.avgTimecostMs + timecostWeight * (cost - h.avgTimecostMs);
    }
    if (success) {
      h.vsucc++;
      h.rsucc++;
      h.continSucc++;
      h.continErr = 0;
    } else {
      long k = Math.max(1, Integer.toUnsignedLong(timecostMs) / timecostUnitMs);
      h.verr += k;
      h.rerr += k;
      h.continErr++;
      h.continSucc = 0;
    }

    if (!h.overloaded && !success) {
      if ((double) h.verr / (h.vsucc + h.verr) > settings.errRate()) {
        return Optional.of(toOverload(h, now, Reason.ERROR_RATE));
      }
      if (h.continErr >= settings.continErrLimit()) {
        return Optional.of(toOverload(h, now, Reason.CONSECUTIVE_ERRORS));
      }
    } else if (h.overloaded && success) {
      if ((double) h.vsucc / (h.vsucc + h.verr) > settings.succRate()) {
        return Optional.of(toIdle(h, now, Reason.SUCCESS_RATE));
      }
      if (h.continSucc >= settings.continSuccLimit()) {
        return Optional.of(toIdle(h, now, Reason.CONSECUTIVE_SUCCESSES));
      }
    }

    if (!h.overloaded) {
      if (now - h.idleSinceMs >= idleTimeoutMs) {
        long calls = h.rsucc + h.rerr;
        if (calls > 0 && calls >= settings.windowMinCalls() && (double) h.rerr / calls >= settings.windowErrRate()) {
          return Optional.of(toOverload(h, now, Reason.WINDOW_ERROR_RATE));
        }
        h.resetIdle(now, settings.initSuccCnt());
      }
    } else if (now - h.overloadSinceMs >= overloadTimeoutMs) {
      return Optional.of(toIdle(h, now, Reason.OVERLOAD_TIMEOUT));
    }
    return Optional.empty();
  }

  /**
   * Replaces the route (DESIGN.md "Load-balancing rules", U1-U2; reference:
   * {@code load_balance::update}, without its leaving freed hosts in the map).
   *
   * <p>New hosts join the idle list at the tail in sorted order with the idle start counts and
   * {@code idleSince = now}; vanished hosts leave the map and whichever list held them; hosts in
   * both keep their state and place. The route becomes known (an empty one too: NOEXIST, not
   * forgotten), the status NEW and {@code lastUpdate = now}.
   *
   * @param hosts the complete new route; duplicates are ignored; no null elements
   * @return what was added and removed
   */
  public RouteDiff updateRoutes(Collection<Host> hosts) {
    long now = clockMillis.getAsLong();
    SortedSet<Host> wanted = new TreeSet<>(hosts);
    SortedSet<Host> removed = new TreeSet<>();
    for (Iterator<HostState> it = hostMap.values().iterator(); it.hasNext(); ) {
      HostState h = it.next();
      if (!wanted.contains(h.host)) {
        listOf(h).remove(h);
        it.remove();
        removed.add(h.host);
      }
    }
    SortedSet<Host> added = new TreeSet<>();
    for (Host host : wanted) {
      if (!hostMap.containsKey(host)) {
        addIdle(host, now);
        added.add(host);
      }
    }
    routeKnown = true;
    pullStatus = PullStatus.NEW;
    lastUpdateMs = now;
    return new RouteDiff(added, removed);
  }

  /**
   * Rebuilds the state from a recovered route, for event-sourced recovery (DESIGN.md "Persistence").
   *
   * <p>Every host gets the counts of a fresh transition at {@code now}: overloaded hosts as just
   * overloaded, the others as just idle; both lists in sorted order; {@code access = 0}. The
   * route becomes known. The pull status is kept and the time of the last update is not touched,
   * so a route that never came from the dns in this incarnation is refreshed at once.
   *
   * @param hosts the route; duplicates are ignored; no null elements
   * @param overloaded which of those hosts are overloaded; others are ignored
   */
  public void restore(Collection<Host> hosts, Set<Host> overloaded) {
    long now = clockMillis.getAsLong();
    for (HostState h : new ArrayList<>(hostMap.values())) {
      listOf(h).remove(h);
    }
    hostMap.clear();
    access = 0;
    for (Host host : new TreeSet<>(hosts)) {
      if (overloaded.contains(host)) {
        HostState h = new HostState(host);
        h.resetOverload(now, settings.initErrCnt());
        h.idleSinceMs = now;
        hostMap.put(host, h);
        overloadList.addLast(h);
      } else {
        addIdle(host, now);
      }
    }
    routeKnown = true;
  }

  /** @return the current route, sorted; an immutable copy */
  public Set<Host> hosts() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(hostMap.keySet()));
  }

  /** @return the overloaded hosts of the route, sorted; an immutable copy */
  public SortedSet<Host> overloaded() {
    SortedSet<Host> out = new TreeSet<>();
    for (HostState h : overloadList.inOrder()) {
      out.add(h.host);
    }
    return Collections.unmodifiableSortedSet(out);
  }

  /**
   * Whether there is something new for the reporter (DESIGN.md "Load-balancing rules", S1).
   *
   * @return true if a host of the route was reported since the last {@link #takeStatistics()}
   */
  public boolean statsChanged() {
    return statsChanged;
  }

  /**
   * The counts for a {@code ReportStatusRequest} (reference: {@code load_balance::commit}): the idle
   * list first, then the overload list, each in rotation order. Clears {@link #statsChanged()} but
   * not the counts, which restart only with a window or a transition.
   *
   * @return one entry per host of the route; immutable
   */
  public List<HostCallStats> takeStatistics() {
    statsChanged = false;
    List<HostCallStats> out = new ArrayList<>(hostMap.size());
    for (HostState h : idleList.inOrder()) {
      out.add(new HostCallStats(h.host, h.rsucc, h.rerr, false));
    }
    for (HostState h : overloadList.inOrder()) {
      out.add(new HostCallStats(h.host, h.rsucc, h.rerr, true));
    }
    return List.copyOf(out);
  }

  /** @return an immutable copy of the whole state */
  public Snapshot snapshot() {
    return new Snapshot(module, routeKnown, idleList.inOrder().stream().map(HostState::snapshot).toList(),
        overloadList.inOrder().stream().map(HostState::snapshot).toList(), access, pullStatus, lastUpdateMs);
  }

  private void addIdle(Host host, long now) {
    HostState h = new HostState(host);
    h.resetIdle(now, settings.initSuccCnt());
    hostMap.put(host, h);
    idleList.addLast(h);
  }

  private HostRing listOf(HostState h) {
    return h.overloaded ? overloadList : idleList;
  }

  private Transition toOverload(HostState h, long now, Reason reason) {
    Transition t = new Transition(module, h.host, true, h.vsucc, h.verr, h.rsucc, h.rerr, reason);
    idleList.remove(h);
    h.resetOverload(now, settings.initErrCnt());
    overloadList.addLast(h);
    return t;
  }

  private Transition toIdle(HostState h, long now, Reason reason) {
    Transition t = new Transition(module, h.host, false, h.vsucc, h.verr, h.rsucc, h.rerr, reason);
    overloadList.remove(h);
    h.resetIdle(now, settings.initSuccCnt());
    idleList.addLast(h);
    return t;
  }
}
