package dev.berth.rollout;

import dev.berth.report.Outcome;

/**
 * How a watched rollout ended. Only {@link #COMPLETED} is a success; the CLI maps the others through
 * {@link #outcome()} (COMPLETED 0; FAILED, ROLLED_BACK, SUPERSEDED 1; TIMED_OUT 5).
 */
public enum Verdict {
  /** Our deployment is PRIMARY and alone, rolloutState COMPLETED, running = desired. */
  COMPLETED,
  /** Our deployment failed (rolloutState FAILED, or the service went away) and nothing was put back. */
  FAILED,
  /** The deployment circuit breaker failed our deployment and put an earlier task definition back. Never a success. */
  ROLLED_BACK,
  /** The deadline passed before the rollout reached a verdict. */
  TIMED_OUT,
  /** Another deployment (someone else's UpdateService) replaced ours before it finished; see {@link Rollout#supersededBy()}. */
  SUPERSEDED;

  /** The step outcome this verdict stands for. */
  public Outcome outcome() {
    return switch (this) {
      case COMPLETED -> Outcome.OK;
      case TIMED_OUT -> Outcome.TIMED_OUT;
      default -> Outcome.FAILED;
    };
  }
}
