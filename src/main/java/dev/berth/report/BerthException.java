package dev.berth.report;

/**
 * Base of the typed exceptions the core throws. Each carries the facts (never a secret) and the
 * {@link Outcome} it stands for; advice is added at the edge (CLI, vars, action).
 */
public class BerthException extends RuntimeException {
  private final Outcome outcome;
  private transient Object result;

  public BerthException(Outcome outcome, String message) {
    super(message);
    this.outcome = outcome;
  }

  public BerthException(Outcome outcome, String message, Throwable cause) {
    super(message, cause);
    this.outcome = outcome;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** What the step knows despite failing (deployment id, verdict, ...), rendered into the result JSON. */
  public Object result() {
    return result;
  }

  public BerthException withResult(Object partialResult) {
    this.result = partialResult;
    return this;
  }

  public static BerthException failed(String message) {
    return new BerthException(Outcome.FAILED, message);
  }

  public static BerthException failed(String message, Throwable cause) {
    return new BerthException(Outcome.FAILED, message, cause);
  }

  public static BerthException access(String message, Throwable cause) {
    return new BerthException(Outcome.ACCESS, message, cause);
  }

  public static BerthException timedOut(String message) {
    return new BerthException(Outcome.TIMED_OUT, message);
  }
}
