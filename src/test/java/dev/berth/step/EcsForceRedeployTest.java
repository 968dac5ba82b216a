package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.ExitCodes;
import dev.berth.report.BerthException;
import dev.berth.report.InvalidInputException;
import dev.berth.rollout.RolloutWatcher;
import dev.berth.testbed.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DeploymentCircuitBreaker;
import software.amazon.awssdk.services.ecs.model.DeploymentConfiguration;
import software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.ListServiceDeploymentsRequest;
import software.amazon.awssdk.services.ecs.model.ListServiceDeploymentsResponse;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceDeploymentBrief;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;
import software.amazon.awssdk.services.ecs.model.ServiceRevision;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * The force-redeploy step on recorded ECS response sequences: the verdicts moto cannot give (a circuit-breaker
 * rollback, a timeout), and the rollback target found in ECS's service-deployment history.
 */
class EcsForceRedeployTest {
  static final String CLUSTER_ARN = SequencedEcs.CLUSTER_ARN;
  static final String SERVICE_ARN = "arn:aws:ecs:us-east-2:123456789012:service/gantt/web";
  static final String TD = "arn:aws:ecs:us-east-2:123456789012:task-definition/web:";

  /** Answers as ECS does: DescribeServices from a queue (the last snapshot repeats), everything else recorded. */
  static final class FakeEcs extends SequencedEcs {
    Service afterUpdate;
    final List<String> calls = new ArrayList<>();
    RuntimeException listServiceDeploymentsError;
    List<ServiceDeploymentBrief> history = List.of();
    Map<String, String> revisionTd = Map.of();
    List<String> taskDefinitionsDesc = List.of();
    List<Task> stoppedTasks = List.of();

    @Override
    Service afterUpdate() {
      return afterUpdate;
    }

    @Override
    public ListServiceDeploymentsResponse listServiceDeployments(ListServiceDeploymentsRequest r) {
      calls.add("ListServiceDeployments " + r.statusAsStrings());
      if (listServiceDeploymentsError != null) {
        throw listServiceDeploymentsError;
      }
      return ListServiceDeploymentsResponse.builder().serviceDeployments(history).build();
    }

    @Override
    public DescribeServiceRevisionsResponse describeServiceRevisions(DescribeServiceRevisionsRequest r) {
      calls.add("DescribeServiceRevisions " + r.serviceRevisionArns().size());
      List<ServiceRevision> out = new ArrayList<>();
      for (String arn : r.serviceRevisionArns()) {
        out.add(ServiceRevision.builder().serviceRevisionArn(arn).taskDefinition(revisionTd.get(arn)).build());
      }
      return DescribeServiceRevisionsResponse.builder().serviceRevisions(out).build();
    }

    @Override
    public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest r) {
      calls.add("ListTaskDefinitions " + r.familyPrefix());
      return ListTaskDefinitionsResponse.builder().taskDefinitionArns(taskDefinitionsDesc).build();
    }

    @Override
    public DescribeTaskDefinitionResponse describeTaskDefinition(DescribeTaskDefinitionRequest r) {
      return DescribeTaskDefinitionResponse.builder().taskDefinition(TaskDefinition.builder()
          .taskDefinitionArn(r.taskDefinition()).family("web")
          .containerDefinitions(ContainerDefinition.builder().name("app").image("repo/app:1").build(),
              ContainerDefinition.builder().name("sidecar").image("repo/envoy:1").build())
          .build()).build();
    }

    @Override
    public ListTasksResponse listTasks(ListTasksRequest r) {
      return ListTasksResponse.builder().taskArns(stoppedTasks.stream().map(Task::taskArn).toList()).build();
    }

    @Override
    public DescribeTasksResponse describeTasks(DescribeTasksRequest r) {
      return DescribeTasksResponse.builder().tasks(stoppedTasks).build();
    }

  }

  static Deployment deployment(String id, String status, int rev, int desired, int running, String rollout) {
    return Deployment.builder().id(id).status(status).taskDefinition(TD + rev).desiredCount(desired)
        .runningCount(running).pendingCount(Math.max(0, desired - running)).rolloutState(rollout)
        .createdAt(Instant.parse("2026-11-26T20:00:00Z")).build();
  }

  static Service service(int rev, Deployment... deployments) {
    return Service.builder().serviceName("web").serviceArn(SERVICE_ARN).clusterArn(CLUSTER_ARN).status("ACTIVE")
        .taskDefinition(TD + rev).desiredCount(2).runningCount(2)
        .deploymentConfiguration(DeploymentConfiguration.builder().deploymentCircuitBreaker(
            DeploymentCircuitBreaker.builder().enable(true).rollback(true).build()).build())
        .deployments(deployments).build();
  }

  final ManualClock clock = new ManualClock(Instant.parse("2026-11-26T20:00:00Z"));
  final RecordingProgress progress = new RecordingProgress();
  final List<Map<String, String>> reimaged = new ArrayList<>();

  EcsForceRedeploy step(FakeEcs ecs) {
    RolloutWatcher watcher = new RolloutWatcher(ecs, null, progress, clock, clock::advance, Duration.ofSeconds(5));
    return new EcsForceRedeploy(ecs, (td, tags, images, dryRun) -> {
      reimaged.add(images);
      return new EcsForceRedeploy.Reimaged(TD + 4, true);
    }, watcher, progress);
  }

  static EcsForceRedeploy.Request request(Map<String, String> images, boolean rollback) {
    return new EcsForceRedeploy.Request("gantt", "web", images, rollback, true, Duration.ofMinutes(15));
  }

  @Test
  void run_plain_followsTheNewDeploymentToCompleted() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(3, deployment("ecs-svc/1", "PRIMARY", 3, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(3, deployment("ecs-svc/2", "PRIMARY", 3, 2, 0, "IN_PROGRESS"),
        deployment("ecs-svc/1", "ACTIVE", 3, 2, 2, "COMPLETED"));
    ecs.polls.add(ecs.afterUpdate);
    ecs.polls.add(service(3, deployment("ecs-svc/2", "PRIMARY", 3, 2, 2, "IN_PROGRESS"),
        deployment("ecs-svc/1", "ACTIVE", 3, 0, 0, "COMPLETED")));
    ecs.polls.add(service(3, deployment("ecs-svc/2", "PRIMARY", 3, 2, 2, "COMPLETED")));

    EcsForceRedeploy.Result r = step(ecs).run(request(Map.of(), false));

    assertEquals("COMPLETED", r.verdict());
    assertEquals("ecs-svc/2", r.deploymentId());
    assertEquals("ecs-svc/1", r.previousDeploymentId());
    assertEquals(TD + 3, r.taskDefinitionArn());
    assertEquals(TD + 3, r.previousTaskDefinitionArn());
    assertEquals("COMPLETED", r.rolloutState());
    assertTrue(ecs.updates.get(0).forceNewDeployment());
    assertNull(ecs.updates.get(0).taskDefinition(), "the current task definition is redeployed as it is");
    assertEquals(Duration.ofSeconds(10), clock.elapsed());
  }

  @Test
  void run_image_whenTheCircuitBreakerRollsBack_fails1WithTheReasons() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(3, deployment("ecs-svc/1", "PRIMARY", 3, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(4, deployment("ecs-svc/2", "PRIMARY", 4, 2, 0, "IN_PROGRESS"),
        deployment("ecs-svc/1", "ACTIVE", 3, 2, 2, "COMPLETED"));
    ecs.polls.add(ecs.afterUpdate);
    ecs.polls.add(service(4, deployment("ecs-svc/2", "PRIMARY", 4, 2, 0, "FAILED").toBuilder()
            .rolloutStateReason("ECS deployment circuit breaker: tasks failed to start.").build(),
        deployment("ecs-svc/1", "ACTIVE", 3, 2, 2, "COMPLETED")));
    ecs.polls.add(service(3, deployment("ecs-svc/3", "PRIMARY", 3, 2, 2, "IN_PROGRESS"),
        deployment("ecs-svc/2", "ACTIVE", 4, 0, 0, "FAILED")).toBuilder()
        .events(ServiceEvent.builder().id("e9").createdAt(Instant.parse("2026-11-26T20:00:20Z"))
            .message("(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.").build())
        .build());
    ecs.stoppedTasks = List.of(Task.builder().taskArn("arn:task/1").startedBy("ecs-svc/2").taskDefinitionArn(TD + 4)
        .stoppedReason("CannotPullContainerError: pull image manifest has been retried 1 time(s): "
            + "repo/app:2: not found")
        .containers(Container.builder().name("app").build()).build());

    Map<String, String> images = new LinkedHashMap<>();
    images.put("app", "repo/app:2");
    BerthException e = assertThrows(BerthException.class, () -> step(ecs).run(request(images, false)));

    assertEquals(ExitCodes.FAILED, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("ROLLED_BACK"), e.getMessage());
    EcsForceRedeploy.Result partial = (EcsForceRedeploy.Result) e.result();
    assertEquals("ROLLED_BACK", partial.verdict());
    assertEquals(TD + 4, partial.taskDefinitionArn());
    assertEquals(TD + 3, partial.previousTaskDefinitionArn());
    assertEquals(Boolean.TRUE, partial.taskDefinitionRegistered());
    assertTrue(partial.reasons().stream().anyMatch(x -> x.contains("CannotPullContainerError")), partial.reasons()
        .toString());
    assertEquals(List.of(Map.of("app", "repo/app:2")), reimaged);
    assertEquals(TD + 4, ecs.updates.get(0).taskDefinition());
  }

  @Test
  void run_whenTheRolloutNeverFinishes_timesOut5WithThePartialResult() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(3, deployment("ecs-svc/1", "PRIMARY", 3, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(3, deployment("ecs-svc/2", "PRIMARY", 3, 2, 1, "IN_PROGRESS"),
        deployment("ecs-svc/1", "ACTIVE", 3, 2, 2, "COMPLETED"));
    ecs.polls.add(ecs.afterUpdate);

    BerthException e = assertThrows(BerthException.class, () -> step(ecs).run(
        new EcsForceRedeploy.Request("gantt", "web", Map.of(), false, true, Duration.ofMinutes(3))));

    assertEquals(ExitCodes.TIMED_OUT, ExitCodes.of(e.outcome()));
    EcsForceRedeploy.Result partial = (EcsForceRedeploy.Result) e.result();
    assertEquals("TIMED_OUT", partial.verdict());
    assertEquals("ecs-svc/2", partial.deploymentId());
    assertEquals("IN_PROGRESS", partial.rolloutState());
    assertEquals(Duration.ofMinutes(3), clock.elapsed());
  }

  @Test
  void run_rollback_takesTheLastSuccessfulDeploymentOfAnotherTaskDefinition() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(5, deployment("ecs-svc/9", "PRIMARY", 5, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(4, deployment("ecs-svc/10", "PRIMARY", 4, 2, 2, "COMPLETED"));
    ecs.polls.add(ecs.afterUpdate);
    // newest first by finish time: the current revision (twice: a deploy and a force redeploy), then :4, then :2
    ecs.history = List.of(
        brief("sd-a", "rev-2", "2026-11-20T10:00:00Z"),
        brief("sd-d", "rev-5b", "2026-11-26T19:00:00Z"),
        brief("sd-c", "rev-5a", "2026-11-25T10:00:00Z"),
        brief("sd-b", "rev-4", "2026-11-24T10:00:00Z"));
    ecs.revisionTd = Map.of("rev-2", TD + 2, "rev-4", TD + 4, "rev-5a", TD + 5, "rev-5b", TD + 5);

    EcsForceRedeploy.Result r = step(ecs).run(request(Map.of(), true));

    assertEquals(TD + 4, r.taskDefinitionArn());
    assertEquals(TD + 5, r.previousTaskDefinitionArn());
    assertEquals("service-deployments", r.rollbackSource());
    assertEquals(TD + 4, ecs.updates.get(0).taskDefinition());
    assertEquals(List.of("ListServiceDeployments [SUCCESSFUL]", "DescribeServiceRevisions 4"), ecs.calls);
    assertTrue(progress.warnings.isEmpty(), progress.warnings.toString());
  }

  @Test
  void run_rollback_withoutPermissionForTheHistory_fallsBackToThePreviousRevisionWithAWarning() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(5, deployment("ecs-svc/9", "PRIMARY", 5, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(3, deployment("ecs-svc/10", "PRIMARY", 3, 2, 2, "COMPLETED"));
    ecs.polls.add(ecs.afterUpdate);
    ecs.listServiceDeploymentsError = EcsException.builder().statusCode(400).awsErrorDetails(
        AwsErrorDetails.builder().errorCode("AccessDeniedException").errorMessage("not authorized").build()).build();
    ecs.taskDefinitionsDesc = List.of(TD + 7, TD + 6, TD + 5, TD + 3, TD + 1,
        "arn:aws:ecs:us-east-2:123456789012:task-definition/web-canary:4");

    EcsForceRedeploy.Result r = step(ecs).run(request(Map.of(), true));

    assertEquals(TD + 3, r.taskDefinitionArn());
    assertEquals("previous-revision", r.rollbackSource());
    assertTrue(progress.warnings.get(0).contains("ecs:ListServiceDeployments")
        && progress.warnings.get(0).contains("may never have been deployed"), progress.warnings.toString());
  }

  @Test
  void run_rollback_whenEcsHistoryAnswersAServerFault_failsInsteadOfGuessing() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(5, deployment("ecs-svc/9", "PRIMARY", 5, 2, 2, "COMPLETED"));
    ecs.listServiceDeploymentsError = EcsException.builder().statusCode(500).awsErrorDetails(
        AwsErrorDetails.builder().errorCode("ServerException").errorMessage("internal").build()).build();
    ecs.taskDefinitionsDesc = List.of(TD + 4);
    BerthException e = assertThrows(BerthException.class, () -> step(ecs).run(request(Map.of(), true)));
    assertEquals(ExitCodes.FAILED, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("ServerException"), e.getMessage());
    assertTrue(ecs.updates.isEmpty());
  }

  @Test
  void run_rollback_whenTheEndpointLacksTheOperation_fallsBack() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(5, deployment("ecs-svc/9", "PRIMARY", 5, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(4, deployment("ecs-svc/10", "PRIMARY", 4, 2, 2, "COMPLETED"));
    ecs.polls.add(ecs.afterUpdate);
    // what moto 5.2.1 answers: HTTP 500 with an HTML body, no AWS error code
    ecs.listServiceDeploymentsError = EcsException.builder().statusCode(500).message("HTTP 500").build();
    ecs.taskDefinitionsDesc = List.of(TD + 5, TD + 4);
    EcsForceRedeploy.Result r = step(ecs).run(request(Map.of(), true));
    assertEquals(TD + 4, r.taskDefinitionArn());
    assertEquals("previous-revision", r.rollbackSource());
  }

  @Test
  void run_imageForAnUnknownContainer_exits3BeforeAnyChange() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(3, deployment("ecs-svc/1", "PRIMARY", 3, 2, 2, "COMPLETED"));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> step(ecs).run(request(Map.of("api", "repo/api:2"), false)));
    assertTrue(e.getMessage().contains("no container 'api'") && e.getMessage().contains("app, sidecar"),
        e.getMessage());
    assertTrue(ecs.updates.isEmpty());
    assertTrue(reimaged.isEmpty());
  }

  @Test
  void run_whenEcsStartsNoNewDeployment_fails() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(3, deployment("ecs-svc/1", "PRIMARY", 3, 2, 2, "COMPLETED"));
    ecs.afterUpdate = service(3, deployment("ecs-svc/1", "PRIMARY", 3, 2, 2, "COMPLETED"));
    BerthException e = assertThrows(BerthException.class, () -> step(ecs).run(request(Map.of(), false)));
    assertEquals(ExitCodes.FAILED, ExitCodes.of(e.outcome()));
    assertTrue(e.getMessage().contains("started no new deployment"), e.getMessage());
  }

  @Test
  void run_codeDeployService_exits3() {
    FakeEcs ecs = new FakeEcs();
    ecs.initial = service(3).toBuilder().deploymentController(c -> c.type("CODE_DEPLOY")).build();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> step(ecs).run(request(Map.of(), false)));
    assertTrue(e.getMessage().contains("CODE_DEPLOY"), e.getMessage());
    assertTrue(ecs.updates.isEmpty());
  }

  static ServiceDeploymentBrief brief(String id, String revision, String finished) {
    return ServiceDeploymentBrief.builder().serviceDeploymentArn("arn:sd/" + id).targetServiceRevisionArn(revision)
        .status("SUCCESSFUL").finishedAt(Instant.parse(finished)).build();
  }
}
