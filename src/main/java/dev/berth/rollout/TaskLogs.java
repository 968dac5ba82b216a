package dev.berth.rollout;

import dev.berth.aws.AwsErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * The last lines a stopped task's essential containers wrote to CloudWatch Logs through the {@code awslogs}
 * driver, for failure verdicts. The stream of a container is {@code PREFIX/CONTAINER/TASK_ID} (the
 * {@code awslogs-stream-prefix} option, the container's name, the task's id; "Using the awslogs log driver",
 * Amazon ECS developer guide) in the group of the {@code awslogs-group} option; it is read with GetLogEvents
 * ({@code startFromHead=false}, {@code limit=N}: the newest N events, oldest first).
 *
 * <p>The CloudWatch Logs client is asked for only when a container has an awslogs stream to read, so a
 * successful run (or a task without awslogs) never builds it. Nothing here fails the caller: a stream that
 * does not exist (the container never started), a refused call or another region become a {@link Lines#problem()}.
 */
public final class TaskLogs {
  /** Default number of lines per container. */
  public static final int DEFAULT_LINES = 20;
  /** At most this many characters of one log line are kept. */
  static final int MAX_LINE = 2000;
  /** GetLogEvents returns at most 10,000 events. */
  public static final int MAX_LINES = 10_000;

  /**
   * The lines of one container of one task, oldest first; {@code problem} says why there are none (or is null).
   */
  public record Lines(String taskArn, String container, String logGroup, String logStream, List<String> lines,
      String problem) {
    public Lines {
      lines = lines == null ? List.of() : List.copyOf(lines);
    }

    /** The task's id (the last part of its ARN). */
    public String taskId() {
      return taskId(taskArn);
    }

    static String taskId(String arn) {
      return arn == null ? "?" : arn.substring(arn.lastIndexOf('/') + 1);
    }

    /**
     * One reason entry: a heading line and the log lines indented below it, or the problem:
     * {@code logs of container web (task 0a1b, /ecs/web ecs/web/0a1b), last 3 lines:\n    line ...}.
     */
    public String render() {
      String where = "container " + container + " (task " + taskId() + (logStream == null ? ""
          : ", " + logGroup + " " + logStream) + ")";
      if (problem != null) {
        return "logs of " + where + ": " + problem;
      }
      if (lines.isEmpty()) {
        return "logs of " + where + ": the stream has no events";
      }
      StringBuilder b = new StringBuilder("logs of " + where + ", last " + lines.size()
          + (lines.size() == 1 ? " line:" : " lines:"));
      for (String l : lines) {
        b.append("\n    ").append(l);
      }
      return b.toString();
    }
  }

  private final EcsClient ecs;
  private final Supplier<CloudWatchLogsClient> logs;
  private final String region;
  private final int lines;
  private final Map<String, TaskDefinition> definitions = new HashMap<>();

  /**
   * @param ecs for DescribeTaskDefinition (the containers' essential flag and log configuration)
   * @param logs the CloudWatch Logs client, asked for on first use (may supply null: no logs)
   * @param region the client's region, or null when unknown: a stream in another region is named, not read
   * @param lines lines per container, 1 to {@value #MAX_LINES}
   */
  public TaskLogs(EcsClient ecs, Supplier<CloudWatchLogsClient> logs, String region, int lines) {
    this.ecs = Objects.requireNonNull(ecs);
    this.logs = Objects.requireNonNull(logs);
    this.region = region;
    if (lines < 1 || lines > MAX_LINES) {
      throw new IllegalArgumentException("lines must be 1-" + MAX_LINES + ", not " + lines);
    }
    this.lines = lines;
  }

  /** The essential containers' lines of each task, in the order of the tasks. */
  public List<Lines> of(List<Task> tasks) {
    List<Lines> out = new ArrayList<>();
    for (Task t : tasks) {
      out.addAll(of(t));
    }
    return out;
  }

  /** The essential containers' lines of one task. */
  public List<Lines> of(Task task) {
    TaskDefinition td;
    try {
      td = definition(task.taskDefinitionArn());
    } catch (SdkException e) {
      return List.of(new Lines(task.taskArn(), "?", null, null, List.of(), "could not read task definition "
          + RolloutWatcher.shortTd(task.taskDefinitionArn()) + ": " + AwsErrors.translate(
              "ECS DescribeTaskDefinition", e).getMessage()));
    }
    List<Lines> out = new ArrayList<>();
    for (ContainerDefinition c : td.containerDefinitions()) {
      if (Boolean.FALSE.equals(c.essential())) {
        continue;
      }
      out.add(read(task, c));
    }
    return out;
  }

  private TaskDefinition definition(String arn) {
    TaskDefinition td = definitions.get(arn);
    if (td == null) {
      td = ecs.describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition();
      definitions.put(arn, td);
    }
    return td;
  }

  /** The awslogs stream of container {@code c} in {@code task}, or why there is none. */
  static String[] stream(Task task, ContainerDefinition c) {
    LogConfiguration lc = c.logConfiguration();
    if (lc == null || !"awslogs".equals(lc.logDriverAsString())) {
      return null;
    }
    Map<String, String> o = lc.options();
    String group = o.get("awslogs-group");
    String prefix = o.get("awslogs-stream-prefix");
    if (group == null || prefix == null || prefix.isBlank()) {
      return new String[] {group, null, o.get("awslogs-region")};
    }
    return new String[] {group, prefix + "/" + c.name() + "/" + Lines.taskId(task.taskArn()), o.get("awslogs-region")};
  }

  private Lines read(Task task, ContainerDefinition c) {
    String[] s = stream(task, c);
    if (s == null) {
      return new Lines(task.taskArn(), c.name(), null, null, List.of(), "no awslogs log configuration (its output "
          + "is not in CloudWatch Logs)");
    }
    String group = s[0];
    String stream = s[1];
    if (group == null || stream == null) {
      return new Lines(task.taskArn(), c.name(), group, null, List.of(), "awslogs without awslogs-group and "
          + "awslogs-stream-prefix: the stream name is not known");
    }
    if (region != null && s[2] != null && !s[2].equals(region)) {
      return new Lines(task.taskArn(), c.name(), group, stream, List.of(), "the stream is in region " + s[2]
          + ", not " + region + "; read it there");
    }
    CloudWatchLogsClient client = logs.get();
    if (client == null) {
      return new Lines(task.taskArn(), c.name(), group, stream, List.of(), "not read");
    }
    try {
      List<OutputLogEvent> events = client.getLogEvents(b -> b.logGroupName(group).logStreamName(stream)
          .startFromHead(false).limit(lines)).events();
      List<String> text = new ArrayList<>();
      int from = Math.max(0, events.size() - lines);
      for (OutputLogEvent e : events.subList(from, events.size())) {
        text.add(line(e.message()));
      }
      return new Lines(task.taskArn(), c.name(), group, stream, text, null);
    } catch (ResourceNotFoundException e) {
      return new Lines(task.taskArn(), c.name(), group, stream, List.of(), "no such log stream (the container "
          + "wrote nothing, or never started)");
    } catch (SdkException e) {
      return new Lines(task.taskArn(), c.name(), group, stream, List.of(), "could not read: "
          + AwsErrors.translate("CloudWatch Logs GetLogEvents", e).getMessage());
    }
  }

  /** One event as one bounded line: trailing line breaks dropped, inner ones shown as \n. */
  static String line(String message) {
    String m = message == null ? "" : message.replaceAll("[\r\n]+$", "").replace("\r", "").replace("\n", "\\n");
    return m.length() > MAX_LINE ? m.substring(0, MAX_LINE) + "..." : m;
  }
}
