package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.cli.ExitCodes;
import dev.berth.report.Json;
import dev.berth.report.Progress;
import dev.berth.taskdef.TaskDefinitions;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/** ecs-register-task against moto: the story's definition, no revision spam, round trips, invalid input. */
class EcsRegisterTaskIT {
  static final String FAMILY = "gantt-exporter-ecs-task";
  static final String CONTAINER = "gantt-exporter-container";
  static final String REPO = MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo";
  static final String IMAGE_1 = REPO + "@sha256:" + "0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1";
  static final String IMAGE_2 = REPO + "@sha256:" + "1111111111111111111111111111111111111111111111111111111111111111";

  final MotoServer moto = MotoServer.shared();
  AwsClients aws;
  @TempDir
  Path dir;

  @BeforeEach
  void reset() {
    moto.reset();
    aws = moto.clients();
  }

  @AfterEach
  void close() {
    aws.close();
  }

  Path storyFile() throws IOException {
    Path f = dir.resolve("task-definition.json");
    try (InputStream in = getClass().getResourceAsStream("/dev/berth/taskdef/story-task-definition.json")) {
      Files.write(f, in.readAllBytes());
    }
    return f;
  }

  /** Runs in-process with BERTH_API_LOG, returning the run and the IAM actions it called. */
  record Logged(Berth.Run run, List<String> calls) {}

  Logged register(String... args) throws IOException {
    Path log = Files.createTempFile(dir, "api", ".log");
    List<String> all = new ArrayList<>(List.of("ecs-register-task"));
    all.addAll(List.of(args));
    all.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()));
    Berth.Run run = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    return new Logged(run, Files.readAllLines(log, StandardCharsets.UTF_8));
  }

  static List<String> mutating(List<String> calls) {
    return calls.stream().filter(c -> !c.matches("[a-z-]+:(Describe|List|Get).*")).toList();
  }

  List<String> activeRevisions() {
    return aws.ecs().listTaskDefinitionsPaginator(b -> b.familyPrefix(FAMILY).status(TaskDefinitionStatus.ACTIVE))
        .taskDefinitionArns().stream().map(a -> a.substring(a.lastIndexOf('/') + 1)).sorted().toList();
  }

  @Test
  void story_registersRevision1_thenRerunReusesIt_withoutMutatingCalls() throws IOException {
    Path file = storyFile();
    Logged first = register("--file", file.toString());
    assertEquals(0, first.run().exitCode(), first.run().toString());
    JsonNode r = first.run().json();
    assertEquals(FAMILY, r.get("family").asText());
    assertEquals(1, r.get("revision").asInt());
    assertTrue(r.get("registered").asBoolean());
    assertEquals(IMAGE_1, r.get("containers").get(CONTAINER).asText());
    assertTrue(r.get("taskDefinitionArn").asText().endsWith(":task-definition/" + FAMILY + ":1"), r.toString());
    // the story's definition logs to /ecs/gantt-exporter-ecs-task, created before the registration
    assertEquals(List.of("logs:CreateLogGroup", "ecs:RegisterTaskDefinition"), mutating(first.calls()));

    DescribeTaskDefinitionResponse d = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY + ":1"));
    var c = d.taskDefinition().containerDefinitions().get(0);
    assertEquals(CONTAINER, c.name());
    assertEquals(2048, c.memory());
    assertEquals(80, c.portMappings().get(0).containerPort());
    assertEquals("/sites/export-service", c.mountPoints().get(0).containerPath());
    assertEquals("export-service", d.taskDefinition().volumes().get(0).name());

    Logged again = register("--file", file.toString());
    assertEquals(0, again.run().exitCode(), again.run().toString());
    assertEquals(1, again.run().json().get("revision").asInt());
    assertFalse(again.run().json().get("registered").asBoolean());
    assertEquals(List.of(), mutating(again.calls()), again.calls().toString());
    assertEquals(List.of(FAMILY + ":1"), activeRevisions());
  }

  @Test
  void changedImage_registersRevision2() throws IOException {
    Path file = storyFile();
    assertEquals(0, register("--file", file.toString()).run().exitCode());
    Logged changed = register("--file", file.toString(), "--image", IMAGE_2);
    assertEquals(0, changed.run().exitCode(), changed.run().toString());
    assertEquals(2, changed.run().json().get("revision").asInt());
    assertTrue(changed.run().json().get("registered").asBoolean());
    assertEquals(IMAGE_2, aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)).taskDefinition()
        .containerDefinitions().get(0).image());
    assertTrue(changed.run().stderr().contains("containerDefinitions[0].image"), changed.run().stderr());
  }

  @Test
  void parametersAlone_buildTheStoryDefinition_andRerunIsReused() throws IOException {
    String[] args = {"--family", FAMILY, "--container-name", CONTAINER, "--image", IMAGE_1, "--cpu", "1024",
        "--memory", "4096", "--container-memory", "2048", "--port", "80", "--volume", "export-service",
        "--mount", "export-service:/sites/export-service", "--env", "NODE_ENV=production",
        "--health-check", "curl -f http://localhost/ || exit 1", "--health-check-start-period", "30s"};
    Logged first = register(args);
    assertEquals(0, first.run().exitCode(), first.run().toString());
    assertEquals(1, first.run().json().get("revision").asInt());
    var td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)).taskDefinition();
    assertEquals("awsvpc", td.networkModeAsString());
    assertEquals(List.of("FARGATE"), td.requiresCompatibilitiesAsStrings());
    assertEquals("1024", td.cpu());
    assertEquals(30, td.containerDefinitions().get(0).healthCheck().startPeriod());
    Logged again = register(args);
    assertFalse(again.run().json().get("registered").asBoolean(), again.run().toString());
    assertEquals(List.of(), mutating(again.calls()));
  }

  @Test
  void describeOutput_roundTrips_withoutNewRevision() throws IOException {
    assertEquals(0, register("--file", storyFile().toString(), "--env", "EXTRA=1", "--port", "8125/udp")
        .run().exitCode());
    DescribeTaskDefinitionResponse d = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)
        .include(TaskDefinitionField.TAGS));
    Path described = dir.resolve("described.json");
    Files.writeString(described, Json.write(TaskDefinitions.describeShape(d.taskDefinition(), d.tags())));
    assertTrue(Files.readString(described).contains("\"taskDefinitionArn\""));
    Logged again = register("--file", described.toString());
    assertEquals(0, again.run().exitCode(), again.run().toString());
    assertFalse(again.run().json().get("registered").asBoolean(), again.run().toString());
    assertEquals(1, again.run().json().get("revision").asInt());
    assertEquals(List.of(), mutating(again.calls()));
  }

  @Test
  void invalidDefinition_exits3_andRegistersNothing() throws IOException {
    String bad = Files.readString(storyFile()).replace("\"memory\": 2048", "\"memmory\": 2048")
        .replace("\"cpu\": \"1024\"", "\"cpu\": \"256\"").replace("export-service\", \"containerPath",
            "exports\", \"containerPath");
    Path file = dir.resolve("bad.json");
    Files.writeString(file, bad);
    Logged run = register("--file", file.toString(), "--port", "70000", "--image", "Not A Ref");
    assertEquals(ExitCodes.INVALID_INPUT, run.run().exitCode(), run.run().toString());
    JsonNode r = run.run().json();
    List<String> where = new ArrayList<>();
    r.get("violations").forEach(v -> where.add(v.get("where").asText() + ": " + v.get("message").asText()));
    String all = String.join("\n", where);
    assertTrue(all.contains("containerDefinitions[0].memmory: unknown field, did you mean memory?"), all);
    assertTrue(all.contains("memory: Fargate has no task size cpu 256 with memory 4096"), all);
    assertTrue(all.contains("containerDefinitions[0].mountPoints[0].sourceVolume: no volume named exports"), all);
    assertTrue(all.contains("containerDefinitions[0].portMappings[1].containerPort"), all);
    assertTrue(all.contains("containerDefinitions[0].image: 'Not A Ref' is not an image reference"), all);
    assertEquals(List.of(), mutating(run.calls()), run.calls().toString());
    assertEquals(List.of(), activeRevisions());
  }

  @Test
  void logGroup_isCreatedWhenMissing_andAwslogsConfigured() throws IOException {
    Logged run = register("--file", storyFile().toString(), "--log-group", "/ecs/gantt-exporter");
    assertEquals(0, run.run().exitCode(), run.run().toString());
    assertTrue(run.calls().contains("logs:CreateLogGroup"), run.calls().toString());
    assertEquals(1, aws.logs().describeLogGroups(b -> b.logGroupNamePrefix("/ecs/gantt-exporter")).logGroups().size());
    var log = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)).taskDefinition()
        .containerDefinitions().get(0).logConfiguration();
    assertEquals("awslogs", log.logDriverAsString());
    assertEquals(Map.of("awslogs-group", "/ecs/gantt-exporter", "awslogs-region", MotoServer.REGION,
        "awslogs-stream-prefix", "ecs"), log.options());
    Logged again = register("--file", storyFile().toString(), "--log-group", "/ecs/gantt-exporter");
    assertFalse(again.run().json().get("registered").asBoolean());
    assertEquals(List.of(), mutating(again.calls()), again.calls().toString());
  }

  @Test
  void keepRevisions_deregistersOldOnes_butNotOneAServiceUses() throws IOException {
    Path file = storyFile();
    for (int i = 1; i <= 3; i++) {
      String image = REPO + "@sha256:" + String.valueOf(i).repeat(64);
      assertEquals(0, register("--file", file.toString(), "--image", image).run().exitCode());
    }
    aws.ecs().createCluster(b -> b.clusterName("gantt"));
    aws.ecs().createService(b -> b.cluster("gantt").serviceName("gantt-exporter").taskDefinition(FAMILY + ":1")
        .desiredCount(1).launchType(LaunchType.FARGATE));
    Logged run = register("--file", file.toString(), "--image", IMAGE_2, "--keep-revisions", "2");
    assertEquals(0, run.run().exitCode(), run.run().toString());
    JsonNode r = run.run().json();
    assertEquals(4, r.get("revision").asInt());
    assertEquals("[\"" + FAMILY + ":2\"]", r.get("deregistered").toString());
    assertEquals("[\"" + FAMILY + ":1\"]", r.get("keptInUse").toString());
    assertEquals(List.of(FAMILY + ":1", FAMILY + ":3", FAMILY + ":4"), activeRevisions());
  }

  @Test
  void keepRevisions_keepsTheRevisionOfAnOlderDeploymentToo() throws IOException {
    Path file = storyFile();
    for (int i = 1; i <= 4; i++) {
      String image = REPO + "@sha256:" + String.valueOf(i).repeat(64);
      assertEquals(0, register("--file", file.toString(), "--image", image).run().exitCode());
    }
    aws.ecs().createCluster(b -> b.clusterName("gantt"));
    aws.ecs().createService(b -> b.cluster("gantt").serviceName("gantt-exporter").taskDefinition(FAMILY + ":1")
        .desiredCount(1).launchType(LaunchType.FARGATE));
    // moto: the service now names :3 while its (only) deployment still runs :1, as during a rollout
    aws.ecs().updateService(b -> b.cluster("gantt").service("gantt-exporter").taskDefinition(FAMILY + ":3"));
    var s = aws.ecs().describeServices(b -> b.cluster("gantt").services("gantt-exporter")).services().get(0);
    assertTrue(s.deployments().stream().anyMatch(d -> d.taskDefinition().endsWith(FAMILY + ":1")), s.toString());
    Logged run = register("--file", file.toString(), "--image", IMAGE_2, "--keep-revisions", "1");
    assertEquals(0, run.run().exitCode(), run.run().toString());
    JsonNode r = run.run().json();
    assertEquals(5, r.get("revision").asInt());
    assertEquals("[\"" + FAMILY + ":4\",\"" + FAMILY + ":2\"]", r.get("deregistered").toString());
    assertEquals("[\"" + FAMILY + ":3\",\"" + FAMILY + ":1\"]", r.get("keptInUse").toString());
    assertEquals(List.of(FAMILY + ":1", FAMILY + ":3", FAMILY + ":5"), activeRevisions());
  }

  @Test
  void keepRevisions_whenNothingChanged_stillPrunes_andReusesTheLatest() throws IOException {
    Path file = storyFile();
    for (int i = 1; i <= 3; i++) {
      String image = REPO + "@sha256:" + String.valueOf(i).repeat(64);
      assertEquals(0, register("--file", file.toString(), "--image", image).run().exitCode());
    }
    Logged run = register("--file", file.toString(), "--image", REPO + "@sha256:" + "3".repeat(64),
        "--keep-revisions", "1");
    JsonNode r = run.run().json();
    assertFalse(r.get("registered").asBoolean(), r.toString());
    assertEquals(3, r.get("revision").asInt());
    assertEquals(List.of(FAMILY + ":3"), activeRevisions());
    assertEquals(List.of("ecs:DeregisterTaskDefinition", "ecs:DeregisterTaskDefinition"), mutating(run.calls()));
  }

  @Test
  void stepApi_fromTaskDefinitionWithNewImage_registersOrReuses() {
    Berth.Run first = Berth.inProcess(moto, "ecs-register-task", "--family", FAMILY, "--container-name", CONTAINER,
        "--image", IMAGE_1, "--cpu", "512", "--memory", "1024");
    assertEquals(0, first.exitCode(), first.toString());
    var d = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY).include(TaskDefinitionField.TAGS));
    EcsRegisterTask step = new EcsRegisterTask(aws, Progress.silent());
    EcsRegisterTask.Result same = step.run(EcsRegisterTask.Request.fromTaskDefinition(d.taskDefinition(), d.tags(),
        Map.of(CONTAINER, IMAGE_1)));
    assertFalse(same.registered());
    assertEquals(Integer.valueOf(1), same.revision());
    EcsRegisterTask.Result changed = step.run(EcsRegisterTask.Request.fromTaskDefinition(d.taskDefinition(),
        d.tags(), Map.of(CONTAINER, IMAGE_2)));
    assertTrue(changed.registered());
    assertEquals(Integer.valueOf(2), changed.revision());
    assertEquals(Map.of(CONTAINER, IMAGE_2), changed.containers());
  }

  @Test
  void jar_storyThenRerun_rerunMakesOnlyOneReadCall() throws IOException {
    Path file = storyFile();
    Path log = dir.resolve("jar-api.log");
    Map<String, String> env = new java.util.HashMap<>(moto.env());
    env.put("BERTH_API_LOG", log.toString());
    Berth.Run first = Berth.subprocess(env, "ecs-register-task", "--file", file.toString());
    assertEquals(0, first.exitCode(), first.toString());
    assertTrue(first.json().get("registered").asBoolean());
    Files.delete(log);
    Berth.Run again = Berth.subprocess(env, "ecs-register-task", "--file", file.toString());
    assertEquals(0, again.exitCode(), again.toString());
    assertFalse(again.json().get("registered").asBoolean());
    assertEquals(List.of("ecs:DescribeTaskDefinition"), Files.readAllLines(log));
  }

  @Test
  void everyParameter_registersOnce_andRerunIsReused() throws IOException {
    Path file = dir.resolve("tagged.json");
    Files.writeString(file, Files.readString(storyFile()).replaceFirst("\\{", "{\"tags\": [{\"key\": \"team\","
        + " \"value\": \"docs\"}, {\"key\": \"app\", \"value\": \"gantt\"}],"));
    String[] args = {"--file", file.toString(), "--family", FAMILY, "--image", IMAGE_2, "--cpu", "1 vCPU",
        "--memory", "4 GB", "--container-memory", "2048", "--container-memory-reservation", "1024",
        "--port", "80", "--port", "8125/udp", "--env", "NODE_ENV=production", "--env", "Z_LAST=1",
        "--secret", "DB_URL=arn:aws:ssm:us-east-2:123456789012:parameter/gantt/db",
        "--volume", "scratch", "--efs-volume", "shared=fs-0123456789abcdef0:fsap-0123456789abcdef0",
        "--mount", "shared:/sites/shared:ro", "--mount", "scratch:/tmp/scratch",
        "--execution-role-arn", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "--task-role-arn", "arn:aws:iam::123456789012:role/gantt-task", "--log-group", "/ecs/gantt-exporter",
        "--cpu-architecture", "ARM64", "--health-check", "curl -f http://localhost/ || exit 1",
        "--health-check-interval", "15s", "--health-check-retries", "5"};
    Logged first = register(args);
    assertEquals(0, first.run().exitCode(), first.run().toString());
    assertTrue(first.run().json().get("registered").asBoolean());
    var d = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY).include(TaskDefinitionField.TAGS));
    var efs = d.taskDefinition().volumes().stream().filter(v -> v.name().equals("shared")).findFirst().orElseThrow()
        .efsVolumeConfiguration();
    assertEquals("ENABLED", efs.transitEncryptionAsString());
    assertEquals("ENABLED", efs.authorizationConfig().iamAsString());
    assertEquals("fsap-0123456789abcdef0", efs.authorizationConfig().accessPointId());
    assertEquals("ARM64", d.taskDefinition().runtimePlatform().cpuArchitectureAsString());
    assertEquals(2, d.tags().size(), d.toString());
    Logged again = register(args);
    assertEquals(0, again.run().exitCode(), again.run().toString());
    assertFalse(again.run().json().get("registered").asBoolean(), again.run().toString());
    assertEquals(List.of(), mutating(again.calls()), again.calls().toString());
  }
}
