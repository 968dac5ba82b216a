package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.jenkins.PipelineHarness.AwsKeys;
import dev.berth.jenkins.PipelineHarness.PipelineError;
import dev.berth.jenkins.PipelineHarness.ShResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promotion and rollback sample pipelines (jenkins/promote.Jenkinsfile, jenkins/rollback.Jenkinsfile) through
 * the harness under groovy-cps with a stand-in runner: what each promotes and from where, the approval before
 * any change and without an executor, the rollback after a failed promotion. PromotionJenkinsfileIT runs both
 * against moto with the real runner.
 */
class PromotionJenkinsfileTest {
  static final String SECRET = "promotion-test-secret-key-0123456789";
  static final String STAGING_IMAGE = "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:"
      + "a".repeat(64);
  static final String STAGING_TD = "arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-exporter-ecs-task:7";

  @TempDir Path tmp;
  PipelineHarness h;
  final List<List<String>> commands = new ArrayList<>();
  /** Exit status and result JSON of the next runs, in order; empty: success. */
  final Deque<Object[]> answers = new ArrayDeque<>();

  @BeforeEach
  void setUp() throws IOException {
    h = new PipelineHarness(tmp.resolve("ws"), true);
    h.credentials.put("aws-opensourceapi", new AwsKeys("AKIAPROMOTIONTEST", SECRET));
    Path staging = tmp.resolve("staging-artifacts");
    Files.createDirectories(staging.resolve("berth-results/17"));
    Files.writeString(staging.resolve("berth-results/17/ecs-deploy-service.json"), "{\"ok\":true,\"taskDefinitionArn\":\""
        + STAGING_TD + "\",\"containers\":{\"gantt-exporter-container\":\"" + STAGING_IMAGE + "\"}}");
    h.otherJobs.put("gantt/deploy-staging", staging);
    h.onSh = sh -> {
      commands.add(sh.command());
      assertEquals(SECRET, sh.env().get("AWS_SECRET_ACCESS_KEY"), "credentials bound");
      Object[] answer = answers.isEmpty() ? new Object[] {0, null} : answers.poll();
      String result = answer[1] != null ? (String) answer[1]
          : "{\"ok\":true,\"taskDefinitionArn\":\"arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-prod:"
              + commands.size() + "\",\"previousTaskDefinitionArn\":\"arn:aws:ecs:us-east-2:123456789012:"
              + "task-definition/gantt-prod:1\",\"deploymentId\":\"ecs-svc/" + commands.size()
              + "\",\"rolloutState\":\"COMPLETED\"}";
      try {
        Files.writeString(sh.resultFile(), result);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ShResult((Integer) answer[0], "");
    };
  }

  @Test
  void promote_fromTheStagingJobsResult_forcesTheTargetsDeploymentWithStagingsDigests_afterApproval() {
    h.params.put("SOURCE_JOB", "gantt/deploy-staging");
    h.runJenkinsfile("jenkins/promote.Jenkinsfile");
    assertEquals(List.of(List.of("ecs-force-redeploy", "--cluster=gantt-production", "--service=gantt-exporter",
        "--image=gantt-exporter-container=" + STAGING_IMAGE, "--region=us-east-2")), commands);
    assertEquals(List.of("Parameters", "What to promote", "Approve", "Promote"), h.stagesRun);
    assertEquals("release-managers", h.calls("input").get(0).arg("submitter"));
    assertTrue(String.valueOf(h.calls("input").get(0).arg("message")).contains(STAGING_IMAGE));
    assertEquals(List.of(), h.inputsHoldingAnExecutor, "no executor held while waiting for approval");
    assertEquals(List.of("What to promote", "Promote"), h.stagesWithAgent);
    assertEquals("gantt-production/gantt-exporter <- " + STAGING_IMAGE, String.valueOf(h.currentBuild.get("description")));
    assertTrue(Files.isRegularFile(h.artifacts.resolve("berth-results/42/ecs-force-redeploy.json")));
    assertEquals("SUCCESS", h.currentBuild.get("result"));
  }

  @Test
  void promote_aBareDigest_takesTheRepositoryOfStagingsImage() {
    h.params.put("SOURCE_JOB", "gantt/deploy-staging");
    h.params.put("IMAGE", "sha256:" + "b".repeat(64));
    h.runJenkinsfile("jenkins/promote.Jenkinsfile");
    assertEquals("--image=gantt-exporter-container=123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:"
        + "b".repeat(64), commands.get(0).get(3));
  }

  @Test
  void promote_anImageParameter_withoutASourceJob() {
    h.params.put("IMAGE", "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:" + "c".repeat(64));
    h.runJenkinsfile("jenkins/promote.Jenkinsfile");
    assertEquals(List.of(), h.calls("copyArtifacts"));
    assertEquals("--image=gantt-exporter-container=" + h.params.get("IMAGE"), commands.get(0).get(3));
  }

  @Test
  void promote_theTaskDefinition_deploysStagingsRevisionAsItIs() {
    h.params.put("SOURCE_JOB", "gantt/deploy-staging");
    h.params.put("WHAT", "task-definition");
    h.runJenkinsfile("jenkins/promote.Jenkinsfile");
    assertEquals(List.of(List.of("ecs-deploy-service", "--cluster=gantt-production", "--service=gantt-exporter",
        "--task-definition=" + STAGING_TD, "--region=us-east-2")), commands);
  }

  @Test
  void promote_whenTheRolloutFails_rollsBack_andTheBuildFails() {
    h.params.put("SOURCE_JOB", "gantt/deploy-staging");
    answers.add(new Object[] {1, "{\"ok\":false,\"error\":\"rollout FAILED: tasks failed to start\",\"outcome\":\"FAILED\","
        + "\"exitCode\":1,\"rolloutState\":\"FAILED\"}"});
    PipelineError e = assertThrows(PipelineError.class, () -> h.runJenkinsfile("jenkins/promote.Jenkinsfile"));
    assertEquals(2, commands.size(), commands.toString());
    assertEquals(List.of("ecs-force-redeploy", "--cluster=gantt-production", "--service=gantt-exporter", "--rollback",
        "--region=us-east-2"), commands.get(1));
    assertTrue(e.getMessage().startsWith("promotion failed: ecsForceRedeploy failed: rollout FAILED: tasks failed to "
        + "start; rolled back to arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-prod:2"), e.getMessage());
    assertEquals("FAILURE", h.currentBuild.get("result"));
    assertTrue(Files.isRegularFile(h.artifacts.resolve("berth-results/42/ecs-force-redeploy-2.json")),
        "the failed promotion's and the rollback's results are archived");
  }

  @Test
  void promote_whenEcsRolledBackItself_doesNotRollBackAgain() {
    h.params.put("SOURCE_JOB", "gantt/deploy-staging");
    answers.add(new Object[] {1, "{\"ok\":false,\"error\":\"circuit breaker\",\"outcome\":\"FAILED\",\"exitCode\":1,"
        + "\"rolloutState\":\"ROLLED_BACK\"}"});
    PipelineError e = assertThrows(PipelineError.class, () -> h.runJenkinsfile("jenkins/promote.Jenkinsfile"));
    assertEquals(1, commands.size());
    assertTrue(e.getMessage().startsWith("promotion failed and ECS rolled the service back itself"), e.getMessage());
  }

  @Test
  void promote_withoutItsParameters_doesNothing() {
    h.runJenkinsfile("jenkins/promote.Jenkinsfile");
    assertEquals(List.of(), commands);
    assertEquals(List.of(), h.calls("input"));
    assertEquals("NOT_BUILT", h.currentBuild.get("result"));
  }

  @Test
  void promote_notApproved_changesNothing() {
    h.params.put("SOURCE_JOB", "gantt/deploy-staging");
    h.approveInput = false;
    assertThrows(PipelineError.class, () -> h.runJenkinsfile("jenkins/promote.Jenkinsfile"));
    assertEquals(List.of(), commands);
  }

  @Test
  void rollback_afterApproval_deploysThePreviousTaskDefinition() {
    h.params.put("CLUSTER", "gantt-production");
    h.params.put("SERVICE", "gantt-exporter");
    h.runJenkinsfile("jenkins/rollback.Jenkinsfile");
    assertEquals(List.of(List.of("ecs-force-redeploy", "--cluster=gantt-production", "--service=gantt-exporter",
        "--rollback", "--region=us-east-2")), commands);
    assertEquals("release-managers", h.calls("input").get(0).arg("submitter"));
    assertEquals(List.of(), h.inputsHoldingAnExecutor);
    assertEquals("gantt-production/gantt-exporter: arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-prod:1 -> "
        + "arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-prod:1 (COMPLETED)", String.valueOf(h.currentBuild.get("description")));
    assertTrue(Files.isRegularFile(h.artifacts.resolve("berth-results/42/ecs-force-redeploy.json")));
  }

  @Test
  void rollback_withoutClusterAndService_doesNothing() {
    h.runJenkinsfile("jenkins/rollback.Jenkinsfile");
    assertEquals(List.of(), commands);
    assertEquals(List.of(), h.calls("input"));
    assertEquals("NOT_BUILT", h.currentBuild.get("result"));
  }
}
