package dev.berth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parse_whenHumanGoOrIsoForms_givesTheDuration() {
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertEquals(Duration.ofSeconds(150), Durations.parse("2m30s"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1.5h"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofMillis(250), Durations.parse(".25s"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("90"));
    assertEquals(Duration.ofMinutes(15), Durations.parse(" 15M "));
    assertEquals(Duration.ofSeconds(30), Durations.parse("PT30S"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("pt30s"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
  }

  @Test
  void parse_whenWholeAndFractionalPartsMixOrOverflowALong_isExactOrSaysTooLong() {
    assertEquals(Duration.ofMillis(3_601_500), Durations.parse("1h1.5s"));
    assertEquals(Duration.ofMillis(3_601_500), Durations.parse("1.5s1h"));
    assertEquals(Duration.ofNanos(Long.MAX_VALUE / 1_000_000 * 1_000_000),
        Durations.parse((Long.MAX_VALUE / 1_000_000) + "ms"));
    for (String huge : new String[] {"2562048h", "9223372036855ms", "999999999999999999h", "1" + "0".repeat(30) + "s",
        "2562047h2562047h"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(huge), huge);
      assertEquals("'" + huge + "' is too long a duration", e.getMessage());
    }
  }

  @Test
  void parse_whenNotADuration_saysSoWithExamples() {
    for (String bad : new String[] {"", " ", "5parsecs", "1h30", "s", "1.s", "-5s", "1e3s", "5 m", "PTXS", "1.5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
      assertTrue(e.getMessage().contains("is not a duration (examples: 90s, 1.5s, 2m30s"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("99999999999999h"));
  }

  @Test
  void format_writesTheShortestHumanForm() {
    assertEquals("1h", Durations.format(Duration.ofHours(1)));
    assertEquals("2m30s", Durations.format(Duration.ofSeconds(150)));
    assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
    assertEquals("1m40s", Durations.format(Duration.ofSeconds(100)));
    assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
    assertEquals("1h5s", Durations.format(Duration.ofSeconds(3605)));
    assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("0ms", Durations.format(Duration.ZERO));
    assertEquals("1m0.25s", Durations.format(Duration.ofMillis(60_250)));
  }

  @Test
  void formatThenParse_whenAnyDurationInMilliseconds_givesItBack() {
    for (long ms : new long[] {0, 1, 999, 1000, 1500, 59_999, 60_000, 61_001, 3_599_999, 3_600_000, 86_400_123L}) {
      Duration d = Duration.ofMillis(ms);
      assertEquals(d, Durations.parse(Durations.format(d)), Durations.format(d));
    }
  }

  @Test
  void wholeSeconds_whenAFraction_refusesNamingTheFlag() {
    assertEquals(30, Durations.wholeSeconds(Duration.ofSeconds(30), "--health-check-interval"));
    assertEquals(null, Durations.wholeSeconds(null, "--health-check-interval"));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Durations.wholeSeconds(Duration.ofMillis(1500), "--health-check-interval"));
    assertEquals("invalid input: --health-check-interval: whole seconds only, got 1.5s", e.getMessage());
  }
}
