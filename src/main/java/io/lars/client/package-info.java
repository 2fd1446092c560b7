/**
 * The Java client API of Lars: ask the local agent for a host, report how the call went, read a
 * module's route. Ships alone as the thin {@code io.lars:lars-client} jar (with
 * {@code io.lars.protocol}; defaults in its {@code reference.conf} under {@code lars.client}).
 *
 * <pre>{@code
 * try (LarsClient lars = LarsClient.create(ClientSettings.fromConfig(ConfigFactory.load()))) {
 *   // the loop every caller writes: pick a host, call it, report the outcome and time cost
 *   CompletionStage<String> body = lars.call(1, 1, host -> httpGet("http://" + host + "/hello"));
 *
 *   // or by hand
 *   HostResult r = lars.getHost(1, 1).toCompletableFuture().get();
 *   if (r.isSucc()) {
 *     boolean ok = callTheService(r.host());
 *     lars.report(1, 1, r.host(), ok ? RetCode.SUCC : RetCode.OVERLOAD, Duration.ofMillis(12));
 *   }
 * }
 * }</pre>
 *
 * <p>Every method returns a {@code CompletionStage} that completes within about twice the
 * configured timeout (one retry with the same seq on UDP loss): with a typed result
 * ({@code SUCC}, {@code OVERLOAD}, {@code NOEXIST}, {@code SYSTEM_ERROR}) or exceptionally with
 * {@link io.lars.client.LarsTimeoutException}. Actors use the same core through the
 * {@link io.lars.client.ClientActor} protocol.
 */
package io.lars.client;
