package io.lars.client;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one client socket since it was opened; all counts are monotonic and thread-safe
 * to read at any time.
 */
public final class ClientStats {

  final LongAdder sent = new LongAdder();
  final LongAdder answered = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder stale = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder sendFailures = new LongAdder();
  final LongAdder receiveErrors = new LongAdder();

  ClientStats() {}

  /** @return datagrams handed to the kernel: requests, their retries and reports */
  public long sent() {
    return sent.sum();
  }

  /** @return answers that completed a waiting request */
  public long answered() {
    return answered.sum();
  }

  /** @return requests sent a second time after their first timeout */
  public long retries() {
    return retries.sum();
  }

  /** @return requests failed with {@link LarsTimeoutException} */
  public long timeouts() {
    return timeouts.sum();
  }

  /** @return well-formed answers nobody waited for (stale or duplicate seq, other module) */
  public long stale() {
    return stale.sum();
  }

  /** @return datagrams that were not a Lars answer (bad length, unknown msgid, bad protobuf) */
  public long dropped() {
    return dropped.sum();
  }

  /** @return sends the kernel refused (the request then times out) */
  public long sendFailures() {
    return sendFailures.sum();
  }

  /** @return receive errors, e.g. ICMP port unreachable from an agent port nobody listens on */
  public long receiveErrors() {
    return receiveErrors.sum();
  }

  @Override
  public String toString() {
    return "ClientStats(sent=" + sent() + ", answered=" + answered() + ", retries=" + retries() + ", timeouts="
        + timeouts() + ", stale=" + stale() + ", dropped=" + dropped() + ")";
  }
}
