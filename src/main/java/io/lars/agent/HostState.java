package io.lars.agent;

import io.lars.protocol.Host;

/**
 * The mutable load-balancing state of one host of one module (reference: {@code host_info}).
 *
 * <p>Owned by exactly one {@link LoadBalance}; never shared. It is also the node of the
 * {@link HostRing} holding it ({@code prev}/{@code next}), so moving a host between the idle and the
 * overload list costs no allocation and no search.
 */
final class HostState {

  final Host host;
  /** Virtual successes: drive the decisions (reference: {@code vsucc}). */
  long vsucc;
  /** Virtual errors, amplified by timecost (reference: {@code verr}). */
  long verr;
  /** Real successes in the current window or overload period, reported (reference: {@code rsucc}). */
  long rsucc;
  /** Real errors, amplified like {@link #verr} (reference: {@code rerr}). */
  long rerr;
  int continSucc;
  int continErr;
  boolean overloaded;
  /** Clock millis at which the current idle window started (reference: {@code idle_ts}). */
  long idleSinceMs;
  /** Clock millis at which the host was last overloaded, 0 if never (reference: {@code overload_ts}). */
  long overloadSinceMs;
  /** Moving average of reported time costs, ms; 0 until one is reported. Not reset by transitions. */
  double avgTimecostMs;

  HostState prev;
  HostState next;

  HostState(Host host) {
    this.host = host;
  }

  /**
   * Starts a fresh idle period or window (reference: {@code host_info::set_idle}).
   *
   * @param nowMs clock millis
   * @param initSuccCnt virtual successes to start with
   */
  void resetIdle(long nowMs, int initSuccCnt) {
    vsucc = initSuccCnt;
    verr = 0;
    rsucc = 0;
    rerr = 0;
    continSucc = 0;
    continErr = 0;
    overloaded = false;
    idleSinceMs = nowMs;
  }

  /**
   * Starts an overload period (reference: {@code host_info::set_overload}).
   *
   * @param nowMs clock millis
   * @param initErrCnt virtual errors to start with
   */
  void resetOverload(long nowMs, int initErrCnt) {
    vsucc = 0;
    verr = initErrCnt;
    rsucc = 0;
    rerr = 0;
    continSucc = 0;
    continErr = 0;
    overloaded = true;
    overloadSinceMs = nowMs;
  }

  /** @return an immutable copy of this state */
  LoadBalance.HostSnapshot snapshot() {
    return new LoadBalance.HostSnapshot(host, overloaded, vsucc, verr, rsucc, rerr, continSucc, continErr,
        idleSinceMs, overloadSinceMs, avgTimecostMs);
  }
}
