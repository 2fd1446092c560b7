package io.lars.transport;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The {@link TcpServer}s listening in one actor system, by port, so that a
 * {@link ReconnectingTcpClient} of the same node whose server is one of them can connect to it in
 * memory instead of through the kernel's loopback (DESIGN.md "In-JVM links"): a node that runs
 * the agent beside the dns or the reporter then answers a first get_host without two TCP legs.
 *
 * <p>A server is listed from its bind until it stops accepting (unbind or coordinated shutdown).
 * Only servers of the same actor system are found: several nodes in one JVM (tests, benchmarks)
 * still talk over TCP.
 */
public final class LocalServers implements Extension {

  /** The extension id. */
  public static final ExtensionId<LocalServers> ID = new ExtensionId<>() {
    @Override
    public LocalServers createExtension(ActorSystem<?> system) {
      return new LocalServers();
    }
  };

  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private final Map<Integer, TcpServer> byPort = new ConcurrentHashMap<>();

  private LocalServers() {}

  /**
   * @param system the node's actor system
   * @return the servers listening in that actor system
   */
  public static LocalServers get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  void add(int port, TcpServer server) {
    byPort.put(port, server);
  }

  void remove(int port, TcpServer server) {
    byPort.remove(port, server);
  }

  /**
   * The server a client configured with {@code host:port} would reach, if it listens in this
   * actor system. No name is resolved: {@code host} must be the host string the server was bound
   * to, or a loopback address ({@code localhost}, {@code 127.x.x.x}, {@code ::1}) when the server
   * listens on every interface; {@code localhost} stands for {@code 127.0.0.1}.
   *
   * @param host the host the client is configured with
   * @param port the TCP port, 1..65535
   * @return the server, or empty when the client must use TCP
   */
  Optional<TcpServer> find(String host, int port) {
    TcpServer server = byPort.get(port);
    if (server == null) {
      return Optional.empty();
    }
    return reaches(host, server.settings().host()) ? Optional.of(server) : Optional.empty();
  }

  /**
   * @param clientHost the host a client is configured with
   * @param boundHost the host a server was bound to
   * @return whether the client reaches that server (the rule of {@link #find})
   */
  static boolean reaches(String clientHost, String boundHost) {
    String wanted = normalized(clientHost);
    String bound = normalized(boundHost);
    return wanted.equals(bound) || (isAnyLocal(bound) && isLoopback(wanted));
  }

  private static String normalized(String host) {
    String h = host.trim();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equalsIgnoreCase("localhost") ? "127.0.0.1" : h;
  }

  private static boolean isLoopback(String host) {
    return IPV4_LOOPBACK.matcher(host).matches() || host.equals("::1");
  }

  private static boolean isAnyLocal(String host) {
    return host.equals("0.0.0.0") || host.equals("::");
  }
}
