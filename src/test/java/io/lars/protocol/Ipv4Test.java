package io.lars.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Ipv4}: dotted quad, wire int32 and database unsigned forms of one address
 * (wire-captures section 5).
 *
 * <p>Decision on leading zeros: {@code "01.2.3.4"} is accepted and read as decimal, 1.2.3.4, the way
 * MySQL INET_ATON (the spec's definition of the number) reads it; C {@code inet_aton} would read
 * {@code "010"} as octal 8, which Lars never relies on. Surrounding blanks are trimmed.
 */
@Execution(ExecutionMode.CONCURRENT)
class Ipv4Test {

  @ParameterizedTest(name = "{0} = {1} = {2}")
  @CsvSource({
      "192.168.1.177, -1062731343, 3232235953",
      "10.0.0.1, 167772161, 167772161",
      "127.0.0.1, 2130706433, 2130706433",
      "0.0.0.0, 0, 0",
      "255.255.255.255, -1, 4294967295",
      "128.0.0.0, -2147483648, 2147483648",
      "127.255.255.255, 2147483647, 2147483647",
      "1.2.3.4, 16909060, 16909060"
  })
  void dottedWireAndDatabaseFormsAgree(String dotted, int wire, long unsigned) {
    assertEquals(wire, Ipv4.parse(dotted));
    assertEquals(dotted, Ipv4.format(wire));
    assertEquals(unsigned, Ipv4.toUnsigned(wire));
    assertEquals(wire, Ipv4.fromUnsigned(unsigned));
  }

  @Test
  void everyOctetValueRoundTrips() {
    for (int octet = 0; octet <= 255; octet++) {
      String dotted = octet + "." + (255 - octet) + "." + octet + "." + (octet ^ 0x5a);
      assertEquals(dotted, Ipv4.format(Ipv4.parse(dotted)));
    }
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "a.b.c.d", " 1.2.3.4 x", "1..3.4", ".1.2.3", "1.2.3.",
      "-1.2.3.4", "+1.2.3.4", "1.2.3.0004", "1.2.3.4/24", "0x1.2.3.4", "1,2,3,4", " ",
      // Non-ASCII digits: Arabic-Indic 1 and fullwidth 1.
      "\u0661.2.3.4", "\uff11.2.3.4"
  })
  void badTextIsRefused(String text) {
    assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text));
  }

  @ParameterizedTest(name = "''{0}'' = {1}")
  @CsvSource(delimiter = '|', value = {
      "01.2.3.4|1.2.3.4",
      "010.0.0.1|10.0.0.1",
      "000.000.000.000|0.0.0.0",
      "' 10.0.0.1 '|10.0.0.1"
  })
  void leadingZerosAreDecimalAndBlanksAreTrimmed(String text, String canonical) {
    assertEquals(canonical, Ipv4.format(Ipv4.parse(text)));
  }

  @ParameterizedTest
  @ValueSource(longs = {-1L, 4294967296L, Long.MIN_VALUE, Long.MAX_VALUE})
  void fromUnsignedRefusesValuesOutsideTheRange(long value) {
    assertThrows(IllegalArgumentException.class, () -> Ipv4.fromUnsigned(value));
  }

  @Test
  void jdkAddressesConvert() throws Exception {
    assertEquals(-1062731343, Ipv4.of(InetAddress.getByName("192.168.1.177")));
    assertEquals(2130706433, Ipv4.of(InetAddress.getLoopbackAddress()));
    assertThrows(IllegalArgumentException.class, () -> Ipv4.of(InetAddress.getByName("::1")));
  }
}
