package io.lars.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ModuleId}: the sharding entity id and the order of modules. */
@Execution(ExecutionMode.CONCURRENT)
class ModuleIdTest {

  @ParameterizedTest(name = "{0} = ({1},{2})")
  @CsvSource({
      "1-1, 1, 1",
      "11-1, 11, 1",
      "0-0, 0, 0",
      "-1-5, -1, 5",
      "5--1, 5, -1",
      "-1--5, -1, -5",
      "2147483647-2147483647, 2147483647, 2147483647",
      "-2147483648--2147483648, -2147483648, -2147483648"
  })
  void entityIdRoundTrips(String entityId, int modid, int cmdid) {
    ModuleId module = new ModuleId(modid, cmdid);

    assertEquals(module, ModuleId.parseEntityId(entityId));
    assertEquals(entityId, module.entityId());
  }

  @ParameterizedTest
  @EmptySource
  @ValueSource(strings = {
      "1", "-1", "-", "--", "1-", "-1-", "-5", "a-b", "1-b", "1-2-3", "1 - 2", " 1-2", "1-2 ",
      "2147483648-1", "1-2147483648", "1_2",
      // Not canonical: each would name a second entity for a module that already has one.
      "01-2", "1-02", "+1-2", "1-+2", "-0-1", "\u0661-2"
  })
  void badEntityIdsAreRefused(String entityId) {
    assertThrows(IllegalArgumentException.class, () -> ModuleId.parseEntityId(entityId));
  }

  @Test
  void modulesSortByModidThenCmdid() {
    assertTrue(new ModuleId(-1, 9).compareTo(new ModuleId(0, 0)) < 0);
    assertTrue(new ModuleId(1, 1).compareTo(new ModuleId(1, 2)) < 0);
    assertEquals(0, new ModuleId(11, 1).compareTo(new ModuleId(11, 1)));
    assertEquals("(11,1)", new ModuleId(11, 1).toString());
  }
}
