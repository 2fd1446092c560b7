package io.lars.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ListenerTest {

  @Test
  void aWildcardBindPrintsAsTheIpv4Wildcard() throws Exception {
    // What a socket bound to 0.0.0.0 reports on a dual-stack host.
    InetSocketAddress v6Any = new InetSocketAddress(InetAddress.getByName("::"), 7778);
    assertEquals("0:0:0:0:0:0:0:0", v6Any.getHostString());
    assertEquals("dns=tcp://0.0.0.0:7778", Listener.of(Role.DNS, "tcp", v6Any).toString());
    assertEquals("dns=tcp://0.0.0.0:7778", Listener.of(Role.DNS, "tcp", new InetSocketAddress("0.0.0.0", 7778)).toString());
  }

  @Test
  void concreteAddressesPrintAsClientsWriteThem() throws Exception {
    assertEquals("agent=udp://127.0.0.1:8888",
        Listener.of(Role.AGENT, "udp", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8888)).toString());
    assertEquals("admin=http://[0:0:0:0:0:0:0:1]:8080",
        Listener.of(Role.ADMIN, "http", new InetSocketAddress(InetAddress.getByName("::1"), 8080)).toString());
    assertEquals("management=http://lars-1.example:8558",
        new Listener("management", "http", InetSocketAddress.createUnresolved("lars-1.example", 8558)).toString());
    assertEquals("10.0.0.1:7779", new Listener("reporter", "tcp",
        new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 7779)).hostAndPort());
  }
}
