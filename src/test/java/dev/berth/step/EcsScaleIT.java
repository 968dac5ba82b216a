package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.cli.ExitCodes;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.ecs.model.Service;

/** {@code berth ecs-scale} against moto: the cluster, service and scalable target are made here with the SDK. */
class EcsScaleIT {
  static final String CLUSTER = "gantt";
  static final String SERVICE = "gantt-exporter";
  static final String RESOURCE = "service/" + CLUSTER + "/" + SERVICE;

  MotoServer moto;
  AwsClients aws;

  @BeforeEach
  void setUp() {
    moto = MotoServer.shared();
    moto.reset();
    aws = moto.clients();
    aws.ecs().createCluster(b -> b.clusterName(CLUSTER));
    aws.ecs().registerTaskDefinition(b -> b.family("gantt-exporter-ecs-task").requiresCompatibilities(
            software.amazon.awssdk.services.ecs.model.Compatibility.FARGATE)
        .networkMode("awsvpc").cpu("1024").memory("2048")
        .containerDefinitions(c -> c.name("gantt-exporter-container").image("node:20").memory(2048)
            .essential(true)));
    aws.ecs().createService(b -> b.cluster(CLUSTER).serviceName(SERVICE).taskDefinition("gantt-exporter-ecs-task")
        .desiredCount(2).launchType("FARGATE"));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  void registerRange(int min, int max) {
    aws.autoscaling().registerScalableTarget(b -> b.serviceNamespace(ServiceNamespace.ECS)
        .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).resourceId(RESOURCE)
        .minCapacity(min).maxCapacity(max));
  }

  ScalableTarget range() {
    List<ScalableTarget> t = aws.autoscaling().describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS)
        .resourceIds(RESOURCE)).scalableTargets();
    return t.isEmpty() ? null : t.get(0);
  }

  Service service() {
    return aws.ecs().describeServices(b -> b.cluster(CLUSTER).services(SERVICE)).services().get(0);
  }

  @Test
  void scale_insideTheRange_setsDesiredCountAndWaits() {
    registerRange(1, 4);
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "3");
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode json = run.json();
    assertEquals(2, json.get("previousDesiredCount").asInt(), run.toString());
    assertEquals(3, json.get("desiredCount").asInt());
    assertEquals(3, json.get("runningCount").asInt());
    assertEquals(1, json.at("/autoscaling/min").asInt());
    assertEquals(4, json.at("/autoscaling/max").asInt());
    assertEquals(3, service().desiredCount());
    assertEquals(1, range().minCapacity());
    assertEquals(4, range().maxCapacity());
    assertTrue(run.stderr().contains("desired count 2 -> 3"), run.stderr());
    assertTrue(run.stderr().contains("running 3 of 3"), run.stderr());
  }

  @Test
  void scale_aboveTheRegisteredMax_isRefusedAndChangesNothing() {
    registerRange(1, 4);
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "10");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    String error = run.json().get("error").asText();
    assertTrue(error.contains("--desired-count") && error.contains("1-4") && error.contains("--autoscaling-max 10"),
        error);
    assertEquals(2, service().desiredCount());
    assertEquals(4, range().maxCapacity());
    assertEquals(1, range().minCapacity());
  }

  @Test
  void scale_withNewBounds_movesTheRangeAndTheCount() {
    registerRange(1, 4);
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "10", "--autoscaling-min", "5", "--autoscaling-max", "12");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(5, range().minCapacity());
    assertEquals(12, range().maxCapacity());
    assertEquals(10, service().desiredCount());
    assertEquals(5, run.json().at("/autoscaling/min").asInt());
    assertEquals(12, run.json().at("/autoscaling/max").asInt());
    assertEquals(1, run.json().at("/previousAutoscaling/min").asInt());
  }

  @Test
  void scale_onlyMaxGiven_keepsTheRegisteredMin() {
    registerRange(2, 4);
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "6", "--autoscaling-max", "8", "--no-wait");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(2, range().minCapacity());
    assertEquals(8, range().maxCapacity());
    assertEquals(6, service().desiredCount());
    assertFalse(run.json().get("waited").asBoolean());
  }

  @Test
  void scale_newBoundsThatStillExcludeTheCount_isRefused() {
    registerRange(1, 4);
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "10", "--autoscaling-max", "8");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("1-8"), run.toString());
    assertEquals(4, range().maxCapacity());
    assertEquals(2, service().desiredCount());
  }

  @Test
  void scale_withoutARegisteredRange_setsTheCountAndReportsNoAutoscaling() {
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "5");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(5, service().desiredCount());
    assertFalse(run.json().has("autoscaling"), run.stdout());
  }

  @Test
  void scale_withoutARegisteredRange_bothBoundsRegisterOne() {
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "3", "--autoscaling-min", "1", "--autoscaling-max", "4");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(1, range().minCapacity());
    assertEquals(4, range().maxCapacity());
  }

  @Test
  void scale_unknownCluster_exits3NamingIt() {
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", "no-such-cluster", "--service", SERVICE,
        "--desired-count", "3");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("no-such-cluster"), run.toString());
    assertTrue(run.json().get("error").asText().contains("--cluster"), run.toString());
    assertEquals(2, service().desiredCount());
  }

  @Test
  void scale_unknownService_exits3NamingIt() {
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", "no-such-service",
        "--desired-count", "3");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("no-such-service"), run.toString());
    assertTrue(run.json().get("error").asText().contains("--service"), run.toString());
  }

  @Test
  void scale_negativeCounts_exit3WithEveryViolation() {
    Berth.Run run = Berth.inProcess(moto, "ecs-scale", "--cluster", CLUSTER, "--service", SERVICE,
        "--desired-count", "-1", "--autoscaling-min", "-2");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertEquals(2, run.json().get("violations").size(), run.toString());
    assertEquals(2, service().desiredCount());
  }
}
