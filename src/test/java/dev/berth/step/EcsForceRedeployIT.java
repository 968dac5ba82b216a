package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.Service;

/**
 * {@code berth ecs-force-redeploy} against moto; cluster, service and task definitions are made here with the SDK.
 *
 * <p>What moto can and cannot prove (moto 5.2.1): forceNewDeployment relabels the service's one deployment with a
 * new id and keeps its rolloutState (COMPLETED, since MOTO_ECS_SERVICE_RUNNING covers the desired count) and its
 * old {@code taskDefinition}, while the service's {@code taskDefinition} does change. So the COMPLETED verdict
 * here shows the step follows the new deployment id to the watcher's verdict, not that tasks of the new revision
 * run; the other verdicts are proven on recorded responses in {@code EcsForceRedeployTest}. moto has no
 * ListServiceDeployments (it answers HTTP 500), so {@code --rollback} here takes the previous-revision path.
 */
class EcsForceRedeployIT {
  static final String CLUSTER = "gantt";
  static final String SERVICE = "gantt-exporter";
  static final String FAMILY = "gantt-exporter-ecs-task";

  MotoServer moto;
  AwsClients aws;
  String rev1;

  @BeforeEach
  void setUp() {
    moto = MotoServer.shared();
    moto.reset();
    aws = moto.clients();
    aws.ecs().createCluster(b -> b.clusterName(CLUSTER));
    rev1 = register("node:20");
    aws.ecs().createService(b -> b.cluster(CLUSTER).serviceName(SERVICE).taskDefinition(rev1).desiredCount(2)
        .launchType("FARGATE"));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  String register(String image) {
    return aws.ecs().registerTaskDefinition(b -> b.family(FAMILY).requiresCompatibilities(Compatibility.FARGATE)
        .networkMode("awsvpc").cpu("1024").memory("2048")
        .containerDefinitions(c -> c.name("gantt-exporter-container").image(image).memory(2048).essential(true)
            .portMappings(p -> p.containerPort(80).protocol("tcp"))))
        .taskDefinition().taskDefinitionArn();
  }

  Service service() {
    return aws.ecs().describeServices(b -> b.cluster(CLUSTER).services(SERVICE)).services().get(0);
  }

  Deployment primary() {
    return service().deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst().orElseThrow();
  }

  @Test
  void forceRedeploy_startsANewDeploymentOfTheCurrentTaskDefinition() {
    String before = primary().id();
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE);
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode json = run.json();
    assertEquals(before, json.get("previousDeploymentId").asText());
    assertNotEquals(before, json.get("deploymentId").asText());
    assertEquals(primary().id(), json.get("deploymentId").asText(), "the deployment ECS now reports as PRIMARY");
    assertEquals(rev1, json.get("taskDefinitionArn").asText());
    assertEquals(rev1, json.get("previousTaskDefinitionArn").asText());
    assertEquals("COMPLETED", json.get("verdict").asText());
    assertEquals("COMPLETED", json.get("rolloutState").asText());
    assertEquals(rev1, service().taskDefinition());
    assertTrue(run.stderr().contains("started deployment " + json.get("deploymentId").asText()), run.stderr());
  }

  @Test
  void forceRedeploy_noWait_returnsTheNewDeploymentWithoutAVerdict() {
    String before = primary().id();
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--no-wait");
    assertEquals(0, run.exitCode(), run.toString());
    assertNotEquals(before, run.json().get("deploymentId").asText());
    assertTrue(!run.json().has("verdict"), run.stdout());
  }

  String imageOf(String taskDefinitionArn) {
    return aws.ecs().describeTaskDefinition(b -> b.taskDefinition(taskDefinitionArn)).taskDefinition()
        .containerDefinitions().get(0).image();
  }

  List<String> revisions() {
    return aws.ecs().listTaskDefinitions(b -> b.familyPrefix(FAMILY)).taskDefinitionArns();
  }

  @Test
  void image_registersARevisionWithTheNewImageAndDeploysIt() {
    String before = primary().id();
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--image", "gantt-exporter-container=node:22");
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode json = run.json();
    String deployed = json.get("taskDefinitionArn").asText();
    assertTrue(deployed.endsWith(FAMILY + ":2"), deployed);
    assertEquals("node:22", imageOf(deployed));
    assertEquals(rev1, json.get("previousTaskDefinitionArn").asText());
    assertTrue(json.get("taskDefinitionRegistered").asBoolean());
    assertEquals(deployed, service().taskDefinition());
    assertNotEquals(before, json.get("deploymentId").asText());
    assertEquals(primary().id(), json.get("deploymentId").asText());
    // the rest of the definition is kept
    var td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(deployed)).taskDefinition();
    assertEquals("2048", td.memory());
    assertEquals(80, td.containerDefinitions().get(0).portMappings().get(0).containerPort());
  }

  @Test
  void image_sameImageAgain_reusesTheRevision() {
    Berth.Run first = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--image", "gantt-exporter-container=node:22", "--no-wait");
    assertEquals(0, first.exitCode(), first.toString());
    Berth.Run again = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--image", "gantt-exporter-container=node:22", "--no-wait");
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals(first.json().get("taskDefinitionArn").asText(), again.json().get("taskDefinitionArn").asText());
    assertTrue(!again.json().get("taskDefinitionRegistered").asBoolean(), again.stdout());
    assertNotEquals(first.json().get("deploymentId").asText(), again.json().get("deploymentId").asText());
    assertEquals(2, revisions().size(), revisions().toString());
  }

  @Test
  void image_unknownContainer_exits3AndRegistersNothing() {
    String before = primary().id();
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--image", "web=node:22");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("no container 'web'"), run.toString());
    assertEquals(1, revisions().size());
    assertEquals(before, primary().id());
  }

  @Test
  void rollback_returnsToThePreviousRevision() {
    String rev2 = register("node:22");
    aws.ecs().updateService(b -> b.cluster(CLUSTER).service(SERVICE).taskDefinition(rev2));
    assertEquals(rev2, service().taskDefinition());

    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--rollback");
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode json = run.json();
    assertEquals(rev1, json.get("taskDefinitionArn").asText());
    assertEquals(rev2, json.get("previousTaskDefinitionArn").asText());
    assertEquals("previous-revision", json.get("rollbackSource").asText());
    assertEquals(rev1, service().taskDefinition());
    assertTrue(run.stderr().contains("ListServiceDeployments is not available"), run.stderr());
  }

  @Test
  void rollback_skipsRevisionsAboveTheCurrentOne() {
    String rev2 = register("node:22");
    register("node:23"); // registered, never deployed
    aws.ecs().updateService(b -> b.cluster(CLUSTER).service(SERVICE).taskDefinition(rev2));
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--rollback", "--no-wait");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(rev1, service().taskDefinition());
  }

  @Test
  void rollback_withNothingBefore_exits3AndChangesNothing() {
    String before = primary().id();
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--rollback");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("nothing to roll back to"), run.toString());
    assertEquals(before, primary().id());
  }

  @Test
  void unknownCluster_exits3NamingIt() {
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", "no-such-cluster", "--service",
        SERVICE);
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("'no-such-cluster'"), run.toString());
  }

  @Test
  void unknownService_exits3NamingIt() {
    String before = primary().id();
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service",
        "no-such-service");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("'no-such-service'"), run.toString());
    assertEquals(before, primary().id());
  }

  @Test
  void image_malformedOrRepeated_exits3WithEveryProblem() {
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--image", "node:22", "--image", "a=x", "--image", "a=y");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertEquals(2, run.json().get("violations").size(), run.toString());
    assertEquals(1, revisions().size());
  }

  @Test
  void imageWithRollback_exits3BeforeAnyCall() {
    Berth.Run run = Berth.inProcess(moto, "ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--rollback", "--image", "gantt-exporter-container=node:22");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("--rollback"), run.toString());
  }
}
