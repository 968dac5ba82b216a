package dev.berth.report;

import java.util.List;
import java.util.stream.Collectors;

/** Every violation found in the input, reported at once. Thrown before any AWS call that changes something. */
public class InvalidInputException extends BerthException {
  private final List<Violation> violations;

  public InvalidInputException(List<Violation> violations) {
    this(violations.stream().distinct().toList(), true);
  }

  /** Violations found by two checks (a static one and one that read AWS) are reported once. */
  private InvalidInputException(List<Violation> distinct, boolean deduplicated) {
    super(Outcome.INVALID_INPUT, render(distinct));
    this.violations = List.copyOf(distinct);
  }

  public InvalidInputException(String where, String message) {
    this(List.of(Violation.error(where, message)));
  }

  public List<Violation> violations() {
    return violations;
  }

  private static String render(List<Violation> violations) {
    List<Violation> errors = violations.stream().filter(v -> !v.warning()).toList();
    if (errors.size() == 1) {
      return "invalid input: " + errors.get(0);
    }
    return "invalid input (" + errors.size() + " problems):"
        + errors.stream().map(v -> "\n  - " + v).collect(Collectors.joining());
  }

  /** Throws when the list holds at least one error (warnings alone pass). */
  public static void throwIfAny(List<Violation> violations) {
    if (violations.stream().anyMatch(v -> !v.warning())) {
      throw new InvalidInputException(violations);
    }
  }
}
