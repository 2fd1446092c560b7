package io.lars.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.testkit.JournalOperation;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.ProcessingPolicy;
import akka.persistence.testkit.ProcessingResult;
import akka.persistence.testkit.ProcessingSuccess;
import akka.persistence.testkit.WriteEvents;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.ConfigFactory;
import io.lars.db.RouteLimits;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease owner batches registrations (DESIGN.md "Self-registration with leases"): those that
 * arrive while it waits for the registry's static rows (or while it writes the previous batch) are
 * decided in arrival order and written with one journal write, each still answered on its own:
 * CONFLICT for a static host, the same lease id for a host registered twice, OK only after the
 * write; heartbeats are never written. On the persistence testkit's in-memory journal (events serialized by
 * {@link LeaseSerializer}), whose policy records the size of every write.
 */
class LeaseEntityBatchTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static ActorTestKit testKit;
  private static PersistenceTestKit journal;
  /** Events per journal write of the entity under test, in write order. */
  private static final List<Integer> writes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("LeaseEntityBatchTest", PersistenceTestKitPlugin.getInstance().config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        // A StackOverflowError fails the test instead of ending the test JVM.
        .withFallback(ConfigFactory.parseString("akka.actor.provider = local\nakka.jvm-exit-on-fatal-error = off"))
        .withFallback(ConfigFactory.load()));
    journal = PersistenceTestKit.create(testKit.system());
    journal.withPolicy(new ProcessingPolicy<>() {
      @Override
      public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
        if (operation instanceof WriteEvents write) {
          writes.add(write.getBatch().size());
        }
        return ProcessingSuccess.getInstance();
      }
    });
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    journal.clearAll();
    writes.clear();
  }

  @Test
  void registrationsWaitingForTheStaticCheckAreAnsweredEachAndWrittenInOneWrite() {
    ModuleId module = new ModuleId(71, 1);
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    ActorRef<LeaseEntity.Command> entity = spawn(module, registry, LeaseNode.get(testKit.system()).settings());
    Host a = Host.of("10.7.0.1", 80);
    Host b = Host.of("10.7.0.2", 80);
    Host fixed = Host.of("10.7.0.9", 80);
    TestProbe<LeaseReply> first = testKit.createTestProbe();
    TestProbe<LeaseReply> second = testKit.createTestProbe();
    TestProbe<LeaseReply> conflict = testKit.createTestProbe();
    TestProbe<LeaseReply> again = testKit.createTestProbe();
    TestProbe<LeaseReply> foreign = testKit.createTestProbe();

    entity.tell(new LeaseEntity.Register(request(module, a, 10), first.getRef()));
    RegistryLink.StaticHostsOf ask = registry.expectMessageClass(RegistryLink.StaticHostsOf.class, TIMEOUT);
    assertEquals(module, ask.module());
    // These arrive while the owner waits for the registry: no second ask, one batch.
    entity.tell(new LeaseEntity.Register(request(module, b, 10), second.getRef()));
    entity.tell(new LeaseEntity.Register(request(module, fixed, 10), conflict.getRef()));
    entity.tell(new LeaseEntity.Register(request(module, b, 20), again.getRef()));
    entity.tell(new LeaseEntity.Register(request(new ModuleId(72, 1), a, 10), foreign.getRef()));
    assertEquals(LeaseReply.Status.INVALID, foreign.receiveMessage(TIMEOUT).status(), "another module's host, at once");
    // Read back only after the four arrived, so that the answer below serves all of them.
    TestProbe<LeaseSet> sets = testKit.createTestProbe();
    entity.tell(new LeaseEntity.GetLeases(sets.getRef()));
    assertTrue(sets.receiveMessage(TIMEOUT).leases().isEmpty(), "nothing granted before the static check");
    ask.replyTo().tell(new RegistryLink.StaticHosts(List.of(fixed)));

    LeaseReply grantedA = first.receiveMessage(TIMEOUT);
    LeaseReply grantedB = second.receiveMessage(TIMEOUT);
    LeaseReply renewedB = again.receiveMessage(TIMEOUT);
    LeaseReply refused = conflict.receiveMessage(TIMEOUT);
    assertEquals(LeaseReply.Status.OK, grantedA.status(), grantedA.error());
    assertEquals(LeaseReply.Status.OK, grantedB.status(), grantedB.error());
    assertEquals(LeaseReply.Status.OK, renewedB.status(), renewedB.error());
    assertEquals(LeaseReply.Status.CONFLICT, refused.status());
    assertTrue(refused.error().contains("static RouteData row"), refused.error());
    assertEquals(grantedB.leaseId(), renewedB.leaseId(), "a host registered twice in one batch keeps one lease");
    assertNotEquals(grantedA.leaseId(), grantedB.leaseId());
    assertEquals(20, renewedB.ttlS(), "the later registration of the host wins");

    assertEquals(List.of(3), writes, "one write with the three grants");
    List<Object> stored = journal.persistedInStorage(LeaseEntity.persistenceId(module).id());
    assertEquals(List.of(a, b, b), stored.stream().map(e -> ((LeaseEntity.Event.Registered) e).lease().host()).toList(),
        "events in arrival order");

    entity.tell(new LeaseEntity.GetLeases(sets.getRef()));
    LeaseSet set = sets.receiveMessage(TIMEOUT);
    assertEquals(Map.of(grantedA.leaseId(), 10, grantedB.leaseId(), 20),
        set.leases().stream().collect(java.util.stream.Collectors.toMap(Lease::id, Lease::ttlS)));
  }

  @Test
  void aLaterBatchRenewsALeaseOfAnEarlierOneUnderItsId() {
    ModuleId module = new ModuleId(73, 1);
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    ActorRef<LeaseEntity.Command> entity = spawn(module, registry, LeaseNode.get(testKit.system()).settings());
    TestProbe<LeaseReply> first = testKit.createTestProbe();
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.3.1", 80), 10), first.getRef()));
    answerNoStaticHosts(registry);
    LeaseReply granted = first.receiveMessage(TIMEOUT);
    assertEquals(LeaseReply.Status.OK, granted.status());

    TestProbe<LeaseReply> other = testKit.createTestProbe();
    TestProbe<LeaseReply> retry = testKit.createTestProbe();
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.3.2", 80), 10), other.getRef()));
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.3.1", 80), 10), retry.getRef()));
    answerNoStaticHosts(registry);
    assertEquals(LeaseReply.Status.OK, other.receiveMessage(TIMEOUT).status());
    assertEquals(granted.leaseId(), retry.receiveMessage(TIMEOUT).leaseId(), "the retry renews the granted lease");
    assertEquals(List.of(1, 2), writes, "one write per batch");
  }

  @Test
  void heartbeatsRenewWithoutAJournalWrite() {
    ModuleId module = new ModuleId(75, 1);
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    ActorRef<LeaseEntity.Command> entity = spawn(module, registry, LeaseNode.get(testKit.system()).settings());
    TestProbe<LeaseReply> replies = testKit.createTestProbe();
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.5.1", 80), 10), replies.getRef()));
    answerNoStaticHosts(registry);
    String id = replies.receiveMessage(TIMEOUT).leaseId();
    for (int i = 0; i < 5; i++) {
      entity.tell(new LeaseEntity.Heartbeat(id, replies.getRef()));
      assertEquals(LeaseReply.Status.OK, replies.receiveMessage(TIMEOUT).status());
    }
    entity.tell(new LeaseEntity.Heartbeat(module.entityId() + ".unknown", replies.getRef()));
    assertEquals(LeaseReply.Status.UNKNOWN, replies.receiveMessage(TIMEOUT).status());
    assertEquals(List.of(1), writes, "only the registration was written");
  }

  @Test
  void registrationsBeyondOneRouteWhileTheCheckIsPendingAreRefusedAtOnce() {
    ModuleId module = new ModuleId(76, 1);
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    ActorRef<LeaseEntity.Command> entity = spawn(module, registry, LeaseNode.get(testKit.system()).settings());
    // Recovered first: commands that arrive during recovery are stashed, and the stash holds fewer.
    TestProbe<LeaseSet> sets = testKit.createTestProbe();
    entity.tell(new LeaseEntity.GetLeases(sets.getRef()));
    sets.receiveMessage(TIMEOUT);
    TestProbe<LeaseReply> waiting = testKit.createTestProbe();
    for (int i = 0; i < RouteLimits.MAX_HOSTS_PER_MODULE; i++) {
      entity.tell(new LeaseEntity.Register(request(module, new Host(0x0A4C0000 + i, 80), 10), waiting.getRef()));
    }
    TestProbe<LeaseReply> extra = testKit.createTestProbe();
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.77.0.1", 80), 10), extra.getRef()));
    LeaseReply refused = extra.receiveMessage(TIMEOUT);
    assertEquals(LeaseReply.Status.UNAVAILABLE, refused.status());
    assertTrue(refused.error().contains("registrations waiting"), refused.error());

    answerNoStaticHosts(registry);
    List<LeaseReply> granted = waiting.receiveSeveralMessages(RouteLimits.MAX_HOSTS_PER_MODULE, TIMEOUT);
    assertTrue(granted.stream().allMatch(r -> r.status() == LeaseReply.Status.OK), "the waiting ones are granted");
    assertEquals(List.of(RouteLimits.MAX_HOSTS_PER_MODULE), writes, "in one write");
  }

  @Test
  void manyHeartbeatsWhileTheOwnerRecoversDoNotOverflowTheStack() {
    ModuleId module = new ModuleId(77, 1);
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    ActorRef<LeaseEntity.Command> entity = spawn(module, registry, LeaseNode.get(testKit.system()).settings());
    // Sent at once, most arrive while the owner recovers and are stashed; Akka 2.6 unstashes such
    // read-only commands recursively, and with its default stash capacity (4096) 500 of them
    // overflowed the stack here. lars-persistence.conf caps the stash below that: the surplus is
    // dropped (its asks would end UNAVAILABLE), the owner lives on.
    TestProbe<LeaseReply> replies = testKit.createTestProbe();
    for (int i = 0; i < 2_000; i++) {
      entity.tell(new LeaseEntity.Heartbeat(module.entityId() + ".unknown" + i, replies.getRef()));
    }
    assertEquals(LeaseReply.Status.UNKNOWN, replies.receiveMessage(TIMEOUT).status());
    TestProbe<LeaseSet> sets = testKit.createTestProbe();
    entity.tell(new LeaseEntity.GetLeases(sets.getRef()));
    assertEquals(module, sets.receiveMessage(TIMEOUT).module(), "the owner still answers");
  }

  @Test
  void aRegistryThatDoesNotAnswerMakesEveryWaitingRegistrationUnavailable() {
    ModuleId module = new ModuleId(74, 1);
    TestProbe<RegistryLink.Message> registry = testKit.createTestProbe();
    LeaseSettings defaults = LeaseNode.get(testKit.system()).settings();
    LeaseSettings shortAsk = new LeaseSettings(defaults.checkInterval(), defaults.publishInterval(), Duration.ofMillis(200),
        defaults.maxExpiryFraction(), defaults.minLeasesForProtection());
    ActorRef<LeaseEntity.Command> entity = spawn(module, registry, shortAsk);
    TestProbe<LeaseReply> replies = testKit.createTestProbe();
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.4.1", 80), 10), replies.getRef()));
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.4.2", 80), 10), replies.getRef()));
    registry.expectMessageClass(RegistryLink.StaticHostsOf.class, TIMEOUT);
    assertEquals(LeaseReply.Status.UNAVAILABLE, replies.receiveMessage(TIMEOUT).status());
    assertEquals(LeaseReply.Status.UNAVAILABLE, replies.receiveMessage(TIMEOUT).status());
    assertTrue(writes.isEmpty(), "nothing written");

    // The next registration asks again and is granted once the registry answers.
    entity.tell(new LeaseEntity.Register(request(module, Host.of("10.7.4.1", 80), 10), replies.getRef()));
    answerNoStaticHosts(registry);
    assertEquals(LeaseReply.Status.OK, replies.receiveMessage(TIMEOUT).status());
  }

  private static ActorRef<LeaseEntity.Command> spawn(ModuleId module, TestProbe<RegistryLink.Message> registry,
      LeaseSettings settings) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return testKit.spawn(LeaseEntity.create(module, shard.getRef(),
        new LeaseEntity.Dependencies(settings, registry.getRef(), LeaseNode.get(testKit.system()))));
  }

  /** Answers the owner's next static-row check: the module has no static hosts. */
  private static void answerNoStaticHosts(TestProbe<RegistryLink.Message> registry) {
    registry.expectMessageClass(RegistryLink.StaticHostsOf.class, TIMEOUT).replyTo().tell(new RegistryLink.StaticHosts(List.of()));
  }

  private static LeaseRequest request(ModuleId module, Host host, int ttlS) {
    return new LeaseRequest(module, host, ttlS, LeaseRequest.DEFAULT_WEIGHT, Map.of());
  }
}
