package io.lars.dns;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DnsNotifierTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aReloadAskedBeforeAnyPollerIsSentOnceOneRegistersAndConfirmedWhenAllReloaded() {
    ActorRef<DnsNotifier.Command> notifier = testKit.spawn(DnsNotifier.create());
    TestProbe<Done> caller = testKit.createTestProbe();
    notifier.tell(new DnsNotifier.ConfirmReload(caller.getRef()));

    TestProbe<Poller.Command> first = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.register(Poller.SERVICE_KEY, first.getRef()));
    Poller.Reload reload = assertInstanceOf(Poller.Reload.class, first.receiveMessage());
    reload.replyTo().tell(Done.getInstance());
    caller.expectMessage(Done.getInstance());

    notifier.tell(new DnsNotifier.RoutesChanged());
    assertInstanceOf(Poller.ReloadNow.class, first.receiveMessage());
  }
}
