package io.lars.client;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import io.lars.transport.TransportStats;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The Lars client API (reference: lars_api {@code get_host}, {@code report}, {@code get_route},
 * {@code reg_init}) on the ask pattern: a {@link ClientActor} owns the UDP socket, these methods
 * ask it and return {@code CompletionStage}s.
 *
 * <p>Every stage completes within about twice {@link ClientSettings#timeout()}: with a result, or
 * exceptionally with {@link LarsTimeoutException}. Thread-safe; share one instance.
 */
public final class LarsClient implements AutoCloseable {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ActorSystem<?> system;
  private final boolean ownsSystem;
  private final ActorRef<ClientActor.Command> actor;
  private final Duration askTimeout;
  private final TransportStats stats = new TransportStats();

  private LarsClient(ActorSystem<?> system, boolean ownsSystem, ClientSettings settings) {
    this.system = system;
    this.ownsSystem = ownsSystem;
    // The actor answers by itself within 2 x timeout; this only guards against a stopped actor.
    this.askTimeout = settings.timeout().multipliedBy(3).plusSeconds(2);
    // One thread for the client actor, its socket and akka-io's UDP worker: fewer hand-offs per request.
    this.actor = system.systemActorOf(ClientActor.create(settings, stats), "lars-client-" + INSTANCES.incrementAndGet(),
        DispatcherSelector.fromConfig(ClientActor.DISPATCHER));
  }

  /**
   * A client with an actor system of its own (local, no cluster); {@link #close()} stops it.
   *
   * @param settings where the agent is
   * @return the client
   */
  public static LarsClient create(ClientSettings settings) {
    ActorSystem<Void> own = ActorSystem.create(Behaviors.empty(), "lars-client",
        ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .withFallback(ConfigFactory.load()));
    return new LarsClient(own, true, settings);
  }

  /**
   * A client inside an existing actor system; {@link #close()} stops only the client's actor.
   *
   * @param system the caller's actor system
   * @param settings where the agent is
   * @return the client
   */
  public static LarsClient create(ActorSystem<?> system, ClientSettings settings) {
    return new LarsClient(system, false, settings);
  }

  /**
   * Asks the agent for one host of a module.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the agent's answer; exceptionally {@link LarsTimeoutException}
   */
  public CompletionStage<HostResult> getHost(int modid, int cmdid) {
    return ask(replyTo -> new ClientActor.GetHost(modid, cmdid, replyTo))
        .thenApply(r -> ((ClientActor.HostReply) r).result());
  }

  /**
   * Asks the agent for every host of a module.
   *
   * @param modid module id
   * @param cmdid command id
   * @return the hosts, empty when the module has none; exceptionally {@link LarsTimeoutException}
   */
  public CompletionStage<RouteResult> getRoute(int modid, int cmdid) {
    return ask(replyTo -> new ClientActor.GetRoute(modid, cmdid, replyTo))
        .thenApply(r -> ((ClientActor.RouteReply) r).result());
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
   * Reports how a call went; the agent does not answer.
   *
   * @param modid module id
   * @param cmdid command id
   * @param host the host that was called
   * @param retCode {@code SUCC} for success, anything else counts as a failure
   * @param timecost how long the call took; failures are weighted by it (SPEC 7.2)
   * @return completes once the report is handed to the socket
   */
  public CompletionStage<Void> report(int modid, int cmdid, Host host, RetCode retCode, Duration timecost) {
    int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timecost.toMillis()));
    actor.tell(new ClientActor.Report(modid, cmdid, host, retCode.code(), ms));
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Calls a module: gets a host, runs {@code remote} on it, reports success or failure with the
   * measured time cost, and returns the remote call's result.
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
    return getHost(modid, cmdid).thenCompose(picked -> {
      if (!picked.isSucc()) {
        return CompletableFuture.failedFuture(new NoHostException(picked.retCode(), modid, cmdid));
      }
      long start = System.nanoTime();
      CompletionStage<T> result;
      try {
        result = remote.apply(picked.host());
      } catch (RuntimeException e) {
        result = CompletableFuture.failedFuture(e);
      }
      return result.whenComplete((value, failure) -> report(modid, cmdid, picked.host(),
          failure == null ? RetCode.SUCC : RetCode.OVERLOAD, Duration.ofNanos(System.nanoTime() - start)));
    });
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
    return call(modid, cmdid, host -> remote.apply(host).toCompletableFuture()
        .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  /** @return counters of the client's socket */
  public TransportStats stats() {
    return stats;
  }

  private CompletionStage<ClientActor.Reply> ask(Function<ActorRef<ClientActor.Reply>, ClientActor.Command> request) {
    return AskPattern.ask(actor, request::apply, askTimeout, system.scheduler()).thenApply(reply -> {
      if (reply instanceof ClientActor.Failed failed) {
        throw new CompletionException(failed.error());
      }
      return reply;
    }).exceptionally(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof TimeoutException) {
        throw new CompletionException(new LarsTimeoutException("the lars client did not answer in "
            + askTimeout.toMillis() + " ms"));
      }
      throw cause instanceof CompletionException ce ? ce : new CompletionException(cause);
    });
  }

  /** Stops the client's actor, and its actor system when it created one. */
  @Override
  public void close() {
    actor.tell(ClientActor.Stop.INSTANCE);
    if (ownsSystem) {
      system.terminate();
    }
  }
}
