package dev.berth.step;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Change;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import dev.berth.rollout.Sleeper;
import dev.berth.rollout.TaskLogs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.PropagateTags;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * {@code ecsRunTask}: a one-off task (a database migration before a deploy, a smoke test after it) from a
 * service's current task definition and network configuration, or from a given task definition, subnets and
 * security groups, with an optional command and environment for one container. Everything is checked before
 * RunTask (the cluster, the service, the task definition, the container, the network); then it waits for the task
 * to stop (DescribeTasks every few seconds, one line per state change) and its verdict is the essential
 * containers' exit codes: 0 when they exited 0, FAILED (exit 1) naming the container, its exit code and the
 * stopped reason otherwise, TIMED_OUT (exit 5) when {@code timeout} passes first (the task is left running and
 * named). The last lines of the container's awslogs stream are returned with the verdict.
 */
public final class EcsRunTask {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(6);
  /** startedBy: up to 128 letters, digits, hyphens, forward slashes and underscores (RunTask reference). */
  static final Pattern STARTED_BY = Pattern.compile("[A-Za-z0-9_/-]{1,128}");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * What to run. {@code service} (nullable) lends its task definition and network configuration; the others
   * override it. {@code container} is the container {@code command} and {@code environment} apply to (default: the
   * only essential container). {@code command} is null to keep the image's.
   */
  public record Request(String cluster, String service, String taskDefinition, List<String> subnets,
      List<String> securityGroups, Boolean assignPublicIp, String container, List<String> command,
      Map<String, String> environment, String startedBy, boolean waitForStop, Duration timeout, int logLines,
      boolean dryRun) {
    public Request(String cluster, String service, String taskDefinition, List<String> subnets,
        List<String> securityGroups, Boolean assignPublicIp, String container, List<String> command,
        Map<String, String> environment, String startedBy, boolean waitForStop, Duration timeout, int logLines) {
      this(cluster, service, taskDefinition, subnets, securityGroups, assignPublicIp, container, command, environment,
          startedBy, waitForStop, timeout, logLines, false);
    }

    public Request {
      subnets = subnets == null ? List.of() : List.copyOf(subnets);
      securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
      command = command == null ? null : List.copyOf(command);
      environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(
          new LinkedHashMap<>(environment));
      startedBy = startedBy == null || startedBy.isBlank() ? "berth" : startedBy;
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    /** As the record's, but the environment by name only: a value may be a secret. */
    @Override
    public String toString() {
      return "Request[cluster=" + cluster + ", service=" + service + ", taskDefinition=" + taskDefinition
          + ", subnets=" + subnets + ", securityGroups=" + securityGroups + ", assignPublicIp=" + assignPublicIp
          + ", container=" + container + ", command=" + command + ", environment=" + environment.keySet()
          + " (values not shown), startedBy=" + startedBy + ", waitForStop=" + waitForStop + ", timeout=" + timeout
          + ", logLines=" + logLines + ", dryRun=" + dryRun + "]";
    }
  }

  /**
   * What happened. {@code exitCode} is the reported container's exit code (null: it never ran, or --no-wait);
   * {@code container} names it; {@code logStream} and {@code logs} are its awslogs stream and last lines (null
   * when it has none, or --no-wait). {@code lastStatus} is the task's last status (STOPPED once it stopped).
   * {@code changes} is the task this call started or, with {@code dryRun} (true, else absent), would start: its
   * task definition, launch type, network and overrides (environment variables by name only).
   */
  public record Result(String clusterArn, String taskArn, String taskDefinitionArn, String container,
      String lastStatus, Integer exitCode, String stopCode, String stoppedReason, String logStream,
      List<String> logs, List<String> subnets, List<String> securityGroups, List<String> command, boolean waited,
      Boolean dryRun, List<Change> changes) {}

  private final EcsClient ecs;
  private final Supplier<CloudWatchLogsClient> logs;
  private final String region;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollInterval;

  public EcsRunTask(EcsClient ecs, Supplier<CloudWatchLogsClient> logs, String region, Progress progress,
      Clock clock, Sleeper sleeper, Duration pollInterval) {
    this.ecs = Objects.requireNonNull(ecs);
    this.logs = Objects.requireNonNull(logs);
    this.region = region;
    this.progress = Objects.requireNonNull(progress);
    this.clock = Objects.requireNonNull(clock);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.pollInterval = Objects.requireNonNull(pollInterval);
  }

  /** With the real clock and sleeps; the CloudWatch Logs client is built only when a stopped task is read. */
  public static EcsRunTask create(AwsClients aws, Progress progress) {
    return new EcsRunTask(aws.ecs(), aws::logs, aws.region().id(), progress, Clock.systemUTC(), Sleeper.system(),
        DEFAULT_POLL_INTERVAL);
  }

  /** Every problem of the request that needs no AWS call. */
  static List<Violation> validate(Request r) {
    List<Violation> v = new ArrayList<>();
    if (r.cluster() == null || r.cluster().isBlank()) {
      v.add(Violation.error("--cluster", "is required"));
    }
    if ((r.service() == null || r.service().isBlank()) && (r.taskDefinition() == null || r.taskDefinition().isBlank())) {
      v.add(Violation.error("--task-definition", "give --service (its task definition and network) or "
          + "--task-definition"));
    }
    if (r.subnets().size() > 16) {
      v.add(Violation.error("--subnets", "at most 16 subnets, got " + r.subnets().size()));
    }
    if (r.securityGroups().size() > 5) {
      v.add(Violation.error("--security-groups", "at most 5 security groups, got " + r.securityGroups().size()));
    }
    for (String s : r.subnets()) {
      if (!s.matches("subnet-[0-9a-f]{8,17}")) {
        v.add(Violation.error("--subnets", "'" + s + "' is not a subnet id (subnet-0123456789abcdef0)"));
      }
    }
    for (String g : r.securityGroups()) {
      if (!g.matches("sg-[0-9a-f]{8,17}")) {
        v.add(Violation.error("--security-groups", "'" + g + "' is not a security group id (sg-0123456789abcdef0)"));
      }
    }
    if (r.command() != null && r.command().isEmpty()) {
      v.add(Violation.error("--command", "is empty"));
    }
    for (String name : r.environment().keySet()) {
      if (!ENV_NAME.matcher(name).matches()) {
        v.add(Violation.error("--env", "'" + name + "' is not an environment variable name"));
      }
    }
    if (!STARTED_BY.matcher(r.startedBy()).matches()) {
      v.add(Violation.error("--started-by", "up to 128 letters, digits, hyphens, slashes and underscores, got '"
          + r.startedBy() + "'"));
    }
    if (r.timeout().isNegative() || r.timeout().isZero()) {
      v.add(Violation.error("--timeout", "must be positive, not " + r.timeout()));
    }
    if (r.logLines() < 0 || r.logLines() > TaskLogs.MAX_LINES) {
      v.add(Violation.error("--log-lines", "must be between 0 and " + TaskLogs.MAX_LINES + ", not " + r.logLines()));
    }
    return v;
  }

  public Result run(Request r) throws InterruptedException {
    InvalidInputException.throwIfAny(validate(r));
    // observe: the cluster, the service (when given), the task definition; all problems at once
    List<Violation> v = new ArrayList<>();
    Cluster cluster;
    Service service = null;
    if (r.service() != null && !r.service().isBlank()) {
      EcsServiceLookup.Found found = EcsServiceLookup.find(ecs, r.cluster(), r.service());
      cluster = found.cluster();
      service = found.service();
    } else {
      cluster = cluster(r.cluster());
    }
    String tdName = r.taskDefinition() != null && !r.taskDefinition().isBlank() ? r.taskDefinition()
        : service.taskDefinition();
    if (tdName == null) {
      throw new InvalidInputException("--service", "service '" + r.service() + "' names no task definition (task "
          + "sets); give --task-definition");
    }
    TaskDefinition td = taskDefinition(tdName);
    List<String> essential = td.containerDefinitions().stream().filter(c -> !Boolean.FALSE.equals(c.essential()))
        .map(ContainerDefinition::name).toList();
    List<String> names = td.containerDefinitions().stream().map(ContainerDefinition::name).toList();
    String container = r.container();
    if (container != null && !container.isBlank()) {
      if (!names.contains(container)) {
        v.add(Violation.error("--container", "task definition " + shortTd(td.taskDefinitionArn()) + " has no "
            + "container '" + container + "' (its containers: " + String.join(", ", names) + ")"));
      }
    } else if (r.command() != null || !r.environment().isEmpty()) {
      if (essential.size() == 1) {
        container = essential.get(0);
      } else {
        v.add(Violation.error("--container", "task definition " + shortTd(td.taskDefinitionArn()) + " has "
            + essential.size() + " essential containers (" + String.join(", ", essential) + "); name the one "
            + "--command/--env apply to"));
      }
    }

    // the network: given, else the service's
    AwsVpcConfiguration serviceNet = service == null || service.networkConfiguration() == null ? null
        : service.networkConfiguration().awsvpcConfiguration();
    List<String> subnets = !r.subnets().isEmpty() ? r.subnets() : serviceNet == null ? List.of() : serviceNet.subnets();
    List<String> groups = !r.securityGroups().isEmpty() ? r.securityGroups()
        : serviceNet == null ? List.of() : serviceNet.securityGroups();
    AssignPublicIp publicIp = r.assignPublicIp() != null
        ? (r.assignPublicIp() ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED)
        : serviceNet != null && serviceNet.assignPublicIp() != null ? serviceNet.assignPublicIp()
            : AssignPublicIp.DISABLED;
    boolean awsvpc = td.networkMode() == NetworkMode.AWSVPC;
    if (awsvpc && subnets.isEmpty()) {
      v.add(Violation.error("--subnets", "task definition " + shortTd(td.taskDefinitionArn()) + " uses the awsvpc "
          + "network mode: give --subnets (and --security-groups), or --service to use its network"));
    }
    InvalidInputException.throwIfAny(v);

    RunTaskRequest.Builder req = RunTaskRequest.builder().cluster(cluster.clusterArn())
        .taskDefinition(td.taskDefinitionArn()).count(1).startedBy(r.startedBy())
        .propagateTags(PropagateTags.TASK_DEFINITION);
    if (service != null && !service.capacityProviderStrategy().isEmpty()) {
      req.capacityProviderStrategy(service.capacityProviderStrategy());
    } else {
      req.launchType(service != null && service.launchType() != null ? service.launchType() : LaunchType.FARGATE);
    }
    if (service != null && service.platformVersion() != null) {
      req.platformVersion(service.platformVersion());
    }
    if (awsvpc) {
      req.networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnets).securityGroups(groups)
          .assignPublicIp(publicIp)));
    }
    if (container != null && (r.command() != null || !r.environment().isEmpty())) {
      ContainerOverride.Builder o = ContainerOverride.builder().name(container);
      if (r.command() != null) {
        o.command(r.command());
      }
      if (!r.environment().isEmpty()) {
        List<KeyValuePair> env = new ArrayList<>();
        r.environment().forEach((k, val) -> env.add(KeyValuePair.builder().name(k).value(val).build()));
        o.environment(env);
      }
      req.overrides(ov -> ov.containerOverrides(o.build()));
    }
    RunTaskRequest request = req.build();
    List<Change> changes = List.of(plannedTask(cluster, td, request, container, r));
    if (r.dryRun()) {
      return new Result(cluster.clusterArn(), null, td.taskDefinitionArn(), container, null, null, null, null, null,
          null, subnets, groups, r.command(), false, Boolean.TRUE, changes);
    }
    RunTaskResponse started;
    try {
      started = ecs.runTask(request);
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS RunTask of " + shortTd(td.taskDefinitionArn()), e);
    }
    if (started.tasks().isEmpty()) {
      List<String> why = new ArrayList<>();
      for (Failure f : started.failures()) {
        why.add(f.reason() + (f.detail() == null ? "" : " (" + f.detail() + ")"));
      }
      throw BerthException.failed("ECS started no task of " + shortTd(td.taskDefinitionArn()) + ": "
          + (why.isEmpty() ? "no reason given" : String.join("; ", why)));
    }
    Task task = started.tasks().get(0);
    progress.info("started task " + taskId(task.taskArn()) + " of " + shortTd(td.taskDefinitionArn())
        + (subnets.isEmpty() ? "" : " in " + String.join(",", subnets))
        + (r.command() == null ? "" : " with command " + r.command()));
    if (!r.waitForStop()) {
      return result(cluster, task, td, container, null, null, subnets, groups, r.command(), false, changes);
    }

    task = waitForStop(cluster, task, r.timeout(), td, container, subnets, groups, r.command(), changes);
    Container reported = reported(task, essential, container);
    String name = reported == null ? container : reported.name();
    TaskLogs.Lines lines = null;
    if (r.logLines() > 0 && name != null) {
      TaskLogs reader = new TaskLogs(ecs, logs, region, r.logLines());
      lines = reader.of(task).stream().filter(l -> l.container().equals(reported == null ? l.container()
          : reported.name())).findFirst().orElse(null);
    }
    Result result = result(cluster, task, td, name, reported, lines, subnets, groups, r.command(), true, changes);
    boolean ok = reported != null && Integer.valueOf(0).equals(reported.exitCode())
        && allEssentialExitedZero(task, essential);
    if (lines != null) {
      progress.info(lines.render());
    }
    if (!ok) {
      String code = reported == null || reported.exitCode() == null ? "no exit code (it did not run to the end)"
          : "exit code " + reported.exitCode();
      throw BerthException.failed("task " + taskId(task.taskArn()) + " failed: container " + name + " " + code
          + (reported != null && reported.reason() != null ? " (" + reported.reason() + ")" : "")
          + "; stopped reason: " + task.stoppedReason()
          + (lines == null || lines.problem() != null || lines.lines().isEmpty() ? ""
              : "; last line: " + lines.lines().get(lines.lines().size() - 1))).withResult(result);
    }
    progress.info("task " + taskId(task.taskArn()) + " succeeded: container " + name + " exited 0");
    return result;
  }

  /** Polls DescribeTasks until the task is STOPPED, printing each new status once; exit 5 at the deadline. */
  private Task waitForStop(Cluster cluster, Task task, Duration timeout, TaskDefinition td, String container,
      List<String> subnets, List<String> groups, List<String> command, List<Change> changes)
      throws InterruptedException {
    Instant deadline = clock.instant().plus(timeout);
    String last = task.lastStatus();
    while (true) {
      List<Task> described;
      try {
        String arn = task.taskArn();
        described = ecs.describeTasks(b -> b.cluster(cluster.clusterArn()).tasks(arn)).tasks();
      } catch (SdkException e) {
        throw AwsErrors.translate("ECS DescribeTasks for " + taskId(task.taskArn()), e);
      }
      if (!described.isEmpty()) {
        task = described.get(0);
      }
      if (!Objects.equals(task.lastStatus(), last)) {
        progress.info("task " + taskId(task.taskArn()) + ": " + last + " -> " + task.lastStatus());
        last = task.lastStatus();
      }
      if ("STOPPED".equals(task.lastStatus())) {
        return task;
      }
      Instant now = clock.instant();
      if (!now.isBefore(deadline)) {
        throw BerthException.timedOut("task " + taskId(task.taskArn()) + " did not stop within "
            + dev.berth.report.Durations.format(timeout) + " (last status " + task.lastStatus() + "); it is still "
            + "running: stop it with aws ecs stop-task --cluster " + cluster.clusterName() + " --task "
            + taskId(task.taskArn()) + " if it should not finish")
            .withResult(result(cluster, task, td, container, null, null, subnets, groups, command, true, changes));
      }
      Duration left = Duration.between(now, deadline);
      sleeper.sleep(left.compareTo(pollInterval) < 0 ? left : pollInterval);
    }
  }

  /**
   * The container whose exit code is the verdict: the named one; else the first essential container that did not
   * exit 0 (or never exited); else the first essential one.
   */
  static Container reported(Task task, List<String> essential, String named) {
    if (named != null) {
      return task.containers().stream().filter(c -> named.equals(c.name())).findFirst().orElse(null);
    }
    Container first = null;
    for (Container c : task.containers()) {
      if (!essential.contains(c.name())) {
        continue;
      }
      if (first == null) {
        first = c;
      }
      if (!Integer.valueOf(0).equals(c.exitCode())) {
        return c;
      }
    }
    return first;
  }

  private static boolean allEssentialExitedZero(Task task, List<String> essential) {
    return task.containers().stream().filter(c -> essential.contains(c.name()))
        .allMatch(c -> Integer.valueOf(0).equals(c.exitCode()));
  }

  private Result result(Cluster cluster, Task task, TaskDefinition td, String container, Container reported,
      TaskLogs.Lines lines, List<String> subnets, List<String> groups, List<String> command, boolean waited,
      List<Change> changes) {
    return new Result(cluster.clusterArn(), task.taskArn(), td.taskDefinitionArn(), container, task.lastStatus(),
        reported == null ? null : reported.exitCode(), task.stopCodeAsString(), task.stoppedReason(),
        lines == null ? null : lines.logStream(), lines == null || lines.problem() != null ? null : lines.lines(),
        subnets, groups, command, waited, null, changes);
  }

  /**
   * The task RunTask starts, as the plan shows it: what the request sets. Environment variables are named,
   * their values are not shown (they may be secrets).
   */
  private static Change plannedTask(Cluster cluster, TaskDefinition td, RunTaskRequest req, String container,
      Request r) {
    List<Change.Field> f = new ArrayList<>();
    f.add(Change.Field.set("taskDefinition", shortTd(td.taskDefinitionArn())));
    if (!req.capacityProviderStrategy().isEmpty()) {
      f.add(Change.Field.set("capacityProviderStrategy", req.capacityProviderStrategy().stream()
          .map(c -> c.capacityProvider() + ":" + c.weight() + ":" + c.base()).toList()));
    } else {
      f.add(Change.Field.set("launchType", req.launchTypeAsString()));
    }
    if (req.platformVersion() != null) {
      f.add(Change.Field.set("platformVersion", req.platformVersion()));
    }
    if (req.networkConfiguration() != null) {
      AwsVpcConfiguration n = req.networkConfiguration().awsvpcConfiguration();
      f.add(Change.Field.set("networkConfiguration.subnets", n.subnets()));
      f.add(Change.Field.set("networkConfiguration.securityGroups", n.securityGroups()));
      f.add(Change.Field.set("networkConfiguration.assignPublicIp", n.assignPublicIpAsString()));
    }
    if (r.command() != null) {
      f.add(Change.Field.set("containerOverrides[" + container + "].command", r.command()));
    }
    if (!r.environment().isEmpty()) {
      f.add(Change.Field.set("containerOverrides[" + container + "].environment",
          List.copyOf(r.environment().keySet())));
    }
    f.add(Change.Field.set("startedBy", req.startedBy()));
    return Change.create("ecs:task", cluster.clusterName() + "/(new task)", f);
  }

  private Cluster cluster(String name) {
    List<Cluster> clusters;
    try {
      clusters = ecs.describeClusters(b -> b.clusters(name)).clusters();
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeClusters for " + name, e);
    }
    return clusters.stream().filter(c -> "ACTIVE".equals(c.status())).findFirst().orElseThrow(() ->
        new InvalidInputException("--cluster", "cluster '" + name + "' not found (no ACTIVE cluster of that name or "
            + "ARN in this account and region)"));
  }

  private TaskDefinition taskDefinition(String name) {
    try {
      return ecs.describeTaskDefinition(b -> b.taskDefinition(name)).taskDefinition();
    } catch (ClientException e) {
      if (AwsErrors.isAccess(e)) {
        throw AwsErrors.translate("ECS DescribeTaskDefinition for " + name, e);
      }
      throw new InvalidInputException("--task-definition", "task definition '" + name + "' not found ("
          + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()) + ")");
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeTaskDefinition for " + name, e);
    }
  }

  static String shortTd(String arn) {
    return arn == null ? "?" : arn.substring(arn.lastIndexOf('/') + 1);
  }

  static String taskId(String arn) {
    return arn == null ? "?" : arn.substring(arn.lastIndexOf('/') + 1);
  }
}
