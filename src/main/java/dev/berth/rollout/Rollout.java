package dev.berth.rollout;

import dev.berth.report.BerthException;
import java.util.List;

/**
 * The end of a watched rollout.
 *
 * @param verdict how it ended
 * @param deploymentId the deployment that was followed ({@code ecs-svc/...})
 * @param rolloutState its last rolloutState (IN_PROGRESS, COMPLETED, FAILED), or null when ECS gave none
 * @param rolloutStateReason ECS's reason for that state, or null
 * @param taskDefinitionArn the task definition of the followed deployment
 * @param desiredCount the followed deployment's last desired count
 * @param runningCount the followed deployment's last running count
 * @param supersededBy for SUPERSEDED, the deployment that replaced ours; for ROLLED_BACK, the deployment the
 *     circuit breaker put back (when known); else null
 * @param reasons on anything but COMPLETED: why, one line each (stopped tasks' reasons and exit codes,
 *     unhealthy targets with reason codes, what replaced ours, and last the stopped tasks' container logs, one
 *     entry per container with its lines indented below a heading); empty on COMPLETED
 * @param logs the stopped tasks' container logs those reasons end with (empty without logs)
 */
public record Rollout(
    Verdict verdict,
    String deploymentId,
    String rolloutState,
    String rolloutStateReason,
    String taskDefinitionArn,
    int desiredCount,
    int runningCount,
    String supersededBy,
    List<String> reasons,
    List<TaskLogs.Lines> logs) {

  public Rollout {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    logs = logs == null ? List.of() : List.copyOf(logs);
  }

  /** A rollout without container logs. */
  public Rollout(Verdict verdict, String deploymentId, String rolloutState, String rolloutStateReason,
      String taskDefinitionArn, int desiredCount, int runningCount, String supersededBy, List<String> reasons) {
    this(verdict, deploymentId, rolloutState, rolloutStateReason, taskDefinitionArn, desiredCount, runningCount,
        supersededBy, reasons, List.of());
  }

  /** True only for {@link Verdict#COMPLETED}. */
  public boolean succeeded() {
    return verdict == Verdict.COMPLETED;
  }

  /**
   * One line for an error message: "rollout of deployment ecs-svc/1 ROLLED_BACK: ECS deployment circuit
   * breaker: tasks failed to start. (first reason)".
   */
  public String summary() {
    StringBuilder s = new StringBuilder("rollout of deployment ").append(deploymentId).append(' ').append(verdict);
    switch (verdict) {
      case SUPERSEDED -> s.append(": replaced by deployment ").append(supersededBy);
      case TIMED_OUT -> s.append(": ").append(runningCount).append(" of ").append(desiredCount)
          .append(" tasks running, rolloutState ").append(rolloutState);
      default -> {
        if (rolloutStateReason != null && !rolloutStateReason.isBlank()) {
          s.append(": ").append(rolloutStateReason);
        }
      }
    }
    if (verdict == Verdict.ROLLED_BACK && supersededBy != null) {
      s.append(" (rolled back to deployment ").append(supersededBy).append(')');
    }
    if (!reasons.isEmpty() && verdict != Verdict.COMPLETED) {
      s.append("; ").append(reasons.get(0));
      if (reasons.size() > 1) {
        s.append(" (+").append(reasons.size() - 1).append(" more above)");
      }
    }
    return s.toString();
  }

  /**
   * The exception a step throws for a rollout that did not complete, with the outcome of its verdict
   * (exit 1, or 5 for TIMED_OUT). {@code service} names the service in the message. Attach the step's
   * partial result with {@link BerthException#withResult}.
   */
  public BerthException failure(String service) {
    if (succeeded()) {
      throw new IllegalStateException("rollout completed; nothing failed");
    }
    return new BerthException(verdict.outcome(), "service " + service + ": " + summary());
  }
}
