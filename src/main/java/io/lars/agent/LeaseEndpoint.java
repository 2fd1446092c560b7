package io.lars.agent;

import akka.actor.ClassicActorSystemProvider;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.javadsl.Adapter;
import io.lars.lease.LeaseNode;
import io.lars.lease.LeaseReply;
import io.lars.lease.LeaseRequest;
import io.lars.protocol.Frame;
import io.lars.protocol.FrameException;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.DeregisterRequest;
import io.lars.protocol.pb.DeregisterResponse;
import io.lars.protocol.pb.HeartbeatRequest;
import io.lars.protocol.pb.HeartbeatResponse;
import io.lars.protocol.pb.LeaseStatus;
import io.lars.protocol.pb.RegisterHostRequest;
import io.lars.protocol.pb.RegisterHostResponse;
import io.lars.transport.UdpStreamServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The lease requests of the agent's UDP API (DESIGN.md "Self-registration"; wire ids 9 to 14,
 * docs/WIRE.md): a service
 * registers, heartbeats and deregisters through its local agent as it asks for hosts. Each request
 * is passed to the module's lease owner ({@link LeaseNode}, sharded on dns nodes) and answered
 * from the owner's reply, echoing {@code seq}; a request the owner does not answer within
 * {@code lars.dns.leases.ask-timeout} is answered {@code LEASE_UNAVAILABLE}, never left unanswered.
 * Out-of-range fields are answered {@code LEASE_INVALID} with the reason at once.
 *
 * <p>The agent port stage only dispatches to {@link #handle}; nothing here touches the stage's state.
 */
public final class LeaseEndpoint implements Extension {

  /** The extension id. */
  public static final ExtensionId<LeaseEndpoint> ID = new ExtensionId<>() {
    @Override
    public LeaseEndpoint createExtension(ActorSystem<?> system) {
      return new LeaseEndpoint(system);
    }
  };

  private final ActorSystem<?> system;
  private final AgentStats stats;

  private LeaseEndpoint(ActorSystem<?> system) {
    this.system = system;
    this.stats = AgentStats.get(system);
  }

  /**
   * @param system the node's actor system (classic or typed)
   * @return the node's endpoint
   */
  public static LeaseEndpoint get(ClassicActorSystemProvider system) {
    return ID.apply(Adapter.toTyped(system.classicSystem()));
  }

  /**
   * Handles one lease request; the answer comes later, from another thread.
   *
   * @param frame a frame with msgid 9, 11 or 13 (the agent port's dispatch on {@link MessageId})
   * @param sender where the answer goes
   * @param answer takes the answer datagram; must be thread-safe (a stage's async callback)
   * @throws FrameException if the body does not parse (the caller drops and counts the datagram)
   */
  public void handle(Frame frame, InetSocketAddress sender, Consumer<UdpStreamServer.Outgoing> answer)
      throws FrameException {
    stats.recordLeaseRequest();
    LeaseNode leases = LeaseNode.get(system);
    MessageId id = frame.messageId();
    if (id == MessageId.REGISTER_HOST_REQUEST) {
      RegisterHostRequest r = frame.decode(RegisterHostRequest.class);
      LeaseRequest request;
      try {
        request = new LeaseRequest(new ModuleId(r.getModid(), r.getCmdid()), Host.of(r.getHost()), r.getTtlS(),
            r.getWeight() == 0 ? LeaseRequest.DEFAULT_WEIGHT : r.getWeight(), r.getMetadataMap());
      } catch (IllegalArgumentException e) {
        answer.accept(registered(sender, r.getSeq(), LeaseReply.failed(LeaseReply.Status.INVALID, e.getMessage())));
        return;
      }
      reply(leases.register(request), reply -> registered(sender, r.getSeq(), reply), answer);
    } else if (id == MessageId.HEARTBEAT_REQUEST) {
      HeartbeatRequest r = frame.decode(HeartbeatRequest.class);
      reply(leases.heartbeat(r.getLeaseId()), reply -> new UdpStreamServer.Outgoing(sender, Frame.of(
          MessageId.HEARTBEAT_RESPONSE, HeartbeatResponse.newBuilder().setSeq(r.getSeq()).setStatus(status(reply))
              .setTtlS(reply.ttlS()).setError(reply.error()).setDraining(reply.draining()).build())), answer);
    } else {
      DeregisterRequest r = frame.decode(DeregisterRequest.class);
      reply(leases.deregister(r.getLeaseId(), r.getDrainS()), reply -> new UdpStreamServer.Outgoing(sender, Frame.of(
          MessageId.DEREGISTER_RESPONSE, DeregisterResponse.newBuilder().setSeq(r.getSeq()).setStatus(status(reply))
              .setError(reply.error()).build())), answer);
    }
  }

  private static void reply(CompletionStage<LeaseReply> reply, Function<LeaseReply, UdpStreamServer.Outgoing> toFrame,
      Consumer<UdpStreamServer.Outgoing> answer) {
    reply.thenAccept(r -> answer.accept(toFrame.apply(r)));
  }

  private static UdpStreamServer.Outgoing registered(InetSocketAddress sender, int seq, LeaseReply reply) {
    return new UdpStreamServer.Outgoing(sender, Frame.of(MessageId.REGISTER_HOST_RESPONSE,
        RegisterHostResponse.newBuilder().setSeq(seq).setStatus(status(reply)).setLeaseId(reply.leaseId())
            .setTtlS(reply.ttlS()).setError(reply.error()).build()));
  }

  private static LeaseStatus status(LeaseReply reply) {
    return LeaseStatus.forNumber(reply.status().ordinal());
  }
}
