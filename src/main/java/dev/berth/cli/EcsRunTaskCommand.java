package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.NameValues;
import dev.berth.report.Violation;
import dev.berth.rollout.TaskLogs;
import dev.berth.step.EcsRunTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ecs-run-task}: a one-off task (migration, smoke test); its exit code is the verdict. */
@Command(name = "ecs-run-task", addMethodSubcommands = false,
    header = "Run a one-off task (migration, smoke test) from a service's definition and network; its exit code "
        + "is the verdict.", mixinStandardHelpOptions = true,
    description = {"Run a one-off ECS task from a service's current task definition and network configuration "
        + "(--service), or from a given task definition, subnets and security groups, with an optional command and "
        + "environment for one container. Everything is checked before RunTask (exit 3 lists every problem).",
        "Waits for the task to stop: exit 0 when its essential containers exited 0; 1 with the container, its exit "
            + "code, the stopped reason and the last lines of its CloudWatch Logs stream otherwise; 5 when "
            + "--timeout passes first (the task keeps running and is named). --no-wait returns once it started."},
    footer = {"", "Result keys: taskArn, exitCode, stoppedReason, logStream, logs (the last lines), container, "
        + "lastStatus, stopCode, taskDefinitionArn, subnets, securityGroups, command."})
public class EcsRunTaskCommand extends StepCommand {
  @Option(names = "--cluster", required = true, paramLabel = "NAME|ARN",
      description = "Cluster to run the task in (required; no default).")
  String cluster;

  @Option(names = "--service", paramLabel = "NAME|ARN",
      description = "Take the task definition and network configuration (subnets, security groups, public IP, "
          + "launch type) of this service (default: none; then give --task-definition and, for awsvpc, --subnets).")
  String service;

  @Option(names = "--task-definition", paramLabel = "FAMILY[:REV]|ARN",
      description = "Task definition to run (default: the --service's current one).")
  String taskDefinition;

  @Option(names = "--subnets", split = ",", paramLabel = "SUBNET",
      description = "Subnets of the task, at most 16 (default: the --service's).")
  String[] subnets = new String[0];

  @Option(names = "--security-groups", split = ",", paramLabel = "SG",
      description = "Security groups of the task, at most 5 (default: the --service's, else the VPC's default "
          + "group).")
  String[] securityGroups = new String[0];

  @Option(names = "--assign-public-ip", negatable = true, fallbackValue = "true",
      description = "Give the task a public IP (default: the --service's setting, else off).")
  Boolean assignPublicIp;

  @Option(names = "--container", paramLabel = "NAME",
      description = "Container that --command and --env apply to, and whose exit code is the verdict (default: "
          + "the only essential container; the verdict then covers every essential container).")
  String container;

  @Option(names = "--command", paramLabel = "COMMAND",
      description = "Command to run instead of the image's: words separated by spaces (npm run migrate), or a JSON "
          + "list for arguments with spaces ([\"sh\",\"-c\",\"migrate; seed\"]) (default: the image's command).")
  String command;

  @Option(names = "--env", paramLabel = "NAME=VALUE",
      description = "Environment variable for the container (repeatable, each name once; added to or replacing the task "
          + "definition's) (default: none).")
  List<String> env = new ArrayList<>();

  @Option(names = "--started-by", paramLabel = "TEXT",
      description = "The task's startedBy tag, up to 128 letters, digits, - / _ (default: berth).")
  String startedBy;

  @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Wait for the task to stop and make its exit code the verdict (default: --wait; --no-wait "
          + "returns once it started).")
  boolean waitForStop = true;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
      description = "How long --wait waits, e.g. 90s, 30m, 1h (default: ${DEFAULT-VALUE}); exit 5 after it, the task"
          + " keeps running.")
  Duration timeout;

  @Option(names = "--log-lines", paramLabel = "N", defaultValue = "20",
      description = "Return (and on failure print) the last N lines of the container's CloudWatch Logs stream "
          + "(awslogs) (default: ${DEFAULT-VALUE}; 0: none).")
  int logLines = TaskLogs.DEFAULT_LINES;

  @Option(names = "--dry-run",
      description = "Make only read calls and print the task that would run: task definition, launch type, network "
          + "and overrides (environment variables by name) (default: off). No RunTask call; the result has "
          + "\"dryRun\": true and \"changes\".")
  boolean dryRun;

  @Override
  protected Object execute(Context context) throws InterruptedException {
    List<Violation> v = new ArrayList<>();
    List<String> words = command(command, v);
    NameValues.Parsed parsedEnv = NameValues.parse(NameValues.ENV, env);
    v.addAll(parsedEnv.violations());
    Map<String, String> environment = parsedEnv.map();
    InvalidInputException.throwIfAny(v);
    EcsRunTask.Request request = new EcsRunTask.Request(cluster, service, taskDefinition, trimmed(subnets),
        trimmed(securityGroups), assignPublicIp, container, words, environment, startedBy, waitForStop, timeout,
        logLines, dryRun);
    return EcsRunTask.create(context.aws(), context.progress()).run(request);
  }

  /** The command's words: a JSON list of strings, or the text split on blanks; null when none is given. */
  static List<String> command(String text, List<Violation> v) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    if (t.startsWith("[")) {
      try {
        JsonNode n = Json.mapper().readTree(t);
        List<String> out = new ArrayList<>();
        boolean strings = n.isArray();
        for (JsonNode e : n) {
          strings &= e.isTextual();
          out.add(e.asText());
        }
        if (strings) {
          return out;
        }
      } catch (java.io.IOException e) {
        // reported below
      }
      v.add(Violation.error("--command", "starts with [ but is not a JSON list of strings: " + t));
      return null;
    }
    return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
  }

  private static List<String> trimmed(String[] values) {
    List<String> out = new ArrayList<>();
    for (String s : values) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
