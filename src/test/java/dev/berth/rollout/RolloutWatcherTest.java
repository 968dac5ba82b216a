package dev.berth.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.ExitCodes;
import dev.berth.report.BerthException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The watcher against recorded DescribeServices / ListTasks / DescribeTasks / DescribeTargetHealth sequences
 * (src/test/resources/rollout/*.json, in the shapes of the ECS and ELBv2 API references). Time is a clock the
 * sleeper advances; nothing sleeps.
 */
class RolloutWatcherTest {
  static final String OURS = "ecs-svc/4316790512349875123";
  static final Duration POLL = Duration.ofSeconds(15);

  record Watched(Rollout rollout, RecordedAws aws, RecordingProgress progress) {
    int exitCode() {
      return ExitCodes.of(rollout.verdict().outcome());
    }

    String reasons() {
      return String.join("\n", rollout.reasons());
    }
  }

  static Watched watch(String recording, String deploymentId, Duration timeout) {
    RecordedAws aws = new RecordedAws(recording);
    RecordingProgress progress = new RecordingProgress();
    RolloutWatcher w = new RolloutWatcher(aws.ecs(), aws.elb(), progress, aws.clock, aws.sleeper(), POLL);
    Rollout r = w.watch("shop", "gantt-exporter", deploymentId, timeout);
    System.out.println("--- " + recording + " -> " + r.verdict() + "\n" + progress.text());
    return new Watched(r, aws, progress);
  }

  @Test
  void watch_whenOurDeploymentCompletes_isCompletedWithExit0AndPrintsEachEventOnce() {
    Watched w = watch("success", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.COMPLETED, w.rollout().verdict(), w.progress().text());
    assertEquals(0, w.exitCode());
    assertEquals("COMPLETED", w.rollout().rolloutState());
    assertEquals(2, w.rollout().runningCount());
    assertEquals(2, w.rollout().desiredCount());
    assertTrue(w.rollout().taskDefinitionArn().endsWith("gantt-exporter-ecs-task:7"));
    assertEquals(List.of(), w.rollout().reasons());
    assertEquals(5, w.aws().polls());
    // the event from before our deployment is history, not news
    assertEquals(0, w.progress().count("2026-11-19"));
    assertEquals(0, w.progress().count("has reached a steady state.") - 1);
    assertEquals(1, w.progress().count("has started 2 tasks"));
    assertEquals(1, w.progress().count("registered 2 targets"));
    // counts print only when they change: polls 1 and 2 are identical
    assertEquals(1, w.progress().count("0/2 running, 2 pending, rolloutState IN_PROGRESS"));
    assertEquals(1, w.progress().count("2/2 running, 0 pending, rolloutState IN_PROGRESS"));
    assertEquals(1, w.progress().count("2/2 running, 0 pending, rolloutState COMPLETED"));
    assertEquals(0, w.progress().count("WARN"));
    // success reads no stopped tasks and no target health
    assertFalse(w.aws().calls.stream().anyMatch(c -> c.startsWith("ListTasks") || c.startsWith("DescribeTargetHealth")));
    assertEquals(List.of(POLL, POLL, POLL, POLL), w.aws().sleeps);
  }

  @Test
  void watch_whenOldDeploymentStillDrains_doesNotCompleteEarly() {
    // poll 4 has ours COMPLETED-looking counts while the old deployment is still listed
    Watched w = watch("success", OURS, Duration.ofMinutes(15));
    assertTrue(w.progress().text().indexOf("has stopped 2 running tasks") < w.progress().text().indexOf("rollout COMPLETED"));
  }

  @Test
  void watch_whenCircuitBreakerRollsBack_isRolledBackWithExit1AndTheCrashReasons() {
    Watched w = watch("rollback", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.ROLLED_BACK, w.rollout().verdict(), w.progress().text());
    assertEquals(1, w.exitCode());
    assertEquals("FAILED", w.rollout().rolloutState());
    assertEquals("ECS deployment circuit breaker: tasks failed to start.", w.rollout().rolloutStateReason());
    assertEquals("ecs-svc/5555555555555555555", w.rollout().supersededBy());
    assertTrue(w.reasons().contains("rolled back to task definition gantt-exporter-ecs-task:6"), w.reasons());
    assertTrue(w.reasons().contains("2 tasks stopped: Essential container in task exited [EssentialContainerExited];"
        + " container gantt-exporter-container exit code 1"), w.reasons());
    // the old deployment's stopped task is not ours
    assertFalse(w.reasons().contains("Scaling activity"), w.reasons());
    assertEquals(1, w.progress().count("rolling back to deployment"));
    assertTrue(w.progress().text().contains("WARN rollout ROLLED_BACK"), w.progress().text());
    assertTrue(w.progress().text().contains("WARN   2 tasks stopped: Essential container in task exited"));
    BerthException e = w.rollout().failure("gantt-exporter");
    assertEquals(1, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("ROLLED_BACK"), e.getMessage());
  }

  @Test
  void watch_whenTasksNeverPassHealthChecks_timesOutWithExit5AndUnhealthyTargets() {
    Watched w = watch("unhealthy", OURS, Duration.ofMinutes(10));
    assertEquals(Verdict.TIMED_OUT, w.rollout().verdict(), w.progress().text());
    assertEquals(5, w.exitCode());
    assertTrue(w.reasons().contains("no verdict within 10m: 2 of 2 tasks running, rolloutState IN_PROGRESS"), w.reasons());
    assertTrue(w.reasons().contains("2 tasks stopped: Task failed ELB health checks in (target-group"), w.reasons());
    assertTrue(w.reasons().contains("container gantt-exporter-container exit code 137"), w.reasons());
    assertTrue(w.reasons().contains("target group shop-gantt-exporter-tg: target 10.0.1.23:80 unhealthy "
        + "(Target.ResponseCodeMismatch: Health checks failed with these codes: [404])"), w.reasons());
    assertTrue(w.reasons().contains("target 10.0.2.17:80 initial (Elb.RegistrationInProgress"), w.reasons());
    assertFalse(w.reasons().contains("10.0.1.99"), "healthy targets are not reasons: " + w.reasons());
    assertEquals(1, w.progress().count("is unhealthy in (target-group"));
    // 10 minutes at 15 s: 40 sleeps, never past the deadline
    assertEquals(Duration.ofMinutes(10), w.aws().sleeps.stream().reduce(Duration.ZERO, Duration::plus));
    assertEquals(Verdict.TIMED_OUT.outcome(), w.rollout().failure("gantt-exporter").outcome());
  }

  @Test
  void watch_whenImageCannotBePulled_isFailedWithExit1AndThePullError() {
    Watched w = watch("pull", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.FAILED, w.rollout().verdict(), w.progress().text());
    assertEquals(1, w.exitCode());
    assertEquals(2, w.aws().polls(), "no rollback configured: no waiting for one");
    assertTrue(w.reasons().startsWith("3 tasks stopped: CannotPullContainerError: pull image manifest has been retried"),
        w.reasons());
    assertTrue(w.reasons().contains("opensourceapirepo:v8: not found [TaskFailedToStart]"), w.reasons());
    assertTrue(w.progress().text().contains("WARN   3 tasks stopped: CannotPullContainerError"), w.progress().text());
  }

  @Test
  void watch_whenSecretCannotBeRead_isFailedAfterWaitingBrieflyForARollbackThatCannotCome() {
    Watched w = watch("secret", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.FAILED, w.rollout().verdict(), w.progress().text());
    assertEquals(1, w.exitCode());
    assertEquals(2 + RolloutWatcher.ROLLBACK_GRACE_POLLS, w.aws().polls());
    assertTrue(w.reasons().startsWith("2 tasks stopped: ResourceInitializationError: unable to pull secrets or registry auth"),
        w.reasons());
    assertTrue(w.reasons().contains("secretsmanager:GetSecretValue"), w.reasons());
    assertTrue(w.rollout().failure("gantt-exporter").getMessage()
        .contains("FAILED: ECS deployment circuit breaker: tasks failed to start.; 2 tasks stopped: ResourceInitializationError"));
  }

  @Test
  void watch_whenTheDeadlinePasses_isTimedOutWithExit5AndCounts() {
    Watched w = watch("timeout", OURS, Duration.ofSeconds(100));
    assertEquals(Verdict.TIMED_OUT, w.rollout().verdict());
    assertEquals(5, w.exitCode());
    assertEquals(1, w.rollout().runningCount());
    assertEquals(List.of("no verdict within 1m40s: 1 of 2 tasks running, rolloutState IN_PROGRESS"), w.rollout().reasons());
    // the last nap is cut to the deadline
    assertEquals(List.of(POLL, POLL, POLL, POLL, POLL, POLL, Duration.ofSeconds(10)), w.aws().sleeps);
    assertFalse(w.aws().calls.stream().anyMatch(c -> c.startsWith("DescribeTargetHealth")), "no target groups");
    assertEquals(1, w.progress().count("1/2 running"));
  }

  @Test
  void watch_whenAnotherDeploymentReplacesOurs_isSupersededWithExit1NamingIt() {
    Watched w = watch("superseded", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.SUPERSEDED, w.rollout().verdict(), w.progress().text());
    assertEquals(1, w.exitCode());
    assertEquals("ecs-svc/9999999999999999999", w.rollout().supersededBy());
    assertEquals(2, w.aws().polls(), "decided as soon as ours was replaced, not after the other one finished");
    assertTrue(w.reasons().contains("deployment ecs-svc/9999999999999999999 (task definition gantt-exporter-ecs-task:8)"
        + " replaced deployment " + OURS), w.reasons());
    assertTrue(w.rollout().failure("gantt-exporter").getMessage().contains("SUPERSEDED: replaced by deployment ecs-svc/9999"));
  }

  @Test
  void watch_ofADeploymentThatStartedLongAgo_printsOnlyNewEvents() {
    RecordedAws aws = new RecordedAws("success");
    aws.clock.advance(Duration.ofHours(2));
    RecordingProgress progress = new RecordingProgress();
    Rollout r = new RolloutWatcher(aws.ecs(), aws.elb(), progress, aws.clock, aws.sleeper(), POLL)
        .watch("shop", "gantt-exporter", null, Duration.ofMinutes(15));
    assertEquals(Verdict.COMPLETED, r.verdict());
    // what was already there at the first poll is history; what arrives while watching is news
    assertEquals(0, progress.count("has started 2 tasks"), progress.text());
    assertEquals(1, progress.count("registered 2 targets"), progress.text());
  }

  @Test
  void watch_whenOurDeploymentIsAlreadyGoneAfterTheRollback_isRolledBackFromTheEvents() {
    Watched w = watch("rollback-gone", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.ROLLED_BACK, w.rollout().verdict(), w.progress().text());
    assertEquals(1, w.exitCode());
    assertEquals("ecs-svc/5555555555555555555", w.rollout().supersededBy());
    assertTrue(w.reasons().contains("2 tasks stopped: Essential container in task exited"), w.reasons());
  }

  @Test
  void watch_whenTheServiceIsDeleted_isFailed() {
    Watched w = watch("deleted", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.FAILED, w.rollout().verdict());
    assertTrue(w.reasons().contains("service gantt-exporter in cluster shop is DRAINING"), w.reasons());
  }

  @Test
  void watch_withoutDeploymentId_followsThePrimaryDeployment() {
    Watched w = watch("success", null, Duration.ofMinutes(15));
    assertEquals(Verdict.COMPLETED, w.rollout().verdict());
    assertEquals(OURS, w.rollout().deploymentId());
  }

  @Test
  void watch_whenDeploymentIdIsUnknown_isFailedNamingIt() {
    Watched w = watch("success", "ecs-svc/0", Duration.ofMinutes(15));
    assertEquals(Verdict.FAILED, w.rollout().verdict());
    assertTrue(w.reasons().contains("deployment ecs-svc/0 is not one of the deployments"), w.reasons());
    assertNull(w.rollout().supersededBy());
  }

  @Test
  void watch_whenInterrupted_restoresTheFlagAndFails() {
    RecordedAws aws = new RecordedAws("timeout");
    RolloutWatcher w = new RolloutWatcher(aws.ecs(), null, new RecordingProgress(), aws.clock, d -> {
      throw new InterruptedException();
    }, POLL);
    BerthException e = assertThrows(BerthException.class, () -> w.watch("shop", "gantt-exporter", OURS, Duration.ofMinutes(1)));
    assertTrue(Thread.interrupted(), "interrupt flag restored");
    assertEquals(1, ExitCodes.of(e.outcome()));
  }

  static Watched watchWithLogs(String recording, int lines) {
    RecordedAws aws = new RecordedAws(recording);
    RecordingProgress progress = new RecordingProgress();
    RolloutWatcher w = new RolloutWatcher(aws.ecs(), aws.elb(), progress, aws.clock, aws.sleeper(), POLL)
        .withLogs(aws::logs, "us-east-2", lines);
    Rollout r = w.watch("shop", "gantt-exporter", OURS, Duration.ofMinutes(15));
    System.out.println("--- " + recording + " -> " + r.verdict() + "\n" + progress.text());
    return new Watched(r, aws, progress);
  }

  @Test
  void watch_whenRolledBackWithAwslogs_verdictEndsWithTheCrashedContainersLastLines() {
    Watched w = watchWithLogs("crash-logs", 20);
    assertEquals(Verdict.ROLLED_BACK, w.rollout().verdict());
    // the stream of the newest stopped task of our deployment: prefix/container/task-id
    assertTrue(w.aws().calls.contains("GetLogEvents /ecs/gantt-exporter-ecs-task "
        + "ecs/gantt-exporter-container/0000000000000000000000000000001b limit=20 startFromHead=false"), w.aws().calls.toString());
    // one task per distinct stop reason (both of ours exited the same way); the non-essential sidecar is not read
    assertEquals(1, w.aws().calls.stream().filter(c -> c.startsWith("GetLogEvents")).count(), w.aws().calls.toString());
    assertEquals(1, w.rollout().logs().size());
    TaskLogs.Lines logs = w.rollout().logs().get(0);
    assertEquals("gantt-exporter-container", logs.container());
    assertEquals(List.of("> gantt-exporter@2.3.0 start", "listening on :80",
        "Error: connect ECONNREFUSED 10.0.3.12:5432", "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"),
        logs.lines());
    String last = w.rollout().reasons().get(w.rollout().reasons().size() - 1);
    assertEquals("logs of container gantt-exporter-container (task 0000000000000000000000000000001b, "
        + "/ecs/gantt-exporter-ecs-task ecs/gantt-exporter-container/0000000000000000000000000000001b), last 4 lines:"
        + "\n    > gantt-exporter@2.3.0 start\n    listening on :80\n    Error: connect ECONNREFUSED 10.0.3.12:5432"
        + "\n    " + "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)", last);
    // next to the stop reason it explains, and printed with the verdict
    assertTrue(w.reasons().indexOf("2 tasks stopped: Essential container in task exited")
        < w.reasons().indexOf("ECONNREFUSED"), w.reasons());
    assertTrue(w.progress().text().contains("Error: connect ECONNREFUSED 10.0.3.12:5432"), w.progress().text());
  }

  @Test
  void watch_whenFewerLinesAsked_readsOnlyTheNewest() {
    Watched w = watchWithLogs("crash-logs", 2);
    assertEquals(List.of("Error: connect ECONNREFUSED 10.0.3.12:5432",
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"), w.rollout().logs().get(0).lines());
  }

  @Test
  void watch_whenTheStreamDoesNotExist_saysSoAndStillGivesTheVerdict() {
    // the pull failure: no container ever started, so there is no stream
    RecordedAws aws = new RecordedAws("pull");
    com.fasterxml.jackson.databind.node.ObjectNode rec = (com.fasterxml.jackson.databind.node.ObjectNode) aws.recording;
    rec.set("describeTaskDefinition", new RecordedAws("crash-logs").recording.get("describeTaskDefinition"));
    RecordingProgress progress = new RecordingProgress();
    Rollout r = new RolloutWatcher(aws.ecs(), aws.elb(), progress, aws.clock, aws.sleeper(), POLL)
        .withLogs(aws::logs, "us-east-2", 20).watch("shop", "gantt-exporter", OURS, Duration.ofMinutes(15));
    assertEquals(Verdict.FAILED, r.verdict());
    assertTrue(String.join("\n", r.reasons()).contains("logs of container gantt-exporter-container (task "
        + "0000000000000000000000000000003c, /ecs/gantt-exporter-ecs-task ecs/gantt-exporter-container/"
        + "0000000000000000000000000000003c): no such log stream (the container wrote nothing, or never started)"),
        String.join("\n", r.reasons()));
  }

  @Test
  void watch_whenCompleted_neverBuildsTheLogsClient() {
    Watched w = watchWithLogs("success", 20);
    assertEquals(Verdict.COMPLETED, w.rollout().verdict());
    assertFalse(w.aws().logsClientBuilt, "the CloudWatch Logs client is built only to explain a failure");
    assertEquals(List.of(), w.rollout().logs());
  }

  @Test
  void watch_withoutLogs_readsNone() {
    Watched w = watch("rollback", OURS, Duration.ofMinutes(15));
    assertFalse(w.aws().logsClientBuilt);
    assertFalse(w.aws().calls.stream().anyMatch(c -> c.startsWith("DescribeTaskDefinition")));
  }
}
