package io.lars.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** LarsMain.commonPoolParallelism: no thread per async callback on small machines. */
class CommonPoolTest {

  @Test
  void smallMachinesGetTwoCommonPoolThreadsUnlessTheOperatorChose() {
    assertEquals(Optional.of("2"), LarsMain.commonPoolParallelism(null, 1));
    assertEquals(Optional.of("2"), LarsMain.commonPoolParallelism(null, 2));
    assertEquals(Optional.empty(), LarsMain.commonPoolParallelism(null, 3), "the JDK's cores - 1 is already 2");
    assertEquals(Optional.empty(), LarsMain.commonPoolParallelism("1", 2), "an operator's -D is kept");
  }
}
