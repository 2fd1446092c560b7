package io.lars.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * A rotating queue of hosts: a circular doubly-linked list threaded through {@link HostState}
 * (reference: the {@code std::list} idle and overload lists of {@code load_balance}).
 *
 * <p>Taking the head and putting it at the tail, appending and removing any member are O(1).
 * A host is in at most one ring at a time; callers guarantee that.
 */
final class HostRing {

  private HostState head;
  private int size;

  /** @return true when the ring holds no host */
  boolean isEmpty() {
    return head == null;
  }

  /** @return the number of hosts in the ring */
  int size() {
    return size;
  }

  /**
   * Takes the head and moves it to the tail (reference: {@code get_host_from_list}).
   *
   * @return the former head
   * @throws IllegalStateException if the ring is empty
   */
  HostState rotate() {
    if (head == null) {
      throw new IllegalStateException("rotate on an empty host list");
    }
    HostState taken = head;
    head = head.next;
    return taken;
  }

  /**
   * Appends a host at the tail.
   *
   * @param state a host that is in no ring
   */
  void addLast(HostState state) {
    if (head == null) {
      state.prev = state;
      state.next = state;
      head = state;
    } else {
      HostState tail = head.prev;
      state.prev = tail;
      state.next = head;
      tail.next = state;
      head.prev = state;
    }
    size++;
  }

  /**
   * Removes a host.
   *
   * @param state a host that is in this ring
   */
  void remove(HostState state) {
    if (state.next == state) {
      head = null;
    } else {
      state.prev.next = state.next;
      state.next.prev = state.prev;
      if (head == state) {
        head = state.next;
      }
    }
    state.prev = null;
    state.next = null;
    size--;
  }

  /** @return the hosts from head to tail, i.e. in the order {@link #rotate()} would return them */
  List<HostState> inOrder() {
    List<HostState> out = new ArrayList<>(size);
    HostState s = head;
    for (int i = 0; i < size; i++) {
      out.add(s);
      s = s.next;
    }
    return out;
  }
}
