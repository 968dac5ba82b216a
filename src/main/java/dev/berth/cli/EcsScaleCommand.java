package dev.berth.cli;

import dev.berth.step.EcsScale;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ecs-scale}: set a service's desired count, consistent with its autoscaling range. */
@Command(name = "ecs-scale", addMethodSubcommands = false,
    header = "Set a service's desired count, kept inside its autoscaling range.", mixinStandardHelpOptions = true,
    description = {"Set an ECS service's desired count, kept consistent with its Application Auto Scaling range.",
        "A count outside the registered range is refused (exit 3) unless --autoscaling-min/--autoscaling-max "
            + "move the range in the same call; otherwise autoscaling would silently undo it."})
public class EcsScaleCommand extends StepCommand {
  @Option(names = "--cluster", required = true, paramLabel = "NAME|ARN",
      description = "Cluster of the service (required; no default).")
  String cluster;

  @Option(names = "--service", required = true, paramLabel = "NAME|ARN",
      description = "Service to scale (required; no default).")
  String service;

  @Option(names = "--desired-count", required = true, paramLabel = "N",
      description = "Number of tasks to run (required; no default; 0 or more).")
  Integer desiredCount;

  @Option(names = "--autoscaling-min", paramLabel = "M",
      description = "Move the registered autoscaling minimum to M in the same call (default: keep the "
          + "registered minimum; with no range registered, give both bounds to register one).")
  Integer autoscalingMin;

  @Option(names = "--autoscaling-max", paramLabel = "X",
      description = "Move the registered autoscaling maximum to X in the same call (default: keep the "
          + "registered maximum).")
  Integer autoscalingMax;

  @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Wait until the service runs the desired count on its current deployment (default: "
          + "--wait; --no-wait returns after the change).")
  boolean waitForRunning = true;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
      description = "How long --wait waits, e.g. 90s, 10m, 1h (default: ${DEFAULT-VALUE}); exit 5 after it.")
  Duration timeout;

  @Option(names = "--dry-run",
      description = "Make only read calls and print the plan: what would be created or updated (autoscaling range, desired count), old -> new (default: off). The result has \"dryRun\": true and \"changes\", the list a real run applies.")
  boolean dryRun;

  @Override
  protected Object execute(Context context) throws InterruptedException {
    EcsScale step = EcsScale.create(context.aws(), context.progress());
    return step.run(new EcsScale.Request(cluster, service, desiredCount, autoscalingMin, autoscalingMax,
        waitForRunning, timeout, dryRun));
  }
}
