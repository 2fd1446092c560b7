package io.lars.cli;

import com.typesafe.config.Config;
import io.lars.node.LarsConfig;
import io.lars.node.LarsNode;
import io.lars.node.Role;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lars node}: starts a node and runs until it is stopped (Ctrl-C or SIGTERM). */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Start a Lars node (default: all roles on the embedded H2 database).")
public final class NodeCommand implements Callable<Integer> {

  @Option(names = "--roles", description = "Comma-separated roles: dns,reporter,agent,admin (default: all).")
  String roles;

  @Option(names = "--config", description = "HOCON file whose settings override the defaults.")
  Path config;

  /** Starts the node, prints the ready line, and waits until the node has stopped. */
  @Override
  public Integer call() {
    Set<Role> roleSet;
    Config conf;
    try {
      roleSet = Role.parseList(roles);
      conf = LarsConfig.load(config);
    } catch (IllegalArgumentException e) {
      System.err.println("lars node: " + e.getMessage());
      return 2;
    }
    LarsNode node;
    try {
      node = LarsNode.start(conf, roleSet).toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("lars node: cannot start: " + cause.getMessage());
      return 1;
    }
    System.out.println(node.readyLine());
    System.out.flush();
    node.system().getWhenTerminated().toCompletableFuture().join();
    return 0;
  }
}
