package io.lars.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lars.testkit.TestDatabases;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NameRepositoryTest {

  static Iterable<DbSettings> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void namesAreSetReplacedListedAndDeleted(DbSettings settings) {
    try (Database db = TestDatabases.fresh(settings)) {
      NameRepository names = new NameRepository(db.dataSource());
      names.upsertModuleName(2, "payment");
      names.upsertModuleName(1, "user");
      names.upsertModuleName(2, "支付");
      names.upsertCommandName(7, "login");
      assertEquals(Map.of(1, "user", 2, "支付"), names.listModuleNames());
      assertEquals(1, names.listModuleNames().firstKey());
      assertEquals(Map.of(7, "login"), names.listCommandNames());

      assertTrue(names.deleteModuleName(1));
      assertFalse(names.deleteModuleName(1));
      assertTrue(names.deleteCommandName(7));
      assertEquals(Map.of(2, "支付"), names.listModuleNames());
      assertEquals(Map.of(), names.listCommandNames());

      IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> names.upsertModuleName(3, " "));
      assertEquals("name must be 1..255 characters and not blank, got 1 characters", blank.getMessage());
      assertThrows(IllegalArgumentException.class, () -> names.upsertCommandName(3, "x".repeat(256)));
      names.upsertCommandName(3, "x".repeat(255));
      assertEquals(255, names.listCommandNames().get(3).length());
    }
  }
}
