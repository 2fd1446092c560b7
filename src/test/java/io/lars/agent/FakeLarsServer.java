package io.lars.agent;

import akka.actor.typed.ActorSystem;
import io.lars.protocol.Frame;
import io.lars.protocol.Host;
import io.lars.protocol.MessageId;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.GetRouteRequest;
import io.lars.protocol.pb.GetRouteResponse;
import io.lars.protocol.pb.ReportStatusReq;
import io.lars.transport.Connection;
import io.lars.transport.MessageRouter;
import io.lars.transport.TcpServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the dns and reporter roles in agent tests, on a {@link TcpServer}: answers
 * {@code GetRouteRequest} from a route table the test edits, pushes on demand, and records every
 * {@code ReportStatusRequest}.
 */
final class FakeLarsServer implements AutoCloseable {

  final Map<ModuleId, List<Host>> routes = new ConcurrentHashMap<>();
  final BlockingQueue<ModuleId> routeRequests = new LinkedBlockingQueue<>();
  final BlockingQueue<ReportStatusReq> statistics = new LinkedBlockingQueue<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final TcpServer server;

  private FakeLarsServer(ActorSystem<?> system, int port) throws Exception {
    MessageRouter router = MessageRouter.builder()
        .on(MessageId.GET_ROUTE_REQUEST, GetRouteRequest.class, this::onGetRoute)
        .on(MessageId.REPORT_STATUS_REQUEST, ReportStatusReq.class, (connection, request) -> statistics.add(request))
        .onConnect(connections::add)
        .onClose(connections::remove)
        .build();
    server = TcpServer.bind(system, "fake-" + port, new TcpServer.Settings("127.0.0.1", port, 100, 1024), router)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Binds a fake on 127.0.0.1:{@code port}. */
  static FakeLarsServer bind(ActorSystem<?> system, int port) throws Exception {
    return new FakeLarsServer(system, port);
  }

  private void onGetRoute(Connection connection, GetRouteRequest request) {
    ModuleId module = new ModuleId(request.getModid(), request.getCmdid());
    routeRequests.add(module);
    connection.send(response(module));
  }

  /** Sets a module's route and pushes it to every connection, as the dns does after a change. */
  void pushRoute(ModuleId module, List<Host> hosts) {
    pushRoute(module, hosts, false);
  }

  /** Like {@link #pushRoute(ModuleId, List)}, with the extension flag {@code deliberate} (issue 16). */
  void pushRoute(ModuleId module, List<Host> hosts, boolean deliberate) {
    routes.put(module, hosts);
    Frame frame = deliberate ? Frame.of(MessageId.GET_ROUTE_RESPONSE, GetRouteResponse.newBuilder()
        .setModid(module.modid()).setCmdid(module.cmdid()).setDeliberate(true)
        .addAllHost(hosts.stream().map(Host::toHostInfo).toList()).build()) : response(module);
    connections.forEach(c -> c.send(frame));
  }

  /** @return the number of open connections */
  int connectionCount() {
    return connections.size();
  }

  private Frame response(ModuleId module) {
    GetRouteResponse.Builder response = GetRouteResponse.newBuilder().setModid(module.modid()).setCmdid(module.cmdid());
    routes.getOrDefault(module, List.of()).forEach(h -> response.addHost(h.toHostInfo()));
    return Frame.of(MessageId.GET_ROUTE_RESPONSE, response.build());
  }

  @Override
  public void close() throws Exception {
    server.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
