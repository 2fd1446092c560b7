package io.lars.agent;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.RetCode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The per-module meters of one agent node, as seen by that node (API.md "Metrics"): for every
 * module the node serves a view of,
 * <ul>
 *   <li>{@code lars_agent_module_hosts{modid,cmdid,state="idle"|"overload"}}: the hosts of the
 *       node's current view in each state (a gauge read from the immutable {@link ModuleView});
 *   <li>{@code lars_agent_module_get_host_total{modid,cmdid,retcode}}: GetHostResponses this node
 *       sent, by return code;
 *   <li>{@code lars_agent_module_transitions_total{modid,cmdid,to="overload"|"idle"}}: host state
 *       changes between two consecutive views from the same entity incarnation, so every node
 *       serving a module counts the module's transitions (aggregate with {@code max}, not
 *       {@code sum}); two changes of one host inside one view update are seen as none.
 * </ul>
 *
 * <p>Bounded cardinality: at most {@code lars.agent.metrics.max-modules} modules have series of
 * their own. A module opened while that many have theirs is folded into the series
 * {@code modid="other",cmdid="other"} until it is released (it is not promoted when a slot frees);
 * get_host answers of modules without a view on this node (NOEXIST from the negative cache,
 * SYSTEM_ERROR while the first view is built) are counted there too. The gauge
 * {@code lars_agent_modules_folded} says how many modules are folded now. A released module's
 * meters are removed from the registry.
 *
 * <p>Thread-safety: {@link #open}, {@link #expose}, {@link #update} and {@link #close} are called
 * by {@link NodeViews} only (one actor); {@link #answer} from any port's stream stage, without
 * allocation (one map lookup); gauges read volatile snapshots from the scrape thread.
 */
final class ModuleMetrics {

  /** The default of {@code lars.agent.metrics.max-modules}. */
  static final int DEFAULT_MAX_MODULES = 1000;

  /** The modid and cmdid label of the folded series. */
  static final String OTHER = "other";

  private static final RetCode[] RET_CODES = RetCode.values();

  /** The meters of one module with series of its own, or a folded module sharing {@link #other}. */
  private static final class Meters {
    final LongAdder[] answers;
    final LongAdder toOverload;
    final LongAdder toIdle;
    final boolean own;
    final List<Meter> registered = new ArrayList<>();
    volatile ModuleView view;

    Meters(ModuleView view, boolean own, Meters shared) {
      this.view = view;
      this.own = own;
      if (shared == null) {
        answers = new LongAdder[RET_CODES.length];
        for (int i = 0; i < answers.length; i++) {
          answers[i] = new LongAdder();
        }
        toOverload = new LongAdder();
        toIdle = new LongAdder();
      } else {
        answers = shared.answers;
        toOverload = shared.toOverload;
        toIdle = shared.toIdle;
      }
    }
  }

  private final MeterRegistry registry;
  private final ConcurrentHashMap<ModuleId, Meters> modules = new ConcurrentHashMap<>();
  private final Meters other = new Meters(null, false, null);
  private final AtomicInteger ownCount = new AtomicInteger();
  private final AtomicInteger foldedCount = new AtomicInteger();
  private volatile int maxModules = DEFAULT_MAX_MODULES;

  /**
   * @param registry where the meters go
   */
  ModuleMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers the folded series and {@code lars_agent_modules_folded} and sets the cap; called
   * once when the agent role starts, before any view is opened.
   *
   * @param maxModules modules with series of their own at most, 0..1000000 (0: every module folded)
   */
  void register(int maxModules) {
    this.maxModules = maxModules;
    registerSeries(OTHER, OTHER, other, m -> sum(true), m -> sum(false));
    Gauge.builder("lars.agent.modules.folded", foldedCount, AtomicInteger::get)
        .description("modules whose series are folded into modid=\"other\" (lars.agent.metrics.max-modules)")
        .register(registry);
  }

  /**
   * The node serves a view of a module now: its answers are counted from here on, for the module
   * when fewer than {@code max-modules} modules have series of their own, else folded. Cheap (one
   * map entry), so it can run before the ports get the view; {@link #expose} registers the series.
   * Opening an open module only updates its view.
   *
   * @param view the first view
   */
  void open(ModuleView view) {
    ModuleId module = view.module();
    if (modules.containsKey(module)) {
      update(view, false);
      return;
    }
    boolean own = ownCount.get() < maxModules;
    (own ? ownCount : foldedCount).incrementAndGet();
    modules.put(module, new Meters(view, own, own ? null : other));
  }

  /**
   * Registers the series of an open module with series of its own (8 meter registrations, about
   * 0.1 ms; called after the ports have the view so as not to delay its first answers).
   * Nothing for a folded, closed or already exposed module.
   *
   * @param module the module
   */
  void expose(ModuleId module) {
    Meters meters = modules.get(module);
    if (meters != null && meters.own && meters.registered.isEmpty()) {
      registerSeries(Integer.toString(module.modid()), Integer.toString(module.cmdid()), meters,
          m -> idleHosts(m.view), m -> m.view.overloaded().size());
    }
  }

  /**
   * The node's view of an open module changed. Host state changes are counted when both views
   * come from the module's entity and {@code sameEntity} says they come from the same incarnation
   * (a provisional view or a new entity's first view are not transitions).
   *
   * @param next the new view
   * @param sameEntity true when the entity that sent {@code next} also sent the current view
   */
  void update(ModuleView next, boolean sameEntity) {
    Meters meters = modules.get(next.module());
    if (meters == null) {
      return;
    }
    ModuleView previous = meters.view;
    meters.view = next;
    if (sameEntity && previous.fromEntity() && next.fromEntity()) {
      countTransitions(meters, previous, next);
    }
  }

  /**
   * The node released the module: its series are removed (a folded module frees nothing but its
   * share of the folded gauges).
   *
   * @param module the module
   */
  void close(ModuleId module) {
    Meters meters = modules.remove(module);
    if (meters == null) {
      return;
    }
    if (meters.own) {
      meters.registered.forEach(registry::remove);
      ownCount.decrementAndGet();
    } else {
      foldedCount.decrementAndGet();
    }
  }

  /**
   * Counts one GetHostResponse; called on the hot path, allocates nothing.
   *
   * @param module the module answered
   * @param retCode the answer's return code
   */
  void answer(ModuleId module, RetCode retCode) {
    Meters meters = modules.get(module);
    (meters != null ? meters : other).answers[retCode.ordinal()].increment();
  }

  /**
   * @param module a module
   * @return the view its meters read now, or null when the module is not open (tests and diagnostics)
   */
  ModuleView view(ModuleId module) {
    Meters meters = modules.get(module);
    return meters == null ? null : meters.view;
  }

  private void registerSeries(String modid, String cmdid, Meters meters, ToDoubleFunction<Meters> idle,
      ToDoubleFunction<Meters> overload) {
    List<Meter> registered = meters.registered;
    registered.add(Gauge.builder("lars.agent.module.hosts", meters, idle)
        .description("hosts of the module in this node's view, by state")
        .tags("modid", modid, "cmdid", cmdid, "state", "idle").register(registry));
    registered.add(Gauge.builder("lars.agent.module.hosts", meters, overload)
        .description("hosts of the module in this node's view, by state")
        .tags("modid", modid, "cmdid", cmdid, "state", "overload").register(registry));
    for (RetCode code : RET_CODES) {
      registered.add(FunctionCounter.builder("lars.agent.module.get.host", meters.answers[code.ordinal()],
              LongAdder::sum)
          .description("GetHostResponses this node sent for the module, by return code")
          .tags("modid", modid, "cmdid", cmdid, "retcode", code.name()).register(registry));
    }
    registered.add(FunctionCounter.builder("lars.agent.module.transitions", meters.toOverload, LongAdder::sum)
        .description("host transitions of the module seen in its entity's views")
        .tags("modid", modid, "cmdid", cmdid, "to", "overload").register(registry));
    registered.add(FunctionCounter.builder("lars.agent.module.transitions", meters.toIdle, LongAdder::sum)
        .description("host transitions of the module seen in its entity's views")
        .tags("modid", modid, "cmdid", cmdid, "to", "idle").register(registry));
  }

  /** Hosts of the folded modules' views in one state. */
  private double sum(boolean idle) {
    long n = 0;
    for (Meters m : modules.values()) {
      if (!m.own) {
        n += idle ? idleHosts(m.view) : m.view.overloaded().size();
      }
    }
    return n;
  }

  private static double idleHosts(ModuleView view) {
    return view.hosts().size() - view.overloaded().size();
  }

  private static void countTransitions(Meters meters, ModuleView previous, ModuleView next) {
    Set<Host> wasOverloaded = new HashSet<>(previous.overloaded());
    Set<Host> isOverloaded = new HashSet<>(next.overloaded());
    Set<Host> wasRouted = new HashSet<>(previous.hosts());
    Set<Host> isRouted = new HashSet<>(next.hosts());
    for (Host h : isOverloaded) {
      if (wasRouted.contains(h) && !wasOverloaded.contains(h)) {
        meters.toOverload.increment();
      }
    }
    for (Host h : wasOverloaded) {
      if (isRouted.contains(h) && !isOverloaded.contains(h)) {
        meters.toIdle.increment();
      }
    }
  }
}
