package dev.berth.cli;

import dev.berth.report.Durations;
import dev.berth.step.EcsRegisterTask;
import dev.berth.taskdef.Overrides;
import dev.berth.taskdef.TaskDefinitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ecs-register-task}: a validated task definition, a new revision only when something changed. */
@Command(name = "ecs-register-task", addMethodSubcommands = false,
    header = "Register a validated task definition, image pinned by digest; an identical revision is reused.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Register an ECS task definition from a file and/or parameters. Everything is validated before any AWS"
            + " call (exit 3 lists every problem). The definition is compared with the latest ACTIVE revision of"
            + " the family; when nothing changed that revision is returned (registered: false) and nothing is"
            + " registered.",
        "Parameters alone build a one-container Fargate definition; with --file they override the file for the"
            + " container --container-name picks (a render step)."},
    footer = {"", "Result keys: taskDefinitionArn, family, revision, registered, containers (name -> image),"
        + " warnings, executionRoleArn, executionRoleCreated, logGroupsCreated; deregistered and keptInUse with"
        + " --keep-revisions."})
public class EcsRegisterTaskCommand extends StepCommand {
  @Option(names = "--file", paramLabel = "PATH",
      description = "Task definition JSON: what 'aws ecs register-task-definition --cli-input-json' takes, or the"
          + " output of 'aws ecs describe-task-definition' (read-only fields are dropped). Default: none"
          + " (parameters only).")
  Path file;

  @Option(names = "--family", paramLabel = "NAME",
      description = "Task definition family. Default: the file's family (required without a file).")
  String family;

  @Option(names = "--container-name", paramLabel = "NAME",
      description = "The container the parameters change (needed when the file has several). Default: the only"
          + " container; without a file, the family name.")
  String containerName;

  @Option(names = "--image", paramLabel = "REF",
      description = "Container image, best pinned by digest (repository@sha256:..., the image ecr-push returns)."
          + " Default: the file's image.")
  String image;

  @Option(names = "--cpu", paramLabel = "UNITS",
      description = "Task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384) or \"1 vCPU\". Default: the file's;"
          + " required for Fargate.")
  String cpu;

  @Option(names = "--memory", paramLabel = "MIB",
      description = "Task memory in MiB (or \"4 GB\"); must fit the Fargate table for --cpu. Default: the file's;"
          + " required for Fargate.")
  String memory;

  @Option(names = "--container-memory", paramLabel = "MIB",
      description = "Container memory hard limit in MiB (at most the task memory). Default: the file's, else none.")
  Integer containerMemory;

  @Option(names = "--container-memory-reservation", paramLabel = "MIB",
      description = "Container memory soft limit in MiB. Default: the file's, else none.")
  Integer containerMemoryReservation;

  @Option(names = "--port", paramLabel = "PORT[/tcp|udp]",
      description = "Container port to map (repeatable), 1-65535, tcp unless /udp. Added to the file's. Default:"
          + " none.")
  List<String> ports = new ArrayList<>();

  @Option(names = "--env", paramLabel = "NAME=VALUE",
      description = "Plain environment variable (repeatable, each name once; replaces the file's variable of the"
          + " same name). Names that look like secrets draw a warning: use --secret. Default: none.")
  List<String> env = new ArrayList<>();

  @Option(names = "--secret", paramLabel = "NAME=ARN",
      description = "Environment variable ECS injects from an SSM parameter or Secrets Manager ARN (repeatable, each"
          + " name once). Default: none.")
  List<String> secrets = new ArrayList<>();

  @Option(names = "--volume", paramLabel = "NAME",
      description = "Bind volume on the task's storage (repeatable). Default: none.")
  List<String> volumes = new ArrayList<>();

  @Option(names = "--efs-volume", paramLabel = "NAME=FS_ID[:ACCESS_POINT]",
      description = "EFS volume with transit encryption and IAM authorization on, which mounts with the task role:"
          + " needs --task-role-arn (repeatable). Default: none.")
  List<String> efsVolumes = new ArrayList<>();

  @Option(names = "--mount", paramLabel = "VOLUME:/container/path[:ro]",
      description = "Mount a volume into the container (repeatable), read-write unless :ro. Default: none.")
  List<String> mounts = new ArrayList<>();

  @Option(names = "--execution-role-arn", paramLabel = "ARN",
      description = "Role ECS uses to pull the image, write logs and read secrets. Default: the file's; else, when"
          + " the definition needs one (Fargate with an ECR image, awslogs or secrets), the account's"
          + " ecsTaskExecutionRole, created with the managed policy AmazonECSTaskExecutionRolePolicy when missing.")
  String executionRoleArn;

  @Option(names = "--create-roles", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Create ecsTaskExecutionRole when the definition needs an execution role and the account has"
          + " none; --no-create-roles makes that exit 3 before any change. Default: on.")
  boolean createRoles = true;

  @Option(names = "--task-role-arn", paramLabel = "ARN",
      description = "Role the application's AWS calls use. Default: the file's, else none.")
  String taskRoleArn;

  @Option(names = "--log-group", paramLabel = "NAME",
      description = "Send the container's output to this CloudWatch Logs group (awslogs driver, this region,"
          + " stream prefix ecs); created when missing. Default: the file's logging, else /ecs/FAMILY.")
  String logGroup;

  @Option(names = "--logs", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Give Fargate containers without a logConfiguration the awslogs driver (group /ecs/FAMILY,"
          + " created when missing, stream prefix ecs), as the console does; --no-logs leaves them without"
          + " logging. Default: on.")
  boolean logs = true;

  @Option(names = "--cpu-architecture", paramLabel = "X86_64|ARM64",
      description = "CPU architecture of the task (runtimePlatform). Default: the file's, else X86_64.")
  String cpuArchitecture;

  @Option(names = "--health-check", paramLabel = "CMD",
      description = "Container health check command, run with CMD-SHELL (or a JSON list such as"
          + " [\"CMD\",\"/bin/check\"]). Default: the file's, else none.")
  String healthCheck;

  @Option(names = "--health-check-interval", paramLabel = "DURATION",
      description = "Time between health checks, 5s-300s. Default: 30s (ECS).")
  Duration healthCheckInterval;

  @Option(names = "--health-check-timeout", paramLabel = "DURATION",
      description = "Time a health check may take, 2s-60s. Default: 5s (ECS).")
  Duration healthCheckTimeout;

  @Option(names = "--health-check-retries", paramLabel = "N",
      description = "Failed checks before the container is unhealthy, 1-10. Default: 3 (ECS).")
  Integer healthCheckRetries;

  @Option(names = "--health-check-start-period", paramLabel = "DURATION",
      description = "Grace time before failed checks count, 0s-300s. Default: 0s (ECS).")
  Duration healthCheckStartPeriod;

  @Option(names = "--keep-revisions", paramLabel = "N",
      description = "Deregister ACTIVE revisions of the family older than the newest N (never one a service"
          + " still uses). Default: keep all.")
  Integer keepRevisions;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
      description = "Deadline for the whole step (validation, comparison, registration, pruning), e.g. 90s, 10m, 1h; exit 5 after it. Default: ${DEFAULT-VALUE}.")
  java.time.Duration timeout;

  @Option(names = "--dry-run",
      description = "Make only read calls and print the plan: what would be registered (a task-definition diff by field against the latest revision), created (log group) or deregistered. The result has \"dryRun\": true and \"changes\", the list a real run applies. Default: off.")
  boolean dryRun;

  @Override
  protected java.time.Duration deadline() {
    return timeout;
  }

  @Override
  protected Object execute(Context context) {
    Overrides overrides = Overrides.builder()
        .family(family).containerName(containerName).image(image).cpu(cpu).memory(memory)
        .containerMemory(containerMemory).containerMemoryReservation(containerMemoryReservation)
        .ports(ports).env(env).secrets(secrets).volumes(volumes).efsVolumes(efsVolumes).mounts(mounts)
        .executionRoleArn(executionRoleArn).taskRoleArn(taskRoleArn).logGroup(logGroup)
        .cpuArchitecture(cpuArchitecture).healthCheck(healthCheck)
        .healthCheckInterval(Durations.wholeSeconds(healthCheckInterval, "--health-check-interval"))
        .healthCheckTimeout(Durations.wholeSeconds(healthCheckTimeout, "--health-check-timeout"))
        .healthCheckRetries(healthCheckRetries)
        .healthCheckStartPeriod(Durations.wholeSeconds(healthCheckStartPeriod, "--health-check-start-period"))
        .logs(logs).build();
    EcsRegisterTask.Request request;
    if (file != null) {
      request = EcsRegisterTask.Request.fromFile(TaskDefinitions.readFile(file, "--file"),
          file.getFileName().toString(), overrides);
    } else {
      request = EcsRegisterTask.Request.fromParameters(overrides);
    }
    return new EcsRegisterTask(context.aws(), context.progress()).run(request.withKeepRevisions(keepRevisions)
        .withCreateRoles(createRoles).withDryRun(dryRun));
  }
}
