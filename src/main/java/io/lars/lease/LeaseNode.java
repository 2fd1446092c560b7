package io.lars.lease;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import io.lars.Futures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Self-registration on one node (DESIGN.md "Self-registration"): the node's end of the pub-sub
 * topic
 * {@value #TOPIC} on which lease owners publish their {@link LeaseSet}s, the node's
 * {@link LeaseBook} (subscribed to it), and the calls to the owners that the agent's UDP endpoint
 * and the admin share ({@link #register}, {@link #heartbeat}, {@link #deregister}). The topic and
 * the book start on first use (dns and admin nodes); the owners themselves are sharded on dns
 * nodes ({@link LeaseEntity}).
 */
public final class LeaseNode implements Extension {

  /** The topic name. */
  public static final String TOPIC = "lars-leases";

  /** The extension id. */
  public static final ExtensionId<LeaseNode> ID = new ExtensionId<>() {
    @Override
    public LeaseNode createExtension(ActorSystem<?> system) {
      return new LeaseNode(system);
    }
  };

  private final ActorSystem<?> system;
  private final LeaseSettings settings;
  /** Started on first use, so an agent-only node (which only asks owners) subscribes to nothing. */
  private ActorRef<Topic.Command<LeaseSet>> topic;
  private ActorRef<LeaseBook.Command> book;

  private LeaseNode(ActorSystem<?> system) {
    this.system = system;
    this.settings = LeaseSettings.fromConfig(system.settings().config());
  }

  private synchronized ActorRef<Topic.Command<LeaseSet>> topic() {
    if (topic == null) {
      topic = system.systemActorOf(Topic.create(LeaseSet.class, TOPIC), "lars-lease-topic", Props.empty());
    }
    return topic;
  }

  /**
   * @param system the node's actor system
   * @return the node's lease machinery
   * @throws IllegalArgumentException if {@code lars.dns.leases} is invalid
   */
  public static LeaseNode get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** @return the settings of {@code lars.dns.leases} */
  public LeaseSettings settings() {
    return settings;
  }

  /** @return the node's lease book, subscribed to the topic (started on first use) */
  public synchronized ActorRef<LeaseBook.Command> book() {
    if (book == null) {
      book = system.systemActorOf(LeaseBook.create(settings, topic()), "lars-lease-book", Props.empty());
    }
    return book;
  }

  /**
   * Publishes a module's lease set to every node (this one included).
   *
   * @param set the set
   */
  public void publish(LeaseSet set) {
    topic().tell(Topic.publish(set));
  }

  /**
   * Asks the module's owner to register a host.
   *
   * @param request the valid request
   * @return the owner's answer; UNAVAILABLE when it does not answer within {@code ask-timeout}; never fails
   */
  public CompletionStage<LeaseReply> register(LeaseRequest request) {
    return ask(owner(request.module().entityId()), replyTo -> new LeaseEntity.Register(request, replyTo));
  }

  /**
   * Asks a lease's owner to renew it.
   *
   * @param leaseId the lease id
   * @return the answer; INVALID for an id that is not a lease id; never fails
   */
  public CompletionStage<LeaseReply> heartbeat(String leaseId) {
    return withOwner(leaseId, owner -> ask(owner, replyTo -> new LeaseEntity.Heartbeat(leaseId, replyTo)));
  }

  /**
   * Asks a lease's owner to end it.
   *
   * @param leaseId the lease id
   * @param drainS seconds the host drains before the lease ends, 0..3600
   * @return the answer; INVALID for a bad id or drain time; never fails
   */
  public CompletionStage<LeaseReply> deregister(String leaseId, int drainS) {
    if (drainS < 0 || drainS > LeaseRequest.MAX_DRAIN_S) {
      return CompletableFuture.completedFuture(LeaseReply.failed(LeaseReply.Status.INVALID,
          "drain_s must be 0.." + LeaseRequest.MAX_DRAIN_S + ", got " + drainS));
    }
    return withOwner(leaseId, owner -> ask(owner, replyTo -> new LeaseEntity.Deregister(leaseId, drainS, replyTo)));
  }

  private CompletionStage<LeaseReply> withOwner(String leaseId,
      Function<EntityRef<LeaseEntity.Command>, CompletionStage<LeaseReply>> call) {
    String entityId;
    try {
      entityId = LeaseRequest.moduleOf(leaseId).entityId();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(LeaseReply.failed(LeaseReply.Status.INVALID, e.getMessage()));
    }
    return call.apply(owner(entityId));
  }

  private EntityRef<LeaseEntity.Command> owner(String entityId) {
    return ClusterSharding.get(system).entityRefFor(LeaseEntity.ENTITY_KEY, entityId);
  }

  private CompletionStage<LeaseReply> ask(EntityRef<LeaseEntity.Command> owner,
      akka.japi.function.Function<ActorRef<LeaseReply>, LeaseEntity.Command> message) {
    Duration timeout = settings.askTimeout();
    // With an explicit executor: the ask's stage (scala-java8-compat) runs its non-async callbacks
    // on the JDK's default async executor, which with fewer than 3 cores starts a thread for each
    // one (a thread per heartbeat). The node's dispatcher costs one task instead.
    return owner.ask(message, timeout).handleAsync((reply, e) -> {
      if (e == null) {
        return reply;
      }
      Throwable cause = Futures.unwrap(e);
      return LeaseReply.failed(LeaseReply.Status.UNAVAILABLE, cause instanceof TimeoutException
          ? "the lease owner did not answer within " + timeout.toMillis() + " ms" : cause.toString());
    }, system.executionContext());
  }
}
