package io.lars.client;

import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.pb.DeregisterRequest;
import io.lars.protocol.pb.DeregisterResponse;
import io.lars.protocol.pb.HeartbeatRequest;
import io.lars.protocol.pb.HeartbeatResponse;
import io.lars.protocol.pb.LeaseStatus;
import io.lars.protocol.pb.RegisterHostRequest;
import io.lars.protocol.pb.RegisterHostResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host registered with a lease through the local agent (DESIGN.md "Self-registration"), from
 * {@link LarsClient#register(int, int, Host, LeaseOptions)}: it heartbeats by itself every third of
 * the TTL on a daemon thread of its own, registers again when the lease was lost (expired during a
 * long pause, or its owner forgot it), and {@link #close()} deregisters with draining: the host
 * leaves every agent's route at once, in-flight calls may finish, the lease ends after the drain.
 * A heartbeat that is not answered is retried at the next turn; the lease survives as long as one
 * heartbeat per TTL gets through.
 */
public final class Registration implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Registration.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final int modid;
  private final int cmdid;
  private final Host host;
  private final LeaseOptions options;
  private final LeaseCalls calls;
  private final ScheduledExecutorService thread;
  private volatile String leaseId;
  private volatile boolean closed;
  private volatile long heartbeatsSent;

  private Registration(int modid, int cmdid, Host host, LeaseOptions options, InetSocketAddress agent, Duration timeout) {
    this.modid = modid;
    this.cmdid = cmdid;
    this.host = host;
    this.options = options;
    this.calls = new LeaseCalls(agent, timeout);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lars-lease-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Registers and starts heartbeating.
   *
   * @return completes with the handle, or exceptionally with {@link LeaseException} (refused:
   *     invalid, conflict with a static row, owner unavailable) or {@link LarsTimeoutException}
   */
  static CompletionStage<Registration> start(int modid, int cmdid, Host host, LeaseOptions options,
      InetSocketAddress agent, Duration timeout) {
    Registration r = new Registration(modid, cmdid, host, options, agent, timeout);
    return CompletableFuture.supplyAsync(() -> {
      r.registerNow();
      long period = Math.max(200, options.ttl().toMillis() / 3);
      r.thread.scheduleWithFixedDelay(r::heartbeatGuarded, period, period, TimeUnit.MILLISECONDS);
      return r;
    }, r.thread).whenComplete((ok, failure) -> {
      if (failure != null) {
        r.thread.shutdownNow();
        r.calls.close();
      }
    });
  }

  /** @return the current lease id; it changes when the lease had to be registered again */
  public String leaseId() {
    return leaseId;
  }

  /** @return the registered host */
  public Host host() {
    return host;
  }

  /** @return heartbeats sent so far */
  public long heartbeatsSent() {
    return heartbeatsSent;
  }

  /**
   * Has a JVM shutdown hook {@link #close()} this registration, so an application that stops
   * normally (SIGTERM, {@code System.exit}) drains instead of disappearing.
   *
   * @return this registration
   */
  public Registration closeOnShutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "lars-lease-shutdown"));
    return this;
  }

  /**
   * Stops heartbeating without deregistering, as if the process had died: the lease expires after
   * its TTL and the host leaves the route then. For demonstrations and tests; applications
   * {@link #close()}.
   */
  public void abandon() {
    closed = true;
    thread.shutdownNow();
    calls.close();
  }

  private void registerNow() {
    int seq = calls.nextSeq();
    RegisterHostRequest request = RegisterHostRequest.newBuilder().setSeq(seq).setModid(modid).setCmdid(cmdid)
        .setHost(host.toHostInfo()).setTtlS((int) options.ttl().getSeconds()).setWeight(options.weight())
        .putAllMetadata(options.metadata()).build();
    RegisterHostResponse answer = calls.call(MessageId.REGISTER_HOST_REQUEST, request, MessageId.REGISTER_HOST_RESPONSE,
        RegisterHostResponse.parser(), RegisterHostResponse::getSeq, seq);
    if (answer.getStatus() != LeaseStatus.LEASE_OK) {
      throw new CompletionException(new LeaseException(answer.getStatus(), answer.getError()));
    }
    leaseId = answer.getLeaseId();
  }

  private void heartbeatGuarded() {
    if (closed) {
      return;
    }
    try {
      int seq = calls.nextSeq();
      heartbeatsSent++;
      HeartbeatResponse answer = calls.call(MessageId.HEARTBEAT_REQUEST,
          HeartbeatRequest.newBuilder().setSeq(seq).setLeaseId(leaseId).build(), MessageId.HEARTBEAT_RESPONSE,
          HeartbeatResponse.parser(), HeartbeatResponse::getSeq, seq);
      if (answer.getStatus() == LeaseStatus.LEASE_UNKNOWN && !closed) {
        LOG.warn("lease {} of {} in module {}/{} was lost ({}); registering again", leaseId, host, modid, cmdid,
            answer.getError());
        registerNow();
      }
    } catch (RuntimeException e) {
      // The next turn tries again; one heartbeat per TTL is enough.
      LOG.debug("heartbeat of lease {} failed: {}", leaseId, e.toString());
    }
  }

  /**
   * Deregisters with the drain time of the options (waiting for the agent's answer, at most twice
   * the client timeout) and stops heartbeating. Idempotent; never throws.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      thread.submit(() -> {
        int seq = calls.nextSeq();
        calls.call(MessageId.DEREGISTER_REQUEST, DeregisterRequest.newBuilder().setSeq(seq).setLeaseId(leaseId)
                .setDrainS((int) options.drain().getSeconds()).build(), MessageId.DEREGISTER_RESPONSE,
            DeregisterResponse.parser(), DeregisterResponse::getSeq, seq);
        return null;
      }).get();
    } catch (Exception e) {
      LOG.warn("could not deregister lease {} of {} (it expires after its TTL): {}", leaseId, host, e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    } finally {
      thread.shutdownNow();
      calls.close();
    }
  }
}
