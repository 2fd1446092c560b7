package io.lars.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lars.protocol.pb.LarsRetCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RetCode}: wire values 0..3 of lars.proto {@code LarsRetCode}. */
@Execution(ExecutionMode.CONCURRENT)
class RetCodeTest {

  @Test
  void wireValuesMapBothWays() {
    assertEquals(RetCode.SUCC, RetCode.of(0));
    assertEquals(RetCode.OVERLOAD, RetCode.of(1));
    assertEquals(RetCode.SYSTEM_ERROR, RetCode.of(2));
    assertEquals(RetCode.NOEXIST, RetCode.of(3));
    for (RetCode code : RetCode.values()) {
      assertEquals(code, RetCode.of(code.code()));
    }
  }

  @Test
  void protoEnumHasTheSameNumbers() {
    assertEquals(LarsRetCode.RET_SUCC, LarsRetCode.forNumber(RetCode.SUCC.code()));
    assertEquals(LarsRetCode.RET_OVERLOAD, LarsRetCode.forNumber(RetCode.OVERLOAD.code()));
    assertEquals(LarsRetCode.RET_SYSTEM_ERROR, LarsRetCode.forNumber(RetCode.SYSTEM_ERROR.code()));
    assertEquals(LarsRetCode.RET_NOEXIST, LarsRetCode.forNumber(RetCode.NOEXIST.code()));
  }

  @ParameterizedTest
  @ValueSource(ints = {4, -1, 99, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void undefinedValuesAreSystemError(int code) {
    assertEquals(RetCode.SYSTEM_ERROR, RetCode.of(code));
  }
}
