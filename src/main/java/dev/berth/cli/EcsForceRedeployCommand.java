package dev.berth.cli;

import dev.berth.step.EcsForceRedeploy;
import java.time.Duration;
import dev.berth.report.InvalidInputException;
import dev.berth.report.NameValues;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ecs-force-redeploy}: a new deployment of the current, a re-imaged, or the previous task definition. */
@Command(name = "ecs-force-redeploy", addMethodSubcommands = false,
    header = "Redeploy a service (current task definition, a new image, or a rollback), watched like a deploy.", mixinStandardHelpOptions = true,
    description = {"Start a new deployment of an ECS service and watch it to a verdict like a deploy: of the task "
        + "definition it runs now, of that task definition with new images (--image), or of the task definition "
        + "of the last deployment that completed before the current one (--rollback).",
        "Exit 0 COMPLETED; 1 FAILED, ROLLED_BACK or SUPERSEDED; 5 TIMED_OUT."})
public class EcsForceRedeployCommand extends StepCommand {
  @Option(names = "--cluster", required = true, paramLabel = "NAME|ARN",
      description = "Cluster of the service (required; no default).")
  String cluster;

  @Option(names = "--service", required = true, paramLabel = "NAME|ARN",
      description = "Service to redeploy (required; no default).")
  String service;

  @Option(names = "--image", paramLabel = "CONTAINER=IMAGE",
      description = "Promote an image: re-render the service's current task definition with this image for the "
          + "named container, register it (reusing an identical revision) and deploy it. Repeatable, each container once "
          + "(default: none, the current task definition is redeployed as it is).")
  String[] images = new String[0];

  @Option(names = "--from-service", paramLabel = "CLUSTER/SERVICE",
      description = "Promote from another service: deploy exactly the images (by digest) it runs now, for every "
          + "container; a container missing in either service is exit 3 (default: none). Cannot be combined with "
          + "--image or --rollback.")
  String fromService;

  @Option(names = "--rollback",
      description = "Deploy the task definition of the last deployment that completed before the current one "
          + "(default: off). Cannot be combined with --image.")
  boolean rollback;

  @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Watch the new deployment to a verdict (default: --wait; --no-wait returns once it started).")
  boolean waitForRollout = true;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15m",
      description = "How long --wait watches, e.g. 90s, 15m, 1h (default: ${DEFAULT-VALUE}); exit 5 after it.")
  Duration timeout;

  @Option(names = "--log-lines", paramLabel = "N", defaultValue = "20",
      description = "When the rollout fails, show the last N lines of each stopped task's essential containers' "
          + "CloudWatch Logs stream (awslogs) with the reasons (default: ${DEFAULT-VALUE}; 0: none).")
  int logLines = 20;

  @Option(names = "--dry-run",
      description = "Make only read calls and print the plan: what would be registered and deployed (task-definition diff by field, image changes, the new deployment) (default: off). The result has \"dryRun\": true and \"changes\", the list a real run applies.")
  boolean dryRun;

  @Override
  protected Object execute(Context context) {
    EcsForceRedeploy step = EcsForceRedeploy.create(context.aws(), context.progress(), logLines(logLines));
    return step.run(new EcsForceRedeploy.Request(cluster, service, imageMap(images), rollback, waitForRollout,
        timeout, dryRun, fromService));
  }

  /** {@code --log-lines}: 0 to 10,000 (GetLogEvents' limit), else exit 3. */
  static int logLines(int n) {
    if (n < 0 || n > dev.berth.rollout.TaskLogs.MAX_LINES) {
      throw new InvalidInputException("--log-lines", "must be between 0 and " + dev.berth.rollout.TaskLogs.MAX_LINES
          + ", not " + n);
    }
    return n;
  }

  /** {@code --image CONTAINER=IMAGE}: a container name as ECS takes it (up to 255 letters, digits, _ and -). */
  static final NameValues.Option IMAGE = new NameValues.Option("--image", "CONTAINER=IMAGE",
      java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,255}"),
      "a container name (up to 255 letters, digits, _ and -)", false, true);

  /** {@code CONTAINER=IMAGE} pairs in order; every malformed or repeated one is reported at once (exit 3). */
  static Map<String, String> imageMap(String[] pairs) {
    return NameValues.parse(IMAGE, List.of(pairs)).mapOrThrow();
  }
}
