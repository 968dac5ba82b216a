package dev.berth.report;

/**
 * One problem with the input: where (a JSON path such as {@code containerDefinitions[0].memory} or a flag
 * such as {@code --cpu}) and what is wrong. A warning does not stop the step.
 */
public record Violation(String where, String message, boolean warning) {
  public static Violation error(String where, String message) {
    return new Violation(where, message, false);
  }

  public static Violation warning(String where, String message) {
    return new Violation(where, message, true);
  }

  @Override
  public String toString() {
    return (where == null || where.isEmpty() ? "" : where + ": ") + message;
  }
}
