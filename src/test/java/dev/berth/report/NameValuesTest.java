package dev.berth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NameValuesTest {
  static final String SECRET = "s3cr3t-Hunter2-value";
  static final NameValues.Option BUILD_ARG = new NameValues.Option("--build-arg", "NAME=VALUE",
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*"), "a Dockerfile ARG name", true, false);

  static List<String> messages(NameValues.Parsed p) {
    return p.violations().stream().map(Violation::toString).toList();
  }

  /** Every way the parse can be turned into text: none may hold the secret. */
  static void assertNowhere(String secret, NameValues.Parsed p) {
    List<String> texts = new ArrayList<>(messages(p));
    texts.add(p.toString());
    p.pairs().forEach(pair -> texts.add(pair.toString()));
    if (!p.violations().isEmpty()) {
      texts.add(assertThrows(InvalidInputException.class, p::mapOrThrow).getMessage());
    }
    for (String t : texts) {
      assertFalse(t.contains(secret), "the secret is in: " + t);
    }
  }

  @Test
  void parse_whenPairsAreValid_keepsTheirOrderAndSplitsOnTheFirstEquals() {
    NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of("B=2", "A=x=y", "EMPTY=", "lower.case-ok=1"));
    assertEquals(List.of(), p.violations());
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("B", "2");
    expected.put("A", "x=y");
    expected.put("EMPTY", "");
    expected.put("lower.case-ok", "1");
    assertEquals(expected, p.map());
    assertEquals(List.of("B", "A", "EMPTY", "lower.case-ok"), new ArrayList<>(p.mapOrThrow().keySet()));
  }

  @Test
  void parse_whenASecretIsGivenWithoutItsName_refusesItWithoutShowingIt() {
    NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of("OK=1", SECRET));
    assertEquals(List.of("--env: the 2nd --env is not NAME=VALUE (no '='; the text is not shown)"), messages(p));
    assertEquals(Map.of("OK", "1"), p.map());
    assertNowhere(SECRET, p);
  }

  @Test
  void parse_whenTheNameIsEmpty_refusesItWithoutShowingTheValue() {
    NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of("=" + SECRET));
    assertEquals(List.of("--env: the 1st --env is not NAME=VALUE (no name before '='; the value is not shown)"),
        messages(p));
    assertNowhere(SECRET, p);
  }

  @Test
  void parse_whenANameIsGivenTwice_namesItAndBothOrdinals_withoutEitherValue() {
    NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of("TOKEN=" + SECRET, "X=1", "TOKEN=other-secret"));
    assertEquals(List.of("--env: 'TOKEN' is given twice (the 1st and the 3rd --env)"), messages(p));
    assertNowhere(SECRET, p);
    assertNowhere("other-secret", p);
  }

  @Test
  void parse_withSeveralBadArguments_reportsEveryOne() {
    NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of(SECRET, "=" + SECRET, "A=1", "A=" + SECRET,
        "B\nC=" + SECRET));
    assertEquals(4, p.violations().size(), messages(p).toString());
    assertEquals(Map.of("A", "1"), p.map());
    InvalidInputException e = assertThrows(InvalidInputException.class, p::mapOrThrow);
    assertTrue(e.getMessage().startsWith("invalid input (4 problems):"), e.getMessage());
    assertNowhere(SECRET, p);
  }

  @Test
  void parse_whenTheNameHasALineBreakOrControlCharacter_refusesItWithoutShowingIt() {
    for (String name : List.of("A\nFORGED", "A\rB", "A\u0000B", "A\u202eB", "A\u2028B", "A\u0085B")) {
      NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of(name + "=v"));
      assertEquals(List.of("--env: the 1st --env's name is not an environment variable name (no control or"
          + " line-breaking characters); the argument is not shown"), messages(p), name);
      assertNowhere(name, p);
    }
  }

  @Test
  void parse_whenTheValueHasANewline_keepsItWhole() {
    NameValues.Parsed p = NameValues.parse(NameValues.ENV,
        List.of("KEY=-----BEGIN KEY-----\n" + SECRET + "\n-----END KEY-----"));
    assertEquals(List.of(), p.violations());
    assertEquals("-----BEGIN KEY-----\n" + SECRET + "\n-----END KEY-----", p.map().get("KEY"));
    assertEquals("KEY=(value not shown)", p.pairs().get(0).toString());
    assertNowhere(SECRET, p);
  }

  @Test
  void parse_whenTheInputIsVeryLong_staysLinearAndShowsABoundedName() {
    String longValue = SECRET.repeat(100_000); // 2 MB
    String longName = "N".repeat(1_000_000);
    long start = System.nanoTime();
    NameValues.Parsed p = NameValues.parse(NameValues.ENV, List.of(longValue, "A=" + longValue,
        longName + "=1", longName + "=" + longValue));
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "a 2 MB argument takes seconds to parse");
    assertEquals(List.of("--env: the 1st --env is not NAME=VALUE (no '='; the text is not shown)",
        "--env: '" + "N".repeat(100) + "... (1000000 characters)' is given twice (the 3rd and the 4th --env)"),
        messages(p));
    assertEquals(longValue, p.map().get("A"));
    assertNowhere(SECRET, p);
  }

  @Test
  void parse_secret_whenTheArnIsMissing_refusesIt_andNeverShowsATextWithoutEquals() {
    NameValues.Parsed p = NameValues.parse(NameValues.SECRET, List.of("DB_PASSWORD", "API_KEY=",
        "DB_URL=arn:aws:ssm:us-east-2:123456789012:parameter/db"));
    assertEquals(List.of("--secret: the 1st --secret is not NAME=ARN (no '='; the text is not shown)",
        "--secret: the 2nd --secret (API_KEY) is not NAME=ARN (nothing after '=')"), messages(p));
    assertEquals(Map.of("DB_URL", "arn:aws:ssm:us-east-2:123456789012:parameter/db"), p.map());
    assertNowhere("DB_PASSWORD", p);
  }

  @Test
  void parse_buildArg_whenANameIsAlone_keepsItWithoutValue_andRefusesATextThatIsNoName() {
    NameValues.Parsed p = NameValues.parse(BUILD_ARG, List.of("VERSION", "BASE=x", SECRET, "my-arg=" + SECRET));
    assertEquals(List.of("--build-arg: the 3rd --build-arg is neither NAME=VALUE nor a name alone (a Dockerfile ARG"
            + " name); the text is not shown",
        "--build-arg: the 4th --build-arg's name is not a Dockerfile ARG name; the argument is not shown"),
        messages(p));
    assertEquals(2, p.pairs().size());
    assertNull(p.map().get("VERSION"));
    assertTrue(p.map().containsKey("VERSION"));
    assertEquals("VERSION", p.pairs().get(0).toString());
    assertNowhere(SECRET, p);
  }

  @Test
  void parse_whenNoneOrNull_givesNothing() {
    assertEquals(Map.of(), NameValues.parse(NameValues.ENV, null).mapOrThrow());
    assertEquals(Map.of(), NameValues.parse(NameValues.ENV, List.of()).mapOrThrow());
  }

  @Test
  void ordinal_givesEnglishSuffixes() {
    assertEquals(List.of("1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"),
        List.of(1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111).stream().map(NameValues::ordinal).toList());
  }
}
