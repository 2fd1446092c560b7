package io.lars.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks loopback ports for listeners that must be known before they bind (an agent must be told
 * its dns port before the dns listens).
 *
 * <p>Ports come from 20000..32767, below Linux's ephemeral range (32768..60999): a port the
 * kernel hands out as free (bind to 0) can be taken by any outgoing connection's local end
 * before the listener binds it, while ports below the range are only ever taken explicitly. A
 * counter keeps the ports of one JVM distinct; each is checked free by binding it once.
 */
public final class LocalPorts {

  private static final int FIRST = 20000;
  private static final int COUNT = 32768 - FIRST;
  private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(COUNT));

  private LocalPorts() {}

  /**
   * @return a TCP port on 127.0.0.1 that was free a moment ago, 20000..32767
   * @throws IllegalStateException if no port in the range is free
   */
  public static int freeTcp() {
    return pick(true);
  }

  /**
   * @return a UDP port on 127.0.0.1 that was free a moment ago, 20000..32767
   * @throws IllegalStateException if no port in the range is free
   */
  public static int freeUdp() {
    return pick(false);
  }

  private static int pick(boolean tcp) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int i = 0; i < COUNT; i++) {
      int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
      try (var socket = tcp ? new ServerSocket(port, 1, loopback) : new DatagramSocket(port, loopback)) {
        return port;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free " + (tcp ? "TCP" : "UDP") + " port in " + FIRST + ".." + (FIRST + COUNT - 1));
  }
}
