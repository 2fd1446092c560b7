package io.lars.kernel;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import io.lars.CborSerializable;

/**
 * "Routes were written: reload now", the cluster-wide hook of the dns route pollers. Each dns
 * node's poller registers under {@link #SERVICE_KEY} with the Receptionist; whoever writes routes
 * (the admin after a REST write, {@code lars node} after loading demo routes) finds the pollers
 * there and tells them. Here, below the roles, so the writers need no dns class.
 */
public final class RouteReload {

  private RouteReload() {}

  /** The key the pollers register under, on every dns node of the cluster. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "lars-dns-reload");

  /** A request to a poller; may cross the cluster. */
  public interface Command extends CborSerializable {}

  /** Reload the routes now instead of at the next poll; no answer. */
  public record ReloadNow() implements Command {}

  /**
   * Like {@link ReloadNow}, and answered once a reload that started after this request has
   * finished (its table served, or its failure logged), so a pull after the answer sees the write.
   *
   * @param replyTo gets {@code Done}
   */
  public record Reload(ActorRef<Done> replyTo) implements Command {}
}
