package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.BerthException;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Outcome;
import dev.berth.testbed.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.applicationautoscaling.model.DescribeScalableTargetsRequest;
import software.amazon.awssdk.services.applicationautoscaling.model.DescribeScalableTargetsResponse;
import software.amazon.awssdk.services.applicationautoscaling.model.RegisterScalableTargetRequest;
import software.amazon.awssdk.services.applicationautoscaling.model.RegisterScalableTargetResponse;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;

/** The scale step's rules and its wait loop, driven by recorded DescribeServices sequences (what ECS answers). */
class EcsScaleTest {
  static final String CLUSTER_ARN = SequencedEcs.CLUSTER_ARN;
  static final String SERVICE_ARN = "arn:aws:ecs:us-east-2:123456789012:service/gantt/web";

  /** The service snapshots in order (the last one repeats); UpdateService answers with the next one. */
  static final class FakeEcs extends SequencedEcs {
    FakeEcs(Service initial, Service... polls) {
      this.initial = initial;
      this.polls.addAll(List.of(polls));
    }

    @Override
    Service afterUpdate() {
      return polls.peek();
    }
  }

  static class FakeAutoscaling implements ApplicationAutoScalingClient {
    ScalableTarget target;
    final List<RegisterScalableTargetRequest> registers = new ArrayList<>();
    /** The resource ids asked for, from whichever thread asked. */
    final List<String> described = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeAutoscaling(Integer min, Integer max) {
      target = min == null ? null : ScalableTarget.builder().minCapacity(min).maxCapacity(max).build();
    }

    @Override
    public DescribeScalableTargetsResponse describeScalableTargets(DescribeScalableTargetsRequest r) {
      described.addAll(r.resourceIds());
      return DescribeScalableTargetsResponse.builder().scalableTargets(target == null ? List.of() : List.of(target))
          .build();
    }

    @Override
    public RegisterScalableTargetResponse registerScalableTarget(RegisterScalableTargetRequest r) {
      registers.add(r);
      return RegisterScalableTargetResponse.builder().build();
    }

    @Override
    public String serviceName() {
      return "application-autoscaling";
    }

    @Override
    public void close() {}
  }

  static Service service(int desired, int running, Deployment... deployments) {
    return Service.builder().serviceName("web").serviceArn(SERVICE_ARN).clusterArn(CLUSTER_ARN).status("ACTIVE")
        .desiredCount(desired).runningCount(running).pendingCount(Math.max(0, desired - running))
        .deployments(deployments).build();
  }

  static Deployment primary(int desired, int running) {
    return Deployment.builder().id("ecs-svc/1").status("PRIMARY").desiredCount(desired).runningCount(running)
        .rolloutState("COMPLETED").build();
  }

  static Deployment active(int desired, int running) {
    return Deployment.builder().id("ecs-svc/0").status("ACTIVE").desiredCount(desired).runningCount(running).build();
  }

  final ManualClock clock = new ManualClock(Instant.parse("2026-11-26T20:00:00Z"));
  final RecordingProgress progress = new RecordingProgress();

  EcsScale step(FakeEcs ecs, FakeAutoscaling aas) {
    return new EcsScale(ecs, () -> aas, progress, clock, clock::advance, Duration.ofSeconds(6));
  }

  static EcsScale.Request request(int desired, Integer min, Integer max) {
    return new EcsScale.Request("gantt", "web", desired, min, max, true, Duration.ofMinutes(10));
  }

  @Test
  void run_readsTheAutoscalingRangeOnce_forTheServiceFound_whetherNamesOrArnsAreGiven() throws Exception {
    for (String[] given : new String[][] {{"gantt", "web"}, {CLUSTER_ARN, "web"}, {"gantt", SERVICE_ARN}}) {
      FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)), service(2, 2, primary(2, 2)));
      FakeAutoscaling aas = new FakeAutoscaling(1, 4);
      EcsScale.Result r = step(ecs, aas).run(new EcsScale.Request(given[0], given[1], 3, null, null, false,
          Duration.ofMinutes(10)));
      assertEquals(List.of("service/gantt/web"), aas.described, String.join(" ", given));
      assertEquals(new EcsScale.Autoscaling(1, 4), r.autoscaling());
    }
  }

  @Test
  void run_whenTheRangeCannotBeRead_failsAsBefore_evenWhenReadWhileTheServiceIsLookedUp() {
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)), service(2, 2, primary(2, 2)));
    FakeAutoscaling aas = new FakeAutoscaling(1, 4) {
      @Override
      public DescribeScalableTargetsResponse describeScalableTargets(DescribeScalableTargetsRequest r) {
        throw software.amazon.awssdk.services.applicationautoscaling.model.ApplicationAutoScalingException.builder()
            .statusCode(400).message("User is not authorized").awsErrorDetails(
                software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode("AccessDeniedException")
                    .errorMessage("User is not authorized").build()).build();
      }
    };
    dev.berth.report.BerthException e = assertThrows(
        dev.berth.report.BerthException.class, () -> step(ecs, aas).run(request(3, null, null)));
    assertTrue(e.getMessage().contains("Application Auto Scaling DescribeScalableTargets for service/gantt/web"),
        e.getMessage());
    assertEquals(List.of(), ecs.updates, "nothing was changed");
  }

  @Test
  void run_whenPrimaryDeploymentCatchesUp_waitsForItsRunningCount() throws Exception {
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)),
        service(3, 2, primary(3, 2)), service(3, 2, primary(3, 2)), service(3, 3, primary(3, 3)));
    FakeAutoscaling aas = new FakeAutoscaling(1, 4);
    EcsScale.Result r = step(ecs, aas).run(request(3, null, null));
    assertEquals(3, r.runningCount());
    assertEquals(2, r.previousDesiredCount());
    assertEquals(new EcsScale.Autoscaling(1, 4), r.autoscaling());
    assertEquals(Duration.ofSeconds(12), clock.elapsed());
    assertEquals(3, ecs.updates.get(0).desiredCount());
    assertTrue(aas.registers.isEmpty());
    // one line per state change, not one per poll
    assertEquals(1, progress.infos.stream().filter(l -> l.equals("running 2 of 3, pending 1")).count(),
        progress.infos.toString());
  }

  @Test
  void progress_whenServiceCountsAgreeButPrimaryDeploymentLags_namesTheDeploymentWaitedFor() throws Exception {
    FakeEcs ecs = new FakeEcs(service(1, 1, primary(1, 1)),
        service(2, 2, primary(2, 1)), service(2, 2, primary(2, 2)));
    FakeAutoscaling aas = new FakeAutoscaling(1, 4);
    step(ecs, aas).run(request(2, null, null));
    assertTrue(progress.infos.stream().anyMatch(l -> l.equals("running 2 of 2, PRIMARY deployment ecs-svc/1 running 1 of 2")),
        progress.infos.toString());
  }

  @Test
  void run_whileAnOlderDeploymentStillRunsTasks_keepsWaiting() throws Exception {
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)),
        service(3, 3, primary(3, 1), active(0, 2)), service(3, 3, primary(3, 3), active(0, 0)),
        service(3, 3, primary(3, 3)));
    EcsScale.Result r = step(ecs, new FakeAutoscaling(null, null)).run(request(3, null, null));
    assertEquals(3, r.runningCount());
    assertEquals(Duration.ofSeconds(6), clock.elapsed());
    assertTrue(progress.infos.contains("running 3 of 3, 1 older deployment still present"), progress.infos.toString());
  }

  @Test
  void run_whenTasksNeverStart_timesOutWithThePartialResult() {
    Service stuck = service(3, 2, primary(3, 2)).toBuilder()
        .events(ServiceEvent.builder().id("e1").createdAt(Instant.parse("2026-11-26T20:00:30Z"))
            .message("(service web) was unable to place a task because no container instance met all of its "
                + "requirements.").build())
        .build();
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)), stuck);
    BerthException e = assertThrows(BerthException.class,
        () -> step(ecs, new FakeAutoscaling(1, 4)).run(request(3, null, null)));
    assertEquals(Outcome.TIMED_OUT, e.outcome());
    assertTrue(e.getMessage().contains("did not reach 3 running tasks within 10m"), e.getMessage());
    EcsScale.Result partial = (EcsScale.Result) e.result();
    assertEquals(2, partial.runningCount());
    assertEquals(3, partial.desiredCount());
    assertEquals(Duration.ofMinutes(10), clock.elapsed());
    // the service event is printed exactly once across 100 polls
    assertEquals(1, progress.infos.stream().filter(l -> l.contains("unable to place a task")).count());
  }

  @Test
  void run_outsideTheRegisteredRange_refusesBeforeAnyChange() {
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)));
    FakeAutoscaling aas = new FakeAutoscaling(2, 4);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> step(ecs, aas).run(request(1, null, null)));
    assertTrue(e.getMessage().contains("1 is outside the registered autoscaling range 2-4"), e.getMessage());
    assertTrue(e.getMessage().contains("--autoscaling-min 1"), e.getMessage());
    assertTrue(ecs.updates.isEmpty());
    assertTrue(aas.registers.isEmpty());
  }

  @Test
  void run_onlyOneBoundWithoutARegisteredRange_isRefused() {
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> step(ecs, new FakeAutoscaling(null, null)).run(request(3, null, 5)));
    assertEquals("--autoscaling-min", e.violations().get(0).where());
    assertTrue(ecs.updates.isEmpty());
  }

  @Test
  void run_minAboveMax_isRefusedWithAllViolations() {
    FakeEcs ecs = new FakeEcs(service(2, 2, primary(2, 2)));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> step(ecs, new FakeAutoscaling(1, 4)).run(
            new EcsScale.Request("", "web", -1, 5, 3, true, Duration.ofMinutes(1))));
    assertEquals(List.of("--cluster", "--desired-count", "--autoscaling-min"),
        e.violations().stream().map(v -> v.where()).toList());
  }

  @Test
  void run_sameCountAndRange_changesNothing() throws Exception {
    FakeEcs ecs = new FakeEcs(service(3, 3, primary(3, 3)), service(3, 3, primary(3, 3)));
    FakeAutoscaling aas = new FakeAutoscaling(1, 4);
    EcsScale.Result r = step(ecs, aas).run(request(3, 1, 4));
    assertFalse(r.changed());
    assertTrue(ecs.updates.isEmpty());
    assertTrue(aas.registers.isEmpty());
    assertEquals(Duration.ZERO, clock.elapsed());
  }
}
