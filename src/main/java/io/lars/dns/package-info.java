/**
 * The {@code dns} role: the route table loaded from the database, served to agents over TCP, with
 * every route change pushed to the connections that asked for that module (reference: chapter 4,
 * Lars-DNS).
 *
 * <p>{@link io.lars.dns.RouteTable} is the immutable snapshot and its diffing;
 * {@link io.lars.dns.Poller} reloads it from the database; {@link io.lars.dns.Registry} holds the
 * current snapshot and who subscribed to what; one {@link io.lars.dns.Subscriber} per connection
 * writes answers and pushes; {@link io.lars.dns.DnsRole} wires them to the TCP listener.
 */
package io.lars.dns;
