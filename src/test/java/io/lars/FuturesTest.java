package io.lars;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

@Execution(ExecutionMode.CONCURRENT)
class FuturesTest {

  @Test
  void unwrapStripsEveryWrapperWithACause() {
    SQLException cause = new SQLException("down");
    assertSame(cause, Futures.unwrap(new CompletionException(new ExecutionException(new CompletionException(cause)))));
    assertSame(cause, Futures.unwrap(cause));
  }

  @Test
  void unwrapKeepsAWrapperWithoutACause() {
    CompletionException bare = new CompletionException("no cause", null);
    assertSame(bare, Futures.unwrap(bare));
  }
}
