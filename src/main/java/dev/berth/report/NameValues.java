package dev.berth.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The steps' {@code NAME=VALUE} options ({@code --env}, {@code --secret}, {@code --build-arg}, {@code --tag},
 * {@code --image CONTAINER=IMAGE}), parsed by one rule: split on the first {@code =}; refuse a text without
 * {@code =} (unless the option takes a name alone), an empty name, a name the option does not accept and a name
 * given twice; report every bad one at once.
 *
 * <p>A value may be a secret, and a text without {@code =} may be a secret given without its name, so neither
 * reaches a message, an exception or a {@code toString}: a problem names the option and the argument's ordinal
 * ("the 2nd --env"), and a name only when it is a valid one (names are not secret; a valid name has no control
 * or line-breaking characters, so it cannot forge a line of output, and at most {@value #SHOWN} of its characters
 * are shown).
 */
public final class NameValues {
  /** How many characters of a (valid) name a message shows. */
  static final int SHOWN = 100;

  /** No control, format (bidi) or line/paragraph separator characters: what a message can show as it is. */
  public static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");

  /**
   * {@code --env NAME=VALUE} of a container. ECS puts no pattern on an environment variable's name ({@code
   * KeyValuePair.name} is any string) and the container gets {@code NAME=VALUE}, so berth refuses only what cannot
   * be one: control, format and line-breaking characters ({@code =} cannot be in it, it ends the name).
   */
  public static final Option ENV = new Option("--env", "NAME=VALUE", PRINTABLE,
      "an environment variable name (no control or line-breaking characters)", false, false);

  /** {@code --secret NAME=ARN}: the variable's name as for {@link #ENV}; the ARN may not be empty. */
  public static final Option SECRET = new Option("--secret", "NAME=ARN", PRINTABLE,
      "an environment variable name (no control or line-breaking characters)", false, true);

  private NameValues() {
  }

  /**
   * What one option accepts.
   *
   * @param flag the option, as messages name it ({@code --env})
   * @param shape the form messages ask for ({@code NAME=VALUE})
   * @param name the names it accepts (the whole name must match)
   * @param nameRule what such a name is, for the message about one that is not ("a Dockerfile ARG name ...")
   * @param nameAlone whether a text without {@code =} is a name alone (a pair with a null value)
   * @param valueRequired whether {@code NAME=} (an empty value) is refused
   */
  public record Option(String flag, String shape, Pattern name, String nameRule, boolean nameAlone,
      boolean valueRequired) {
  }

  /** One argument, split; {@code value} is null for a name given alone. Its {@code toString} hides the value. */
  public record Pair(String name, String value) {
    @Override
    public String toString() {
      return value == null ? name : name + "=(value not shown)";
    }
  }

  /** The valid pairs in the order given, and a violation for every argument that is not one. */
  public record Parsed(List<Pair> pairs, List<Violation> violations) {
    public Parsed {
      pairs = Collections.unmodifiableList(new ArrayList<>(pairs)); // List.copyOf refuses the null values
      violations = List.copyOf(violations);
    }

    /** The pairs by name, in the order given (a name given alone maps to null). */
    public Map<String, String> map() {
      Map<String, String> out = new LinkedHashMap<>();
      pairs.forEach(p -> out.put(p.name(), p.value()));
      return out;
    }

    /** The pairs by name; throws {@link InvalidInputException} (exit 3) with every violation when there is one. */
    public Map<String, String> mapOrThrow() {
      InvalidInputException.throwIfAny(violations);
      return map();
    }

    @Override
    public String toString() {
      return "Parsed" + pairs + violations;
    }
  }

  /** Parses every argument of {@code option}; null means none. */
  public static Parsed parse(Option option, List<String> args) {
    List<Pair> pairs = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; args != null && i < args.size(); i++) {
      String a = args.get(i) == null ? "" : args.get(i);
      String which = "the " + ordinal(i + 1) + " " + option.flag();
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (eq < 0 && !option.nameAlone()) {
        violations.add(error(option, which + " is not " + option.shape() + " (no '='; the text is not shown)"));
        continue;
      }
      if (name.isEmpty()) {
        violations.add(error(option, which + " is not " + option.shape() + " (no name before '='; the value is not"
            + " shown)"));
        continue;
      }
      if (!option.name().matcher(name).matches()) {
        violations.add(error(option, eq < 0
            ? which + " is neither " + option.shape() + " nor a name alone (" + option.nameRule() + "); the text is"
                + " not shown"
            : which + "'s name is not " + option.nameRule() + "; the argument is not shown"));
        continue;
      }
      String value = eq < 0 ? null : a.substring(eq + 1);
      if (option.valueRequired() && value != null && value.isEmpty()) {
        violations.add(error(option, which + " (" + shown(name) + ") is not " + option.shape() + " (nothing after"
            + " '=')"));
        continue;
      }
      Integer earlier = first.putIfAbsent(name, i + 1);
      if (earlier != null) {
        violations.add(error(option, "'" + shown(name) + "' is given twice (the " + ordinal(earlier) + " and the "
            + ordinal(i + 1) + " " + option.flag() + ")"));
        continue;
      }
      pairs.add(new Pair(name, value));
    }
    return new Parsed(pairs, violations);
  }

  private static Violation error(Option option, String message) {
    return Violation.error(option.flag(), message);
  }

  /** A valid name as a message shows it: whole, or its first {@value #SHOWN} characters. */
  private static String shown(String name) {
    if (name.length() <= SHOWN) {
      return name;
    }
    int end = Character.isHighSurrogate(name.charAt(SHOWN - 1)) ? SHOWN - 1 : SHOWN;
    return name.substring(0, end) + "... (" + name.length() + " characters)";
  }

  /** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st. */
  public static String ordinal(int n) {
    int mod100 = n % 100;
    String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    };
    return n + suffix;
  }
}
