package dev.berth.cli;

import dev.berth.report.InvalidInputException;
import dev.berth.report.NameValues;
import dev.berth.step.EcsDeployService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ecs-deploy-service}: create or update a Fargate service, optionally behind a new ALB, and watch the rollout. */
@Command(name = "ecs-deploy-service", addMethodSubcommands = false,
    header = "Create or update a Fargate service (ALB, autoscaling) and watch the rollout to a verdict.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Create or update an ECS Fargate service (and its cluster), optionally behind an Application "
        + "Load Balancer it creates, with Application Auto Scaling, and watch the rollout to a verdict.",
        "An update changes only what differs; a call that changes nothing starts no deployment. Exit 0 when the "
            + "rollout COMPLETED, 1 when it FAILED, was ROLLED_BACK or SUPERSEDED, 3 for invalid input (nothing "
            + "changed), 5 when --timeout passed."})
public class EcsDeployServiceCommand extends StepCommand {
  @Option(names = "--cluster", required = true, paramLabel = "NAME",
      description = "Cluster of the service; created when missing (required; no default).")
  String cluster;

  @Option(names = "--service", required = true, paramLabel = "NAME",
      description = "Service to create or update (required; no default).")
  String service;

  @Option(names = "--task-definition", required = true, paramLabel = "ARN|FAMILY|FAMILY:REVISION",
      description = "Task definition to run; a family alone means its latest ACTIVE revision (required; no default).")
  String taskDefinition;

  @Option(names = "--container-insights", negatable = true, fallbackValue = "true",
      description = "Turn CloudWatch Container Insights on (or off with --no-container-insights) for the cluster "
          + "(default: off when the cluster is created, unchanged otherwise).")
  Boolean containerInsights;

  @Option(names = "--platform-version", paramLabel = "VERSION",
      description = "Fargate platform version, LATEST or e.g. 1.4.0 (default: LATEST on create, unchanged on update).")
  String platformVersion;

  @Option(names = "--capacity-provider", paramLabel = "NAME[:WEIGHT[:BASE]]",
      description = "Run on FARGATE and/or FARGATE_SPOT with this weight (default 1) and base (default 0); "
          + "repeatable (default: launch type FARGATE).")
  String[] capacityProviders = new String[0];

  @Option(names = "--subnets", split = ",", paramLabel = "SUBNET",
      description = "Subnets of the tasks (and of a new ALB); required when the service is created (default: "
          + "unchanged on update).")
  String[] subnets = new String[0];

  @Option(names = "--security-groups", split = ",", paramLabel = "SG",
      description = "Security groups of the tasks (default on create: the group berth makes for "
          + "--create-load-balancer, else the VPC's default group; unchanged on update).")
  String[] securityGroups = new String[0];

  @Option(names = "--assign-public-ip", negatable = true, fallbackValue = "true",
      description = "Give tasks a public IP, needed in public subnets without NAT to pull images (default: on "
          + "when the service is created, as the console does; unchanged on update).")
  Boolean assignPublicIp;

  @Option(names = "--desired-count", paramLabel = "N",
      description = "Number of tasks (default: 1 on create, within the autoscaling range; on update the current "
          + "count is kept so autoscaling's choice is not undone).")
  Integer desiredCount;

  @Option(names = "--target-group-arn", paramLabel = "ARN",
      description = "Put the service behind this existing target group (type ip, attached to an ALB) (default: none).")
  String targetGroupArn;

  @Option(names = "--container-name", paramLabel = "NAME",
      description = "Container that receives the load balancer's traffic (default: the first container that maps a port).")
  String containerName;

  @Option(names = "--container-port", paramLabel = "PORT",
      description = "Its port (default: the container's first mapped port).")
  Integer containerPort;

  @Option(names = "--create-load-balancer",
      description = "Create (or reuse one berth created for this cluster and service, found by its tags) an ALB,"
          + " its security group, a target group of type ip and the listeners; the ALB takes one subnet per zone"
          + " in at least two zones (--load-balancer-subnets) (default: off).")
  boolean createLoadBalancer;

  @Option(names = "--load-balancer-subnets", split = ",", paramLabel = "SUBNET",
      description = "Subnets of the new ALB: one per availability zone, at least two zones, public ones (a route"
          + " to an internet gateway) for an internet-facing ALB (default: one subnet per zone chosen from"
          + " --subnets, preferring public ones; the choice is printed).")
  String[] loadBalancerSubnets = new String[0];

  @Option(names = "--load-balancer-scheme", paramLabel = "internet-facing|internal",
      description = "Scheme of the new ALB: internet-facing (public DNS name) or internal (reachable only inside"
          + " the VPC) (default: internet-facing).")
  String loadBalancerScheme;

  @Option(names = "--vpc-id", paramLabel = "VPC",
      description = "VPC of the new ALB and target group; must be the subnets' VPC (default: the subnets' VPC).")
  String vpcId;

  @Option(names = "--health-check-path", paramLabel = "PATH",
      description = "Health check path of the new target group (default: " + EcsDeployService.DEFAULT_HEALTH_CHECK_PATH + ").")
  String healthCheckPath;

  @Option(names = "--health-check-interval", paramLabel = "DURATION",
      description = "Time between the new target group's health checks, 5s-300s, e.g. 15s or 15 (default: "
          + EcsDeployService.DEFAULT_HEALTH_CHECK_INTERVAL + "s).")
  Duration healthCheckInterval;

  @Option(names = "--healthy-threshold", paramLabel = "N",
      description = "Consecutive passed checks before a target is healthy, 2-10 (default: "
          + EcsDeployService.DEFAULT_HEALTHY_THRESHOLD + ").")
  Integer healthyThreshold;

  @Option(names = "--unhealthy-threshold", paramLabel = "N",
      description = "Consecutive failed checks before a target is unhealthy, 2-10 (default: "
          + EcsDeployService.DEFAULT_UNHEALTHY_THRESHOLD + ").")
  Integer unhealthyThreshold;

  @Option(names = "--deregistration-delay", paramLabel = "SECONDS",
      description = "How long the new target group drains a stopping task (default: "
          + EcsDeployService.DEFAULT_DEREGISTRATION_DELAY + ", not AWS's 300, so deploys do not idle).")
  Integer deregistrationDelay;

  @Option(names = "--certificate-arn", paramLabel = "ARN",
      description = "ACM certificate: the new ALB listens on 443 (HTTPS) and port 80 redirects to it (default: "
          + "HTTP on port 80 only).")
  String certificateArn;

  @Option(names = "--health-check-grace-period", paramLabel = "SECONDS",
      description = "Seconds ECS ignores failing load-balancer health checks of a new task (default: 0 on create, "
          + "unchanged on update).")
  Integer healthCheckGracePeriod;

  @Option(names = "--min-healthy-percent", paramLabel = "PCT",
      description = "Lower limit of running tasks during a deployment, 0-100 (default: 100 on create, unchanged on update).")
  Integer minHealthyPercent;

  @Option(names = "--max-percent", paramLabel = "PCT",
      description = "Upper limit of tasks during a deployment, 100-200 (default: 200 on create, unchanged on update).")
  Integer maxPercent;

  @Option(names = "--circuit-breaker", negatable = true, fallbackValue = "true",
      description = "Deployment circuit breaker with rollback, or off with --no-circuit-breaker (default: on when"
          + " the service is created, unchanged on update).")
  Boolean circuitBreaker;

  @Option(names = "--enable-execute-command", negatable = true, fallbackValue = "true",
      description = "Allow ECS Exec into the tasks (default: off on create, unchanged on update).")
  Boolean enableExecuteCommand;

  @Option(names = "--propagate-tags", arity = "0..1", fallbackValue = "SERVICE", paramLabel = "FROM",
      description = "Copy tags to tasks from SERVICE (the value when none is given), TASK_DEFINITION, or NONE "
          + "(default: NONE on create, unchanged on update).")
  String propagateTags;

  @Option(names = "--tag", paramLabel = "KEY=VALUE",
      description = "Tag of the service (and of the ALB and target group it creates); repeatable, each key once "
          + "(default: none).")
  String[] tags = new String[0];

  @Option(names = "--autoscaling-min", paramLabel = "M",
      description = "Application Auto Scaling minimum of the desired count (default: none; unchanged when registered).")
  Integer autoscalingMin;

  @Option(names = "--autoscaling-max", paramLabel = "X",
      description = "Application Auto Scaling maximum (default: none; unchanged when registered).")
  Integer autoscalingMax;

  @Option(names = "--cpu-target", paramLabel = "PCT",
      description = "Target tracking on average CPU, above 0 and at most 100 (default: none; policy berth-cpu, "
          + "removed when no longer given with autoscaling options).")
  Double cpuTarget;

  @Option(names = "--memory-target", paramLabel = "PCT",
      description = "Target tracking on average memory, above 0 and at most 100 (default: none; policy berth-memory).")
  Double memoryTarget;

  @Option(names = "--requests-per-target", paramLabel = "N",
      description = "Target tracking on ALB requests per target; needs the target group (default: none; policy "
          + "berth-requests).")
  Double requestsPerTarget;

  @Option(names = "--scale-in-cooldown", paramLabel = "SECONDS",
      description = "Cooldown after scaling in (default: " + EcsDeployService.DEFAULT_COOLDOWN + ").")
  Integer scaleInCooldown;

  @Option(names = "--scale-out-cooldown", paramLabel = "SECONDS",
      description = "Cooldown after scaling out (default: " + EcsDeployService.DEFAULT_COOLDOWN + ").")
  Integer scaleOutCooldown;

  @Option(names = "--force-new-deployment",
      description = "Start a new deployment even when nothing changed, e.g. to pull a moved image tag (default: off).")
  boolean forceNewDeployment;

  @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Watch the rollout to its verdict (default: --wait; --no-wait returns after the changes).")
  boolean waitForRollout = true;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15m",
      description = "How long to watch the rollout, e.g. 90s, 15m, 1h (default: ${DEFAULT-VALUE}); exit 5 after it.")
  Duration timeout;

  @Option(names = "--log-lines", paramLabel = "N", defaultValue = "20",
      description = "When the rollout fails, show the last N lines of each stopped task's essential containers' "
          + "CloudWatch Logs stream (awslogs) with the reasons (default: ${DEFAULT-VALUE}; 0: none).")
  int logLines = dev.berth.rollout.TaskLogs.DEFAULT_LINES;

  @Option(names = "--dry-run",
      description = "Make only read calls and print the plan: what would be created (cluster, security groups, "
          + "ALB, target group, listeners, service, scalable target, policies), updated (old -> new by field) or "
          + "deleted; nothing is changed and no rollout is watched (default: off). The result has \"dryRun\": true "
          + "and \"changes\", the list a real run applies.")
  boolean dryRun;

  @Override
  protected Object execute(Context context) {
    EcsForceRedeployCommand.logLines(logLines);
    EcsDeployService.Request request = request();
    Duration poll = dev.berth.rollout.RolloutWatcher.DEFAULT_POLL_INTERVAL;
    String env = context.env().get("BERTH_ROLLOUT_POLL_INTERVAL");
    if (env != null && !env.isBlank()) {
      try {
        poll = dev.berth.report.Durations.parse(env);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("BERTH_ROLLOUT_POLL_INTERVAL", e.getMessage());
      }
      if (poll.isZero() || poll.isNegative()) {
        throw new InvalidInputException("BERTH_ROLLOUT_POLL_INTERVAL", "must be positive");
      }
    }
    return new EcsDeployService(context.aws(), context.progress(), java.time.Clock.systemUTC(),
        dev.berth.rollout.Sleeper.system(), poll).run(request);
  }

  EcsDeployService.Request request() {
    return EcsDeployService.Request.builder(cluster, service, taskDefinition)
        .containerInsights(containerInsights)
        .platformVersion(platformVersion)
        .capacityProviders(capacityProviders(List.of(capacityProviders)))
        .subnets(trimmed(List.of(subnets)))
        .securityGroups(trimmed(List.of(securityGroups)))
        .assignPublicIp(assignPublicIp)
        .desiredCount(desiredCount)
        .targetGroupArn(targetGroupArn)
        .containerName(containerName)
        .containerPort(containerPort)
        .createLoadBalancer(createLoadBalancer)
        .loadBalancerSubnets(trimmed(List.of(loadBalancerSubnets)))
        .loadBalancerScheme(loadBalancerScheme == null ? null : loadBalancerScheme.toLowerCase(java.util.Locale.ROOT))
        .vpcId(vpcId)
        .healthCheckPath(healthCheckPath)
        .healthCheckInterval(seconds(healthCheckInterval, "--health-check-interval"))
        .healthyThreshold(healthyThreshold)
        .unhealthyThreshold(unhealthyThreshold)
        .deregistrationDelay(deregistrationDelay)
        .certificateArn(certificateArn)
        .healthCheckGracePeriod(healthCheckGracePeriod)
        .minHealthyPercent(minHealthyPercent)
        .maxPercent(maxPercent)
        .circuitBreaker(circuitBreaker)
        .enableExecuteCommand(enableExecuteCommand)
        .propagateTags(propagateTags == null ? null : propagateTags.toUpperCase(java.util.Locale.ROOT))
        .tags(tags(tags))
        .autoscalingMin(autoscalingMin)
        .autoscalingMax(autoscalingMax)
        .cpuTarget(cpuTarget)
        .memoryTarget(memoryTarget)
        .requestsPerTarget(requestsPerTarget)
        .scaleInCooldown(scaleInCooldown)
        .scaleOutCooldown(scaleOutCooldown)
        .forceNewDeployment(forceNewDeployment)
        .waitForRollout(waitForRollout)
        .timeout(timeout)
        .logLines(logLines)
        .dryRun(dryRun)
        .build();
  }

  private static Integer seconds(Duration d, String flag) {
    return dev.berth.report.Durations.wholeSeconds(d, flag);
  }

  /** {@code --tag KEY=VALUE}: ECS and ELB check the key's length and characters; the value may be empty. */
  static final NameValues.Option TAG = new NameValues.Option("--tag", "KEY=VALUE", NameValues.PRINTABLE,
      "a tag key (no control or line-breaking characters)", false, false);

  /** {@code KEY=VALUE} pairs; the value may contain '=' and may be empty; every bad one is reported (exit 3). */
  static Map<String, String> tags(String[] values) {
    return NameValues.parse(TAG, List.of(values)).mapOrThrow();
  }

  private static List<String> trimmed(List<String> values) {
    return values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code NAME[:WEIGHT[:BASE]]}, e.g. {@code FARGATE_SPOT:3} or {@code FARGATE:1:2}. */
  static List<EcsDeployService.CapacityProvider> capacityProviders(List<String> values) {
    List<EcsDeployService.CapacityProvider> out = new ArrayList<>();
    for (String v : values) {
      String[] parts = v.trim().split(":");
      try {
        if (parts.length > 3 || parts[0].isBlank()) {
          throw new NumberFormatException();
        }
        int weight = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
        int base = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        out.add(new EcsDeployService.CapacityProvider(parts[0].toUpperCase(java.util.Locale.ROOT), weight, base));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("--capacity-provider", "'" + v + "' is not NAME[:WEIGHT[:BASE]] "
            + "(for example FARGATE_SPOT:3 or FARGATE:1:2)");
      }
    }
    return out;
  }
}
