package io.lars.client;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The Lars client API (reference: lars_api {@code get_host}, {@code report}, {@code get_route},
 * {@code reg_init}) returning {@code CompletionStage}s, on a socket core built for speed: one UDP
 * socket towards the agent's three ports (a module's requests go to port index
 * {@code (modid + cmdid) % 3}), a receive thread that completes the waiting request directly,
 * and a concurrent table of requests keyed by {@code seq}. For actors the same core speaks the
 * ask-pattern protocol of {@link ClientActor} (see {@link #actor()}).
 *
 * <p>Every stage completes within about twice {@link ClientSettings#timeout()}: with a typed
 * result ({@code SUCC}, {@code OVERLOAD}, {@code NOEXIST}, {@code SYSTEM_ERROR}) or exceptionally
 * with {@link LarsTimeoutException} (one retry with the same seq first; answers with a stale seq
 * are ignored). Stages complete on the client's receive thread: do not block in their callbacks,
 * use the {@code *Async} variants for slow work. Thread-safe; share one instance.
 */
public final class LarsClient implements AutoCloseable {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final AgentSocket socket;
  private final ClientSettings settings;
  private final ActorRef<ClientActor.Command> actor;

  private LarsClient(ClientSettings settings, ActorSystem<?> system) {
    this.socket = new AgentSocket(settings);
    this.settings = settings;
    this.actor = system == null ? null
        : system.systemActorOf(ClientActor.create(this), "lars-client-" + INSTANCES.incrementAndGet(), Props.empty());
  }

  /**
   * A client without any actor system: a UDP socket and two daemon threads (receive, timeouts).
   * This is what plain Java code and the command-line tools use.
   *
   * @param settings where the agent is
   * @return the client; {@link #close()} it when done
   * @throws java.io.UncheckedIOException when no UDP socket can be opened
   * @throws IllegalArgumentException when the agent host does not resolve
   */
  public static LarsClient create(ClientSettings settings) {
    return new LarsClient(settings, null);
  }

  /**
   * A client that also serves the {@link ClientActor} protocol inside an existing actor system
   * (see {@link #actor()}); the system is not stopped by {@link #close()}.
   *
   * @param system the caller's actor system, local or clustered
   * @param settings where the agent is
   * @return the client
   */
  public static LarsClient create(ActorSystem<?> system, ClientSettings settings) {
    return new LarsClient(settings, system);
  }

  /**
   * The ask-pattern face of this client: a system actor sharing this client's socket.
   *
   * @return the actor
   * @throws IllegalStateException when the client was created without an actor system (spawn
   *     {@link ClientActor#create(ClientSettings)} yourself, or use {@link #create(ActorSystem, ClientSettings)})
   */
  public ActorRef<ClientActor.Command> actor() {
    if (actor == null) {
      throw new IllegalStateException("this LarsClient has no actor system; create it with LarsClient.create(system, settings)");
    }
    return actor;
  }

  /**
   * Asks the agent for one host of a module.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the agent's answer; exceptionally {@link LarsTimeoutException}, or
   *     {@link IllegalStateException} after {@link #close()}
   */
  public CompletionStage<HostResult> getHost(int modid, int cmdid) {
    return socket.getHost(modid, cmdid);
  }

  /**
   * {@link #getHost} for plain blocking code, on the shortest path: the calling thread sends from
   * a UDP socket of its own (opened on its first call, closed by {@link #close()}) and receives
   * the answer itself, as the reference {@code lars_api} does; same rules (stale answers
   * ignored, one retry with the same seq). Waits at most about twice the timeout. Never call it
   * from an actor or a callback of this client.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the agent's answer
   * @throws LarsTimeoutException when the agent did not answer
   * @throws IllegalStateException after {@link #close()}
   */
  public HostResult getHostBlocking(int modid, int cmdid) {
    return socket.getHostBlocking(modid, cmdid);
  }

  /**
   * Asks the agent for every host of a module; concurrent asks for one module share one request.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the hosts, empty when the module has none; exceptionally {@link LarsTimeoutException}
   */
  public CompletionStage<RouteResult> getRoute(int modid, int cmdid) {
    return socket.getRoute(modid, cmdid);
  }

  /**
   * Makes the agent pull the module's route ahead of its first use (reference: lars_api
   * {@code reg_init}).
   *
   * @param modid module id
   * @param cmdid command id
   * @return the route as the agent knows it after the pull
   */
  public CompletionStage<RouteResult> register(int modid, int cmdid) {
    return getRoute(modid, cmdid);
  }

  /**
   * Registers a host of this service in a module's route with a lease (DESIGN.md
   * "Self-registration"), through the
   * agent's port for the module. The returned handle heartbeats by itself and deregisters with
   * draining on {@link Registration#close()}; {@link Registration#closeOnShutdown()} ties that to
   * the JVM's shutdown. The host must not be a static route row of the module.
   *
   * @param modid module id
   * @param cmdid command id
   * @param host the host to register (this service's address)
   * @param options TTL, drain time, weight, metadata
   * @return the handle; exceptionally {@link LeaseException} when the agent refused (invalid,
   *     conflict, owner unavailable) or {@link LarsTimeoutException} when it did not answer (an
   *     agent older than the lease extension drops the request)
   */
  public CompletionStage<Registration> register(int modid, int cmdid, Host host, LeaseOptions options) {
    return Registration.start(modid, cmdid, host, options, settings.agentFor(modid, cmdid), settings.timeout());
  }

  /**
   * {@link #register(int, int, Host, LeaseOptions)} with {@link Registration#closeOnShutdown()}: the
   * variant for applications whose host lives as long as the JVM.
   *
   * @param modid module id
   * @param cmdid command id
   * @param host the host to register
   * @param options TTL, drain time, weight, metadata
   * @return the handle, already closed by a shutdown hook when the JVM stops
   */
  public CompletionStage<Registration> registerUntilShutdown(int modid, int cmdid, Host host, LeaseOptions options) {
    return register(modid, cmdid, host, options).thenApply(Registration::closeOnShutdown);
  }

  /**
   * Reports how a call went; the agent does not answer. The datagram is in the kernel when this
   * returns (on loopback: in the agent's receive buffer, if an agent listens).
   *
   * @param modid module id
   * @param cmdid command id
   * @param host the host that was called
   * @param retCode {@code SUCC} for success, anything else counts as a failure
   * @param timecost how long the call took; failures are weighted by it
   *     (DESIGN.md "Load-balancing rules", R1)
   * @return completed: normally once the report is sent, exceptionally with
   *     {@link IllegalStateException} after {@link #close()}
   */
  public CompletionStage<Void> report(int modid, int cmdid, Host host, RetCode retCode, Duration timecost) {
    int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timecost.toMillis()));
    return socket.report(modid, cmdid, host, retCode.code(), ms) ? CompletableFuture.completedFuture(null)
        : CompletableFuture.failedFuture(new IllegalStateException("the lars client is closed"));
  }

  /**
   * Calls a module: gets a host, runs {@code remote} on it, reports success or failure with the
   * measured time cost, and returns the remote call's result. No retry.
   *
   * @param modid module id
   * @param cmdid command id
   * @param remote the caller's remote call; a stage that fails, or a function that throws, is
   *     reported as a failure
   * @param <T> the remote call's result
   * @return the remote result; exceptionally {@link NoHostException} when the agent gave no host,
   *     {@link LarsTimeoutException}, or the remote call's own failure
   */
  public <T> CompletionStage<T> call(int modid, int cmdid, Function<Host, CompletionStage<T>> remote) {
    return callIdempotent(modid, cmdid, 1, remote);
  }

  /**
   * Like {@link #call(int, int, Function)}, failing the remote call when it takes longer than
   * {@code timeout} (reported as a failure with the elapsed time).
   *
   * @param modid module id
   * @param cmdid command id
   * @param timeout longest time the remote call may take
   * @param remote the caller's remote call
   * @param <T> the remote call's result
   * @return the remote result, or exceptionally {@link TimeoutException} and the others of
   *     {@link #call(int, int, Function)}
   */
  public <T> CompletionStage<T> call(int modid, int cmdid, Duration timeout, Function<Host, CompletionStage<T>> remote) {
    return call(modid, cmdid, withTimeout(timeout, remote));
  }

  /**
   * Calls an <em>idempotent</em> remote operation, retrying on another host when it fails: each
   * attempt gets a host from the agent, runs {@code remote}, and reports its own outcome and time
   * cost to the agent. When the agent picks a host that already failed in this call it is asked
   * once more; when it picks one again, or gives no host, the call stops. Only for operations
   * that may safely run more than once.
   *
   * @param modid module id
   * @param cmdid command id
   * @param maxAttempts remote calls at most, 1..10 (1 = {@link #call(int, int, Function)})
   * @param remote the caller's remote call
   * @param <T> the remote call's result
   * @return the first successful result; exceptionally the last attempt's failure, with the
   *     earlier attempts' failures attached as suppressed exceptions, or {@link NoHostException} /
   *     {@link LarsTimeoutException} when no first host could be had
   * @throws IllegalArgumentException when {@code maxAttempts} is outside 1..10
   */
  public <T> CompletionStage<T> callIdempotent(int modid, int cmdid, int maxAttempts,
      Function<Host, CompletionStage<T>> remote) {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts must be 1..10, got " + maxAttempts);
    }
    return new Attempts<>(modid, cmdid, maxAttempts, remote).next(true);
  }

  /**
   * {@link #callIdempotent(int, int, int, Function)} with a time limit per remote call.
   *
   * @param modid module id
   * @param cmdid command id
   * @param maxAttempts remote calls at most, 1..10
   * @param timeout longest time one remote call may take; a slower one counts as failed
   * @param remote the caller's remote call
   * @param <T> the remote call's result
   * @return as {@link #callIdempotent(int, int, int, Function)}
   */
  public <T> CompletionStage<T> callIdempotent(int modid, int cmdid, int maxAttempts, Duration timeout,
      Function<Host, CompletionStage<T>> remote) {
    return callIdempotent(modid, cmdid, maxAttempts, withTimeout(timeout, remote));
  }

  private static <T> Function<Host, CompletionStage<T>> withTimeout(Duration timeout, Function<Host, CompletionStage<T>> remote) {
    return host -> remote.apply(host).toCompletableFuture().copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The state of one {@link #callIdempotent} call; its steps run one after another. */
  private final class Attempts<T> {
    private final int modid;
    private final int cmdid;
    private final int maxAttempts;
    private final Function<Host, CompletionStage<T>> remote;
    private final Set<Host> failedHosts = new HashSet<>();
    private Throwable lastFailure;

    Attempts(int modid, int cmdid, int maxAttempts, Function<Host, CompletionStage<T>> remote) {
      this.modid = modid;
      this.cmdid = cmdid;
      this.maxAttempts = maxAttempts;
      this.remote = remote;
    }

    CompletionStage<T> next(boolean mayAskAgain) {
      return socket.getHost(modid, cmdid).handle((picked, error) -> {
        if (error != null) {
          return giveUp(unwrap(error));
        }
        if (!picked.isSucc()) {
          return giveUp(new NoHostException(picked.retCode(), modid, cmdid));
        }
        if (failedHosts.contains(picked.host())) {
          return mayAskAgain ? next(false) : giveUp(null);
        }
        return attempt(picked.host());
      }).thenCompose(Function.identity());
    }

    private CompletionStage<T> attempt(Host host) {
      long start = System.nanoTime();
      CompletionStage<T> result;
      try {
        result = remote.apply(host);
      } catch (RuntimeException e) {
        result = CompletableFuture.failedFuture(e);
      }
      return result.handle((value, failure) -> {
        report(modid, cmdid, host, failure == null ? RetCode.SUCC : RetCode.OVERLOAD,
            Duration.ofNanos(System.nanoTime() - start));
        if (failure == null) {
          return CompletableFuture.completedStage(value);
        }
        Throwable cause = unwrap(failure);
        if (lastFailure != null && lastFailure != cause) {
          cause.addSuppressed(lastFailure);
        }
        lastFailure = cause;
        failedHosts.add(host);
        return failedHosts.size() < maxAttempts ? next(true) : CompletableFuture.<T>failedFuture(cause);
      }).thenCompose(Function.identity());
    }

    /** Ends the call: with the last remote failure if there was one, else with {@code why}. */
    private CompletionStage<T> giveUp(Throwable why) {
      return CompletableFuture.failedFuture(lastFailure != null ? lastFailure : why);
    }
  }

  /**
   * @param e a future's failure
   * @return its cause if it is a {@link CompletionException} with one, else {@code e} (the client
   *     artifact has no node kernel, so it keeps this copy of {@code Futures.unwrap})
   */
  static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** @return counters of the client's socket (sent, answered, retries, timeouts, stale answers) */
  public ClientStats stats() {
    return socket.stats();
  }

  AgentSocket socket() {
    return socket;
  }

  /** Closes the socket and stops the client's actor if it has one; the actor system stays up. */
  @Override
  public void close() {
    if (actor != null) {
      actor.tell(ClientActor.Stop.INSTANCE);
    }
    socket.close();
  }
}
