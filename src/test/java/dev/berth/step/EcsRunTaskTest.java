package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.ExitCodes;
import dev.berth.report.BerthException;
import dev.berth.report.InvalidInputException;
import dev.berth.rollout.SdkJson;
import dev.berth.testbed.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.DescribeClustersRequest;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;

/**
 * ecs-run-task's waiting path on recorded responses (src/test/resources/runtask/, in the shapes of the ECS and
 * CloudWatch Logs API references): RunTask, then DescribeTasks PENDING -> RUNNING -> STOPPED, the task
 * definition's awslogs configuration, GetLogEvents. Time is a clock the sleeper advances; nothing sleeps.
 */
class EcsRunTaskTest {
  static final String STREAM = "ecs/gantt-exporter-container/5f0b2e1c9d8a4b7e8c6d5a4b3c2d1e0f";

  /** ECS and CloudWatch Logs answering from a recording; every call is listed. */
  static final class Recorded {
    final JsonNode rec;
    final List<String> calls = new ArrayList<>();
    final List<RunTaskRequest> runs = new ArrayList<>();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T10:00:00Z"));
    int polls;
    boolean logsBuilt;

    Recorded(String name) {
      rec = SdkJson.resource("/runtask/" + name + ".json");
    }

    EcsClient ecs() {
      return new EcsClient() {
        @Override
        public DescribeClustersResponse describeClusters(DescribeClustersRequest r) {
          calls.add("DescribeClusters " + r.clusters());
          return DescribeClustersResponse.builder().clusters(Cluster.builder().clusterName("gantt")
              .clusterArn("arn:aws:ecs:us-east-2:123456789012:cluster/gantt").status("ACTIVE").build()).build();
        }

        @Override
        public DescribeServicesResponse describeServices(DescribeServicesRequest r) {
          calls.add("DescribeServices " + r.services());
          return SdkJson.parse(rec.get("describeServices"), DescribeServicesResponse.class);
        }

        @Override
        public DescribeTaskDefinitionResponse describeTaskDefinition(DescribeTaskDefinitionRequest r) {
          calls.add("DescribeTaskDefinition " + r.taskDefinition());
          return SdkJson.parse(rec.get("describeTaskDefinition"), DescribeTaskDefinitionResponse.class);
        }

        @Override
        public RunTaskResponse runTask(RunTaskRequest r) {
          calls.add("RunTask");
          runs.add(r);
          return SdkJson.parse(rec.get("runTask"), RunTaskResponse.class);
        }

        @Override
        public DescribeTasksResponse describeTasks(DescribeTasksRequest r) {
          calls.add("DescribeTasks " + r.tasks());
          JsonNode seq = rec.get("describeTasks");
          return SdkJson.parse(seq.get(Math.min(polls++, seq.size() - 1)), DescribeTasksResponse.class);
        }

        @Override
        public String serviceName() {
          return "ecs";
        }

        @Override
        public void close() {}
      };
    }

    CloudWatchLogsClient logs() {
      logsBuilt = true;
      return new CloudWatchLogsClient() {
        @Override
        public GetLogEventsResponse getLogEvents(GetLogEventsRequest r) {
          calls.add("GetLogEvents " + r.logGroupName() + " " + r.logStreamName() + " limit=" + r.limit());
          JsonNode n = rec.path("getLogEvents").get(r.logStreamName());
          if (n == null) {
            throw ResourceNotFoundException.builder().message("The specified log stream does not exist.").build();
          }
          return SdkJson.parse(n, GetLogEventsResponse.class);
        }

        @Override
        public String serviceName() {
          return "logs";
        }

        @Override
        public void close() {}
      };
    }

    EcsRunTask step() {
      return new EcsRunTask(ecs(), this::logs, "us-east-2", new RecordingProgress(), clock, clock::advance,
          Duration.ofSeconds(6));
    }
  }

  static EcsRunTask.Request migrate(boolean wait, Duration timeout) {
    return new EcsRunTask.Request("gantt", "gantt-exporter", null, List.of(), List.of(), null, null,
        List.of("npm", "run", "migrate"), Map.of("MIGRATE_ONLY", "1"), null, wait, timeout, 20);
  }

  @Test
  void run_whenTheContainerExits0_isOkWithItsLastLogLines() throws InterruptedException {
    Recorded aws = new Recorded("migrate");
    EcsRunTask.Result r = aws.step().run(migrate(true, Duration.ofMinutes(30)));
    assertEquals(0, r.exitCode());
    assertEquals("STOPPED", r.lastStatus());
    assertEquals("gantt-exporter-container", r.container());
    assertEquals("Essential container in task exited", r.stoppedReason());
    assertEquals(STREAM, r.logStream());
    assertEquals(List.of("> gantt-exporter@2.3.0 migrate", "applying 0042_add_export_jobs.sql",
        "migrations done: 1 applied"), r.logs());
    // the service's network and launch type, the command and environment for the one container
    RunTaskRequest run = aws.runs.get(0);
    assertEquals(List.of("subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"),
        run.networkConfiguration().awsvpcConfiguration().subnets());
    assertEquals(List.of("sg-0123456789abcdef0"), run.networkConfiguration().awsvpcConfiguration().securityGroups());
    assertEquals("ENABLED", run.networkConfiguration().awsvpcConfiguration().assignPublicIpAsString());
    assertEquals("FARGATE", run.launchTypeAsString());
    assertEquals("arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-exporter-ecs-task:7", run.taskDefinition());
    assertEquals(List.of("npm", "run", "migrate"), run.overrides().containerOverrides().get(0).command());
    assertEquals("MIGRATE_ONLY", run.overrides().containerOverrides().get(0).environment().get(0).name());
    assertEquals("berth", run.startedBy());
    assertEquals(3, aws.polls, "PENDING, RUNNING, STOPPED: one DescribeTasks per poll");
    assertEquals(aws.calls.indexOf("RunTask") + 1, aws.calls.indexOf(aws.calls.stream()
        .filter(c -> c.startsWith("DescribeTasks")).findFirst().orElseThrow()));
  }

  @Test
  void run_whenTheContainerExitsNonZero_failsWithExit1NamingCodeReasonAndLogs() {
    Recorded aws = new Recorded("migrate-fails");
    BerthException e = assertThrows(BerthException.class, () -> aws.step().run(migrate(true, Duration.ofMinutes(30))));
    assertEquals(1, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("container gantt-exporter-container exit code 3"), e.getMessage());
    assertTrue(e.getMessage().contains("stopped reason: Essential container in task exited"), e.getMessage());
    assertTrue(e.getMessage().contains("last line: ERROR: relation \"export_jobs\" already exists"), e.getMessage());
    EcsRunTask.Result r = (EcsRunTask.Result) e.result();
    assertEquals(3, r.exitCode());
    assertEquals(STREAM, r.logStream());
    assertEquals("ERROR: relation \"export_jobs\" already exists", r.logs().get(2));
  }

  @Test
  void run_whenTheTaskDoesNotStopInTime_timesOutWithExit5AndNamesTheTask() {
    Recorded aws = new Recorded("migrate");
    ((com.fasterxml.jackson.databind.node.ArrayNode) aws.rec.get("describeTasks")).remove(2); // never STOPPED
    BerthException e = assertThrows(BerthException.class, () -> aws.step().run(migrate(true, Duration.ofSeconds(60))));
    assertEquals(5, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("task 5f0b2e1c9d8a4b7e8c6d5a4b3c2d1e0f did not stop within 1m"), e.getMessage());
    assertEquals("RUNNING", ((EcsRunTask.Result) e.result()).lastStatus());
    assertEquals(Instant.parse("2026-11-20T10:01:00Z"), aws.clock.instant(), "waited exactly the timeout, never past it");
    assertTrue(!aws.logsBuilt, "no logs read for a task that did not stop");
  }

  @Test
  void requestToString_whenEnvironmentHasValues_namesTheVariablesOnly() {
    EcsRunTask.Request r = new EcsRunTask.Request("gantt", "gantt-exporter", null, List.of(), List.of(), null,
        "migrate", List.of("npm", "run", "migrate"), Map.of("DB_PASSWORD", "SENTINELrequestEnv0001"), null, true,
        null, 20);
    String text = r.toString();
    assertTrue(!text.contains("SENTINELrequestEnv0001"), text);
    assertTrue(text.contains("environment=[DB_PASSWORD] (values not shown)") && text.contains("cluster=gantt")
        && text.contains("command=[npm, run, migrate]"), text);
  }

  @Test
  void run_withoutWait_returnsOnceStartedAndReadsNoLogs() throws InterruptedException {
    Recorded aws = new Recorded("migrate");
    EcsRunTask.Result r = aws.step().run(migrate(false, null));
    assertEquals("PROVISIONING", r.lastStatus());
    assertNull(r.exitCode());
    assertEquals(0, aws.polls);
    assertTrue(!aws.logsBuilt);
  }

  @Test
  void run_whenInputIsWrong_reportsEveryProblemBeforeRunTask() {
    Recorded aws = new Recorded("migrate");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> aws.step().run(
        new EcsRunTask.Request("gantt", null, "gantt-exporter-ecs-task", List.of(), List.of("not-a-group"), null, "web",
            List.of("x"), Map.of(), null, true, null, 20)));
    String m = e.getMessage();
    assertTrue(m.contains("--security-groups: 'not-a-group' is not a security group id"), m);
    InvalidInputException e2 = assertThrows(InvalidInputException.class, () -> aws.step().run(
        new EcsRunTask.Request("gantt", null, "gantt-exporter-ecs-task", List.of(), List.of(), null, "web",
            List.of("x"), Map.of(), null, true, null, 20)));
    assertTrue(e2.getMessage().contains("--container: task definition gantt-exporter-ecs-task:7 has no container 'web'"),
        e2.getMessage());
    assertTrue(e2.getMessage().contains("--subnets: task definition gantt-exporter-ecs-task:7 uses the awsvpc network"),
        e2.getMessage());
    assertEquals(0, aws.runs.size(), "nothing was started");
  }

  @Test
  void run_whenEcsStartsNoTask_failsWithTheFailureReason() {
    Recorded aws = new Recorded("migrate");
    ((ObjectNode) aws.rec).set("runTask", SdkJson.resource("/runtask/migrate.json").get("runTask").deepCopy());
    ObjectNode rt = (ObjectNode) aws.rec.get("runTask");
    rt.putArray("tasks");
    rt.putArray("failures").addObject().put("arn", "arn:aws:ecs:us-east-2:123456789012:cluster/gantt")
        .put("reason", "Capacity is unavailable at this time. Please try again later or in a different availability "
            + "zone");
    BerthException e = assertThrows(BerthException.class, () -> aws.step().run(migrate(true, null)));
    assertEquals(1, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("ECS started no task of gantt-exporter-ecs-task:7: Capacity is unavailable"),
        e.getMessage());
  }
}
