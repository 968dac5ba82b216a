package dev.berth.report;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, the one parser and the one formatter of berth (options, environment
 * variables, messages). The text form is Go's {@code time.ParseDuration} with the units berth needs: a sequence
 * of decimal numbers, each with an optional fraction and a unit, {@code 500ms}, {@code 1.5s}, {@code 90s},
 * {@code 2m30s}, {@code 1h}, {@code 1.5h}; a bare whole number is seconds ({@code 90}); ISO-8601
 * ({@code PT30S}) is accepted too. {@link #format} writes what {@link #parse} reads back to the same value.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ms|s|m|h)");
  private static final Pattern WHOLE_SECONDS = Pattern.compile("\\d{1,18}");
  private static final String EXAMPLES = "examples: 90s, 1.5s, 2m30s, 15m, 1h, 500ms";

  private Durations() {}

  /**
   * Parses TEXT; throws {@link IllegalArgumentException} saying what is wrong (the caller names the flag or
   * variable).
   */
  public static Duration parse(String text) {
    String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (v.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")");
    }
    if (WHOLE_SECONDS.matcher(v).matches()) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    if (v.startsWith("p")) {
      try {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")", e);
      }
    }
    Matcher m = PART.matcher(v);
    // whole numbers (10m, 1h30m: the defaults and most values) in long arithmetic; a fraction (1.5s) exactly in
    // BigDecimal, whose class set-up costs a step ~10 ms of start-up that whole numbers do not need
    long whole = 0;
    BigDecimal nanos = null;
    int end = 0;
    while (end < v.length() && m.find(end) && m.start() == end) {
      String number = m.group(1);
      long unit = switch (m.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      long part = nanos == null && number.indexOf('.') < 0 && number.length() <= 18
          ? exactOrNegative(Long.parseLong(number), unit, whole) : -1;
      if (part >= 0) {
        whole = part;
      } else {
        if (nanos == null) {
          nanos = BigDecimal.valueOf(whole);
        }
        nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
      }
      end = m.end();
    }
    if (end != v.length()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")");
    }
    if (nanos == null) {
      return Duration.ofNanos(whole);
    }
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** WHOLE + NUMBER * UNIT, or -1 when it does not fit in a long (the caller goes on in BigDecimal). */
  private static long exactOrNegative(long number, long unit, long whole) {
    try {
      return Math.addExact(whole, Math.multiplyExact(number, unit));
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  /**
   * A duration as people write it, in the form {@link #parse} reads: {@code 500ms}, {@code 1.5s}, {@code 90s}
   * is {@code 1m30s}, {@code 1h}, {@code 1h0m5s} is {@code 1h5s}; below a millisecond rounds to {@code 0ms}.
   */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    long s = d.getSeconds();
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    long ms = millis % 1000;
    if (ms != 0) {
      b.append(BigDecimal.valueOf(s * 1000 + ms, 3).stripTrailingZeros().toPlainString()).append('s');
    } else if (s > 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }

  /**
   * A duration as whole seconds for a field that takes seconds (ECS health checks, target groups); refuses a
   * fraction rather than dropping it. WHERE names the flag or field in the violation.
   */
  public static Integer wholeSeconds(Duration d, String where) {
    if (d == null) {
      return null;
    }
    if (d.toNanos() % 1_000_000_000L != 0) {
      throw new InvalidInputException(where, "whole seconds only, got " + format(d));
    }
    return (int) Math.min(Integer.MAX_VALUE, d.getSeconds());
  }
}
