package io.lars.dns;

import akka.Done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.lars.kernel.RouteReload;
import io.lars.lease.LeaseStats;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.lars.db.RouteLimits;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PollerTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("akka.actor.provider = local"))
      .withFallback(ConfigFactory.load()));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration FULL_RELOAD = Duration.ofSeconds(10);
  private static final Executor DIRECT = Runnable::run;

  private static final ModuleId A = new ModuleId(1, 1);
  private static final ModuleId B = new ModuleId(1, 2);
  private static final ModuleId C = new ModuleId(2, 1);
  private static final Host H1 = Host.of("10.0.0.1", 80);
  private static final Host H2 = Host.of("10.0.0.2", 80);
  private static final Host H3 = Host.of("10.0.0.3", 80);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private final FakeRouteRepository repo = new FakeRouteRepository();
  private final TestProbe<Registry.RoutesUpdated> published = testKit.createTestProbe();

  private ActorRef<Poller.Command> startWithTwoModules() {
    repo.putDirectly(A, H1);
    repo.putDirectly(B, H2);
    repo.recordChange(5, A);
    ActorRef<Poller.Command> poller = testKit.spawn(Poller.create(repo, DIRECT, POLL, FULL_RELOAD, published.getRef()));
    Registry.RoutesUpdated first = published.receiveMessage();
    assertEquals(Set.of(A, B), first.changed());
    return poller;
  }

  /** Lets time pass and waits until the poller has queried the database since. */
  private void passAndAwaitQuery(Duration duration) {
    int before = repo.queries();
    manualTime.timePasses(duration);
    published.awaitAssert(() -> {
      assertTrue(repo.queries() > before, "no query after " + duration);
      return null;
    });
  }

  @Test
  void startClearsOldChangesAndPublishesEveryModule() {
    repo.putDirectly(A, H1);
    repo.putDirectly(A, H2);
    repo.putDirectly(B, H3);
    repo.recordChange(5, C);
    testKit.spawn(Poller.create(repo, DIRECT, POLL, FULL_RELOAD, published.getRef()));
    Registry.RoutesUpdated first = published.receiveMessage();
    assertEquals(Set.of(A, B), first.changed());
    assertEquals(List.of(H1, H2), first.routes().hosts(A));
    assertEquals(1, repo.clears());
    assertEquals(0, repo.changeRows());
  }

  @Test
  void aReloadThatLosesMoreThanMaxShrinkFractionWithoutChangeRowsKeepsTheLastGoodRoute() {
    repo.putDirectly(A, H1);
    repo.putDirectly(A, H2);
    repo.putDirectly(A, H3);
    repo.putDirectly(B, H1);
    testKit.spawn(Poller.create(repo, DIRECT, POLL, FULL_RELOAD, 0.5, published.getRef()));
    assertEquals(List.of(H1, H2, H3), published.receiveMessage().routes().hosts(A));
    LeaseStats stats = LeaseStats.get(testKit.system());
    long refusedBefore = stats.shrinkRefused();

    // A partial load: A's rows vanish without RouteChange rows; B changes on purpose.
    repo.removeDirectly(A);
    repo.putDirectly(B, H2);
    repo.recordChange(6, B);
    LoggingTestKit.error("keeping its last good route").expect(testKit.system(), () -> {
      manualTime.timePasses(POLL);
      return null;
    });
    Registry.RoutesUpdated update = published.receiveMessage();
    assertEquals(List.of(H1, H2, H3), update.routes().hosts(A), "A keeps its last good route");
    assertEquals(List.of(H1, H2), update.routes().hosts(B), "B's deliberate change is served");
    assertEquals(Set.of(B), update.deliberate());
    assertEquals(refusedBefore + 1, stats.shrinkRefused());

    // The same removal written on purpose (a RouteChange row for A) goes through, marked deliberate.
    repo.recordChange(7, A);
    manualTime.timePasses(POLL);
    Registry.RoutesUpdated deliberate = published.receiveMessage();
    assertEquals(List.of(), deliberate.routes().hosts(A));
    assertTrue(deliberate.deliberate().contains(A));
    assertEquals(refusedBefore + 1, stats.shrinkRefused());
  }

  /** Gives a module hosts beyond the maximum by hand, as an SQL tool could. */
  private void overfill(ModuleId module) {
    for (int i = 0; i <= RouteLimits.MAX_HOSTS_PER_MODULE; i++) {
      repo.putDirectly(module, new Host(0xC0A80000 + i, 9000));
    }
  }

  @Test
  void anOversizeRouteIsRefusedOnceKeepingItsLastGoodRouteWhileOtherModulesAreServed() {
    ActorRef<Poller.Command> poller = startWithTwoModules();
    DnsStats stats = DnsStats.get(testKit.system());
    long refusedBefore = stats.routesRefused();
    overfill(A);
    overfill(C);
    repo.putDirectly(B, H3);
    repo.recordChange(6, A, B, C);
    LoggingTestKit.error("more than the " + RouteLimits.MAX_HOSTS_PER_MODULE).withOccurrences(2)
        .expect(testKit.system(), () -> {
          manualTime.timePasses(POLL);
          return null;
        });
    Registry.RoutesUpdated update = published.receiveMessage();
    assertEquals(List.of(H1), update.routes().hosts(A), "A keeps its last good route");
    assertEquals(List.of(), update.routes().hosts(C), "C had no good route: served as unknown");
    assertEquals(List.of(H2, H3), update.routes().hosts(B), "B is served as usual");
    assertTrue(update.changed().contains(B));
    assertEquals(refusedBefore + 2, stats.routesRefused());
    // What /ready/details shows: both modules held back, with the hosts served and loaded.
    TestProbe<Poller.HeldRoutes> held = testKit.createTestProbe();
    poller.tell(new Poller.GetHeldRoutes(held.getRef()));
    List<Poller.HeldRoute> routes = held.receiveMessage().routes();
    assertEquals(List.of(A, C), routes.stream().map(Poller.HeldRoute::module).toList());
    assertEquals(Poller.HoldReason.OVERSIZE, routes.get(0).reason());
    assertEquals(1, routes.get(0).hostsKept());
    assertEquals(RouteLimits.MAX_HOSTS_PER_MODULE + 2, routes.get(0).hostsLoaded(), "its old host and the overfill");
    assertEquals(0, routes.get(1).hostsKept(), "C had no good route");

    passAndAwaitQuery(FULL_RELOAD);
    published.expectNoMessage(Duration.ofMillis(100));
    assertEquals(refusedBefore + 2, stats.routesRefused(), "still oversize: not counted or logged again");
  }

  @Test
  void anUnchangedVersionPublishesNothing() {
    startWithTwoModules();
    passAndAwaitQuery(POLL);
    passAndAwaitQuery(POLL);
    published.expectNoMessage(Duration.ofMillis(100));
    assertEquals(0, repo.deletes());
  }

  @Test
  void aNewVersionReloadsPublishesTheChangedModulesAndDeletesTheirRows() {
    startWithTwoModules();
    repo.addHost(A, H3);
    repo.recordChange(7, C);
    manualTime.timePasses(POLL);
    Registry.RoutesUpdated update = published.receiveMessage();
    // C has no host before or after, but its RouteChange row still gets it pushed.
    assertEquals(Set.of(A, C), update.changed());
    assertEquals(List.of(H1, H3), update.routes().hosts(A));
    assertEquals(List.of(H2), update.routes().hosts(B));
    assertEquals(0, repo.changeRows());
    assertEquals(1, repo.deletes());
    passAndAwaitQuery(POLL);
    published.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aFullReloadPublishesOnlyModulesWhoseHostsDiffer() {
    startWithTwoModules();
    repo.putDirectly(B, H3);
    passAndAwaitQuery(POLL);
    published.expectNoMessage(Duration.ofMillis(100));
    manualTime.timePasses(FULL_RELOAD.minus(POLL));
    Registry.RoutesUpdated update = published.receiveMessage();
    assertEquals(Set.of(B), update.changed());
    assertEquals(List.of(H2, H3), update.routes().hosts(B));
    passAndAwaitQuery(FULL_RELOAD);
    published.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aDatabaseOutageKeepsTheLastTableAndRetriesEveryTick() {
    startWithTwoModules();
    repo.failing(true);
    LoggingTestKit.warn("cannot read routes").expect(testKit.system(), () -> {
      passAndAwaitQuery(POLL);
      return null;
    });
    passAndAwaitQuery(POLL);
    passAndAwaitQuery(FULL_RELOAD);
    published.expectNoMessage(Duration.ofMillis(100));
    repo.failing(false);
    repo.addHost(C, H1);
    LoggingTestKit.info("route database is back").expect(testKit.system(), () -> {
      manualTime.timePasses(POLL);
      return null;
    });
    Registry.RoutesUpdated update = published.receiveMessage();
    assertEquals(Set.of(C), update.changed());
    assertEquals(Set.of(A, B, C), update.routes().modules());
  }

  @Test
  void aFailedFirstLoadIsRetriedOnTheNextTick() {
    repo.putDirectly(A, H1);
    repo.failing(true);
    testKit.spawn(Poller.create(repo, DIRECT, POLL, FULL_RELOAD, published.getRef()));
    published.expectNoMessage(Duration.ofMillis(100));
    repo.failing(false);
    manualTime.timePasses(POLL);
    assertEquals(Set.of(A), published.receiveMessage().changed());
    assertEquals(1, repo.clears());
  }

  @Test
  void reloadNowDoesNotWaitForATick() {
    ActorRef<Poller.Command> poller = startWithTwoModules();
    repo.addHost(B, H1);
    poller.tell(new Poller.ReloadNow());
    Registry.RoutesUpdated update = published.receiveMessage();
    assertEquals(Set.of(B), update.changed());
    assertEquals(List.of(H1, H2), update.routes().hosts(B));
  }

  @Test
  void reloadAnswersAfterTheReloadedTableIsPublished() {
    ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    repo.putDirectly(A, H1);
    ActorRef<Poller.Command> poller = testKit.spawn(Poller.create(repo, queued::add, POLL, FULL_RELOAD, published.getRef()));
    TestProbe<Done> reloaded = testKit.createTestProbe();
    published.awaitAssert(() -> {
      assertEquals(1, queued.size());
      return null;
    });
    // Asked while the first load runs: that load may have read the routes already, so only the
    // next cycle counts.
    poller.tell(new Poller.Reload(reloaded.getRef()));
    queued.poll().run();
    assertEquals(Set.of(A), published.receiveMessage().changed());
    reloaded.expectNoMessage(Duration.ofMillis(100));
    repo.addHost(B, H2);
    published.awaitAssert(() -> {
      assertEquals(1, queued.size());
      return null;
    });
    queued.poll().run();
    assertEquals(Set.of(B), published.receiveMessage().changed());
    reloaded.expectMessage(Done.getInstance());
  }

  @Test
  void reloadAnswersWhenTheDatabaseFails() {
    ActorRef<Poller.Command> poller = startWithTwoModules();
    repo.failing(true);
    TestProbe<Done> reloaded = testKit.createTestProbe();
    poller.tell(new Poller.Reload(reloaded.getRef()));
    reloaded.expectMessage(Done.getInstance());
    published.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void onlyOneCycleOfQueriesIsInFlight() {
    ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    repo.putDirectly(A, H1);
    ActorRef<Poller.Command> poller = testKit.spawn(Poller.create(repo, queued::add, POLL, FULL_RELOAD, published.getRef()));
    published.awaitAssert(() -> {
      assertEquals(1, queued.size());
      return null;
    });
    poller.tell(new Poller.ReloadNow());
    poller.tell(new Poller.ReloadNow());
    manualTime.timePasses(FULL_RELOAD);
    published.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, queued.size());
    queued.poll().run();
    assertEquals(Set.of(A), published.receiveMessage().changed());
    // The ticks and reloads that came meanwhile are merged into one more cycle.
    published.awaitAssert(() -> {
      assertEquals(1, queued.size());
      return null;
    });
    queued.poll().run();
    published.expectNoMessage(Duration.ofMillis(100));
    assertEquals(0, queued.size());
  }

  @Test
  void reloadNowSurvivesCborSerialization() {
    new SerializationTestKit(testKit.system()).verifySerialization(new RouteReload.ReloadNow(), true);
    new SerializationTestKit(testKit.system()).verifySerialization(
        new RouteReload.Reload(testKit.<Done>createTestProbe().getRef()), true);
  }
}
