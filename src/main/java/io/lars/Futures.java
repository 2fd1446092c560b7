package io.lars;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for {@code CompletionStage} failures, shared by the roles. */
public final class Futures {

  private Futures() {}

  /**
   * The failure a future's wrappers hide: strips {@link CompletionException} and
   * {@link ExecutionException} layers that have a cause, so callers can match the real type
   * (a {@code TimeoutException}, an {@code SQLException}...) and log its message.
   *
   * @param failure a failure from a future or its callback; not null
   * @return the first cause that is not such a wrapper, or {@code failure} itself
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
