package io.lars.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Ipv4#parseStrictHost}: only texts every reader (MySQL, C inet_addr) reads alike, naming hosts. */
@Execution(ExecutionMode.CONCURRENT)
class Ipv4StrictHostTest {

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.8", "192.168.1.177", "1.0.0.0", "0.0.0.1", "255.255.255.254", "127.0.0.1"})
  void plainQuadsParseAsTheLenientParserDoes(String text) {
    assertEquals(Ipv4.parse(text), Ipv4.parseStrictHost(text));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "010.0.0.8 | leading zero",
      "1.2.3.00 | leading zero",
      "0.0.0.0 | unspecified address",
      "255.255.255.255 | broadcast address",
      "1.2.3.256 | above 255",
      "1.2.3 | four parts",
      "1..2.3 | 1 to 3 digits",
      "'1.2.3.4 ' | 1 to 3 digits",
      "1.2.3.٤ | 1 to 3 digits",
      "1.2.3.4444 | 1 to 3 digits",
      "01234567890123456789 | longer than 15",
  })
  void everythingElseIsRefusedWithTheReason(String text, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4.parseStrictHost(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void theMessageQuotesAtMost64Characters() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ipv4.parseStrictHost("9".repeat(10_000)));
    assertTrue(e.getMessage().length() < 150, e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Ipv4.parseStrictHost(null));
  }
}
