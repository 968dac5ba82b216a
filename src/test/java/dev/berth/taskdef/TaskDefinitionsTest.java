package dev.berth.taskdef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Json;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/** Parsing (both shapes, unknown fields, types), the SDK round trip, the normaliser and rendering parameters. */
class TaskDefinitionsTest {
  static final String IMAGE = ValidatorTest.IMAGE;

  static List<String> where(List<Violation> v) {
    return v.stream().map(Violation::toString).toList();
  }

  // ------------------------------------------------------------------ parse

  @Test
  void fieldSet_comesFromTheSdkModel() {
    assertTrue(TaskDefinitions.registerFields().containsAll(List.of("family", "containerDefinitions", "volumes",
        "cpu", "memory", "networkMode", "requiresCompatibilities", "executionRoleArn", "taskRoleArn", "tags",
        "runtimePlatform", "ephemeralStorage")));
    assertTrue(TaskDefinitions.readOnlyFields().containsAll(List.of("taskDefinitionArn", "revision", "status",
        "requiresAttributes", "compatibilities", "registeredAt", "registeredBy")));
    assertFalse(TaskDefinitions.readOnlyFields().contains("family"));
  }

  @Test
  void parse_whenTypo_namesPathAndFieldMeant() {
    var p = TaskDefinitions.parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x:1\","
        + "\"memmory\":512,\"portMappings\":[{\"containerPrt\":80}]}],\"Cpu\":\"256\",\"zzzzzz\":1}", "f.json");
    assertEquals(List.of(
        "containerDefinitions[0].memmory: unknown field, did you mean memory?",
        "containerDefinitions[0].portMappings[0].containerPrt: unknown field, did you mean containerPort?",
        "Cpu: unknown field, did you mean cpu?",
        "zzzzzz: unknown field"), where(p.violations()));
    assertFalse(p.definition().get("containerDefinitions").get(0).has("memmory"));
  }

  @Test
  void parse_whenWrongTypes_convertsWhatItCanAndReportsTheRest() {
    var p = TaskDefinitions.parse("{\"family\":\"f\",\"cpu\":256,\"memory\":512,\"containerDefinitions\":[{\"name\":"
        + "\"c\",\"image\":\"x:1\",\"memory\":\"512\",\"essential\":\"true\",\"portMappings\":{\"containerPort\":80},"
        + "\"environment\":[{\"name\":\"A\",\"value\":1}],\"cpu\":\"lots\",\"dockerLabels\":{\"a\":[1]}}]}", "f.json");
    assertEquals(List.of(
        "containerDefinitions[0].portMappings: expected a list, found an object",
        "containerDefinitions[0].cpu: expected a whole number, found a string",
        "containerDefinitions[0].dockerLabels.a: expected a string, found a list"), where(p.violations()));
    ObjectNode c = (ObjectNode) p.definition().get("containerDefinitions").get(0);
    assertEquals("256", p.definition().get("cpu").textValue());
    assertEquals(512, c.get("memory").intValue());
    assertTrue(c.get("essential").booleanValue());
    assertEquals("1", c.get("environment").get(0).get("value").textValue());
  }

  @Test
  void parse_whenNotJson_saysWhere() {
    var p = TaskDefinitions.parse("{\"family\": \"f\",\n \"cpu\": }", "task.json");
    assertNull(p.definition());
    assertEquals(1, p.violations().size());
    assertTrue(p.violations().get(0).toString().startsWith("task.json: not valid JSON at line 2"),
        p.violations().toString());
    assertEquals("task.json: expected a JSON object (a task definition)",
        TaskDefinitions.parse("[1]", "task.json").violations().get(0).toString());
  }

  @Test
  void parse_whenAKeyAppearsTwice_refusesNamingItsJsonPath() {
    var p = TaskDefinitions.parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\n"
        + "\"image\":\"nginx:1.27\",\n\"image\":\"attacker.example/evil:1\"}]}", "task.json");
    assertNull(p.definition());
    assertEquals(List.of("containerDefinitions[0].image: duplicate key 'image': each key may appear once in an object"
        + " (readers disagree on which value wins) (task.json line 3, column 8)"), where(p.violations()));
    var top = TaskDefinitions.parse("{\"family\":\"a\",\"family\":\"b\"}", "task.json");
    assertEquals("family", top.violations().get(0).where());
  }

  @Test
  void parse_whenContentFollowsTheDocument_refuses() {
    var p = TaskDefinitions.parse("{\"family\":\"f\"} {\"family\":\"g\"}", "task.json");
    assertNull(p.definition());
    assertEquals(List.of("task.json: more content after the JSON document (line 1, column 16)"),
        where(p.violations()));
  }

  @Test
  void parse_whenNotStrictJson_refuses() {
    for (String bad : new String[] {"{\"cpu\": 01}", "{\"cpu\": 1.}", "{\"family\": \"a\tb\"}",
        "{\"cpu\": NaN}", "{\"family\": \"f\" /* c */}", "", "   "}) {
      var p = TaskDefinitions.parse(bad, "task.json");
      assertNull(p.definition(), bad);
      assertTrue(p.violations().get(0).toString().startsWith("task.json: "), p.violations().toString());
    }
  }

  @Test
  void parse_whenNestedDeeperThanTheLimit_refusesWithoutOverflowingTheStack() {
    for (int depth : new int[] {Json.MAX_DEPTH + 1, 50_000}) {
      var p = TaskDefinitions.parse("{\"family\":" + "[".repeat(depth) + "]".repeat(depth) + "}", "task.json");
      assertNull(p.definition());
      assertEquals(List.of("task.json: nested deeper than " + Json.MAX_DEPTH + " levels"), where(p.violations()));
    }
    var ok = TaskDefinitions.parse("{\"family\":\"f\",\"tags\":" + "[".repeat(Json.MAX_DEPTH - 1)
        + "]".repeat(Json.MAX_DEPTH - 1) + "}", "task.json");
    assertTrue(ok.definition() != null, ok.violations().toString());
  }

  @Test
  void parse_whenDescribeOutput_unwrapsAndDropsReadOnlyFields() {
    String described = "{\"taskDefinition\":{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-2:1:task-definition/f:3\","
        + "\"family\":\"f\",\"revision\":3,\"status\":\"ACTIVE\",\"requiresAttributes\":[{\"name\":\"x\"}],"
        + "\"compatibilities\":[\"EC2\",\"FARGATE\"],\"registeredAt\":\"2024-01-01T00:00:00Z\",\"registeredBy\":"
        + "\"arn:aws:iam::1:user/u\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x:1\",\"cpu\":0,"
        + "\"memory\":512}]},\"tags\":[{\"key\":\"team\",\"value\":\"docs\"}]}";
    var p = TaskDefinitions.parse(described, "d.json");
    assertEquals(List.of(), p.violations());
    assertTrue(p.droppedReadOnly().containsAll(List.of("taskDefinitionArn", "revision", "status",
        "requiresAttributes", "compatibilities", "registeredAt", "registeredBy")));
    assertEquals("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x:1\",\"cpu\":0,"
        + "\"memory\":512}],\"tags\":[{\"key\":\"team\",\"value\":\"docs\"}]}", Json.write(p.definition()));
  }

  @Test
  void parse_whenDescribeOutputHasTypo_prefixesThePath() {
    var p = TaskDefinitions.parse("{\"taskDefinition\":{\"family\":\"f\",\"containerDefinitions\":[{\"nmae\":\"c\"}]},"
        + "\"extra\":1}", "d.json");
    assertEquals(List.of("extra: unknown field next to taskDefinition (a describe-task-definition output has only"
        + " taskDefinition and tags)", "taskDefinition.containerDefinitions[0].nmae: unknown field, did you mean"
        + " name?"), where(p.violations()));
  }

  @Test
  void toRequest_andFromSdk_roundTrip() {
    ObjectNode story = ValidatorTest.story();
    story.putArray("tags").addObject().put("key", "team").put("value", "docs");
    RegisterTaskDefinitionRequest r = TaskDefinitions.toRequest(story);
    assertEquals("gantt-exporter-ecs-task", r.family());
    assertEquals(NetworkMode.AWSVPC, r.networkMode());
    ContainerDefinition c = r.containerDefinitions().get(0);
    assertEquals(2048, c.memory());
    assertEquals(80, c.portMappings().get(0).containerPort());
    assertEquals("/sites/export-service", c.mountPoints().get(0).containerPath());
    TaskDefinition td = TaskDefinition.builder().family(r.family()).networkMode(r.networkMode())
        .requiresCompatibilitiesWithStrings(r.requiresCompatibilitiesAsStrings()).cpu(r.cpu()).memory(r.memory())
        .executionRoleArn(r.executionRoleArn())
        .containerDefinitions(r.containerDefinitions()).volumes(r.volumes()).revision(1)
        .status(TaskDefinitionStatus.ACTIVE).taskDefinitionArn("arn").build();
    ObjectNode back = TaskDefinitions.fromSdk(td, r.tags());
    assertEquals(story, back);
    assertTrue(TaskDefinitions.same(story, back));
  }

  // ------------------------------------------------------------------ normalise

  /** What moto and ECS return for the story: defaults filled in, empty lists, another order. */
  static ObjectNode storyAsEcsReturnsIt() {
    ObjectNode d = ValidatorTest.story();
    ObjectNode c = ValidatorTest.container(d);
    c.put("cpu", 0);
    c.put("essential", true);
    c.putArray("volumesFrom");
    c.putArray("secrets");
    c.putObject("dockerLabels");
    ((ObjectNode) c.get("portMappings").get(0)).put("hostPort", 80);
    ((ObjectNode) c.get("mountPoints").get(0)).put("readOnly", false);
    ArrayNode env = (ArrayNode) c.get("environment");
    var first = env.remove(0);
    env.add(first);
    d.putArray("placementConstraints");
    d.put("enableFaultInjection", false);
    return d;
  }

  @Test
  void same_whenOnlyEcsDefaultsAndOrderDiffer_isTrue() {
    assertTrue(TaskDefinitions.same(ValidatorTest.story(), storyAsEcsReturnsIt()));
    assertEquals(List.of(), TaskDefinitions.differences(ValidatorTest.story(), storyAsEcsReturnsIt()));
  }

  @Test
  void same_whenImageDiffers_isFalse_andNamesThePath() {
    ObjectNode changed = ValidatorTest.story();
    ValidatorTest.container(changed).put("image", "repo@sha256:" + "1".repeat(64));
    assertFalse(TaskDefinitions.same(ValidatorTest.story(), changed));
    assertEquals(List.of("containerDefinitions[0].image"), TaskDefinitions.differences(ValidatorTest.story(),
        changed));
  }

  @Test
  void same_whenEssentialFalseOrReadOnlyTrue_isFalse() {
    ObjectNode a = ValidatorTest.story();
    ObjectNode b = ValidatorTest.story();
    ((ObjectNode) ValidatorTest.container(b).get("mountPoints").get(0)).put("readOnly", true);
    assertFalse(TaskDefinitions.same(a, b));
  }

  @Test
  void normalise_fillsHealthCheckAndEfsDefaults_andSizeUnits() {
    ObjectNode a = ValidatorTest.story();
    a.put("cpu", "1 vCPU").put("memory", "4 GB");
    ValidatorTest.container(a).putObject("healthCheck").putArray("command").add("CMD-SHELL").add("true");
    ObjectNode efs = ((ArrayNode) a.get("volumes")).addObject().put("name", "data").putObject("efsVolumeConfiguration");
    efs.put("fileSystemId", "fs-1").put("transitEncryption", "ENABLED").putObject("authorizationConfig").put("iam",
        "ENABLED");
    ObjectNode b = a.deepCopy();
    b.put("cpu", "1024").put("memory", "4096");
    ((ObjectNode) ValidatorTest.container(b).get("healthCheck")).put("interval", 30).put("timeout", 5)
        .put("retries", 3).put("startPeriod", 0);
    ((ObjectNode) b.get("volumes").get(1).get("efsVolumeConfiguration")).put("rootDirectory", "/");
    assertTrue(TaskDefinitions.same(a, b), TaskDefinitions.differences(a, b).toString());
    ((ObjectNode) ValidatorTest.container(b).get("healthCheck")).put("retries", 4);
    assertEquals(List.of("containerDefinitions[0].healthCheck.retries"), TaskDefinitions.differences(a, b));
  }

  @Test
  void normalise_sortsContainersVolumesAndCompatibilities() {
    ObjectNode a = ValidatorTest.story();
    ((ArrayNode) a.get("containerDefinitions")).addObject().put("name", "aaa-sidecar").put("image", "busybox:1");
    ((ArrayNode) a.get("volumes")).addObject().put("name", "aaa");
    ((ArrayNode) a.get("requiresCompatibilities")).add("EC2");
    ObjectNode b = a.deepCopy();
    ArrayNode cs = (ArrayNode) b.get("containerDefinitions");
    cs.insert(0, cs.remove(1));
    ArrayNode vs = (ArrayNode) b.get("volumes");
    vs.insert(0, vs.remove(1));
    ArrayNode rc = (ArrayNode) b.get("requiresCompatibilities");
    rc.insert(0, rc.remove(1));
    assertTrue(TaskDefinitions.same(a, b));
  }

  // ------------------------------------------------------------------ render

  static ObjectNode render(ObjectNode base, Overrides o, List<Violation> out) {
    return TaskDefinitions.render(base, o, "us-east-2", true, out);
  }

  @Test
  void render_parametersAlone_buildTheStoryDefinition() {
    List<Violation> out = new ArrayList<>();
    ObjectNode d = render(null, Overrides.builder().family("gantt-exporter-ecs-task")
        .containerName("gantt-exporter-container").image(IMAGE).cpu("1024").memory("4096").containerMemory(2048)
        .ports(List.of("80")).volumes(List.of("export-service")).mounts(List.of("export-service:/sites/export-service"))
        .env(List.of("NODE_ENV=production", "EXPORT_DIR=/sites/export-service"))
        .executionRoleArn("arn:aws:iam::123456789012:role/ecsTaskExecutionRole").build(), out);
    assertEquals(List.of(), out);
    assertEquals(List.of(), TaskDefinitions.validate(d));
    assertTrue(TaskDefinitions.same(ValidatorTest.story(), d), TaskDefinitions.differences(ValidatorTest.story(), d)
        .toString());
  }

  @Test
  void render_whenFargateContainerHasNoLogging_getsAwslogsToEcsFamily_unlessLogsOff() {
    Overrides.Builder o = Overrides.builder().family("web").image("nginx:1.27").cpu("256").memory("512");
    ObjectNode d = render(null, o.build(), new ArrayList<>());
    assertEquals("{\"logDriver\":\"awslogs\",\"options\":{\"awslogs-group\":\"/ecs/web\",\"awslogs-region\":"
        + "\"us-east-2\",\"awslogs-stream-prefix\":\"ecs\"}}", ValidatorTest.container(d).get("logConfiguration")
        .toString());
    assertEquals(java.util.Set.of("/ecs/web"), TaskDefinitions.logGroups(d, "us-east-2"));
    assertEquals(java.util.Set.of(), TaskDefinitions.logGroups(d, "eu-west-1"));
    ObjectNode off = render(null, o.logs(false).build(), new ArrayList<>());
    assertFalse(ValidatorTest.container(off).has("logConfiguration"), off.toString());
  }

  @Test
  void executionRoleReasons_whenFargateWithEcrImageOrAwslogsOrSecrets_andNoRole_namesEach() {
    ObjectNode d = ValidatorTest.story();
    assertEquals(List.of(), TaskDefinitions.executionRoleReasons(d));
    d.remove("executionRoleArn");
    assertEquals(List.of("container gantt-exporter-container pulls from a private ECR repository",
        "container gantt-exporter-container logs with the awslogs driver"), TaskDefinitions.executionRoleReasons(d));
    ObjectNode c = ValidatorTest.container(d);
    c.put("image", "public.ecr.aws/docker/library/node:20");
    c.remove("logConfiguration");
    assertEquals(List.of(), TaskDefinitions.executionRoleReasons(d));
    c.putArray("secrets").addObject().put("name", "DB").put("valueFrom", "arn:aws:ssm:us-east-2:1:parameter/db");
    assertEquals(List.of("container gantt-exporter-container reads secrets"), TaskDefinitions.executionRoleReasons(d));
  }

  @Test
  void render_withoutContainerName_namesTheContainerAfterTheFamily() {
    List<Violation> out = new ArrayList<>();
    ObjectNode d = render(null, Overrides.builder().family("web").image("nginx:1.27").cpu("256").memory("512")
        .build(), out);
    assertEquals("web", ValidatorTest.container(d).get("name").asText());
    assertEquals("awsvpc", d.get("networkMode").asText());
    assertEquals("[\"FARGATE\"]", d.get("requiresCompatibilities").toString());
  }

  @Test
  void render_overridesFileForOneContainer_andMergesLists() {
    List<Violation> out = new ArrayList<>();
    ObjectNode d = render(ValidatorTest.story(), Overrides.builder().image("repo@sha256:" + "2".repeat(64))
        .env(List.of("NODE_ENV=staging", "NEW=1")).ports(List.of("80", "8125/udp"))
        .secrets(List.of("DB_PASSWORD=arn:aws:ssm:us-east-2:123456789012:parameter/db")).mounts(List.of(
            "export-service:/sites/export-service:ro")).logGroup("/ecs/gantt").healthCheck("curl -f localhost")
        .healthCheckInterval(10).build(), out);
    assertEquals(List.of(), out);
    ObjectNode c = ValidatorTest.container(d);
    assertEquals("repo@sha256:" + "2".repeat(64), c.get("image").asText());
    assertEquals("[{\"name\":\"NODE_ENV\",\"value\":\"staging\"},{\"name\":\"EXPORT_DIR\",\"value\":"
        + "\"/sites/export-service\"},{\"name\":\"NEW\",\"value\":\"1\"}]", c.get("environment").toString());
    assertEquals("[{\"containerPort\":80,\"protocol\":\"tcp\"},{\"containerPort\":8125,\"protocol\":\"udp\"}]",
        c.get("portMappings").toString());
    assertEquals("[{\"sourceVolume\":\"export-service\",\"containerPath\":\"/sites/export-service\",\"readOnly\":"
        + "true}]", c.get("mountPoints").toString());
    assertEquals("{\"logDriver\":\"awslogs\",\"options\":{\"awslogs-group\":\"/ecs/gantt\",\"awslogs-region\":"
        + "\"us-east-2\",\"awslogs-stream-prefix\":\"ecs\"}}", c.get("logConfiguration").toString());
    assertEquals("{\"command\":[\"CMD-SHELL\",\"curl -f localhost\"],\"interval\":10}", c.get("healthCheck").toString());
    assertEquals("arn:aws:ssm:us-east-2:123456789012:parameter/db", c.get("secrets").get(0).get("valueFrom").asText());
    assertEquals(List.of(), TaskDefinitions.validate(d));
  }

  @Test
  void render_efsVolume_turnsOnTransitEncryptionAndIam() {
    List<Violation> out = new ArrayList<>();
    ObjectNode d = render(ValidatorTest.story(), Overrides.builder().efsVolumes(List.of("data=fs-0123abcd:fsap-0a1b",
        "plain=fs-9")).build(), out);
    assertEquals(List.of(), out);
    assertEquals("{\"name\":\"data\",\"efsVolumeConfiguration\":{\"fileSystemId\":\"fs-0123abcd\","
        + "\"transitEncryption\":\"ENABLED\",\"authorizationConfig\":{\"accessPointId\":\"fsap-0a1b\",\"iam\":"
        + "\"ENABLED\"}}}", d.get("volumes").get(1).toString());
    assertEquals("{\"name\":\"plain\",\"efsVolumeConfiguration\":{\"fileSystemId\":\"fs-9\",\"transitEncryption\":"
        + "\"ENABLED\",\"authorizationConfig\":{\"iam\":\"ENABLED\"}}}", d.get("volumes").get(2).toString());
  }

  @Test
  void render_whenSeveralContainersAndNoName_refusesContainerParameters() {
    ObjectNode two = ValidatorTest.story();
    ((ArrayNode) two.get("containerDefinitions")).addObject().put("name", "sidecar").put("image", "busybox:1");
    List<Violation> out = new ArrayList<>();
    render(two, Overrides.builder().image("x:1").ports(List.of("81")).cpu("2048").memory("8192").build(), out);
    assertEquals(List.of("--container-name: the definition has 2 containers (gantt-exporter-container, sidecar);"
        + " name the one that --image, --port change with --container-name"), where(out));
    out.clear();
    ObjectNode d = render(two, Overrides.builder().containerName("sidecar").image("busybox:2").build(), out);
    assertEquals(List.of(), out);
    assertEquals("busybox:2", d.get("containerDefinitions").get(1).get("image").asText());
    assertEquals(IMAGE, d.get("containerDefinitions").get(0).get("image").asText());
    out.clear();
    render(two, Overrides.builder().containerName("nope").image("x:1").build(), out);
    assertEquals(List.of("--container-name: no container named nope in the definition (containers:"
        + " gantt-exporter-container, sidecar)"), where(out));
  }

  @Test
  void render_taskParametersWithSeveralContainers_needNoName() {
    ObjectNode two = ValidatorTest.story();
    ((ArrayNode) two.get("containerDefinitions")).addObject().put("name", "sidecar").put("image", "busybox:1");
    List<Violation> out = new ArrayList<>();
    ObjectNode d = render(two, Overrides.builder().cpu("2048").memory("8192").volumes(List.of("x"))
        .executionRoleArn("arn:aws:iam::1:role/e").cpuArchitecture("arm64").build(), out);
    assertEquals(List.of(), out);
    assertEquals("ARM64", d.get("runtimePlatform").get("cpuArchitecture").asText());
  }

  @Test
  void render_whenParametersMalformed_namesEachFlag() {
    List<Violation> out = new ArrayList<>();
    render(ValidatorTest.story(), Overrides.builder().ports(List.of("http", "80/sctp")).env(List.of("NOVALUE"))
        .secrets(List.of("S=")).mounts(List.of("export-service")).efsVolumes(List.of("data=vol-1"))
        .healthCheckRetries(3).build(), out);
    assertEquals(List.of(
        "--efs-volume data=vol-1: expected NAME=FS_ID[:ACCESS_POINT_ID], for example"
            + " data=fs-0123456789abcdef0:fsap-0123456789abcdef0",
        "--port http: expected PORT[/tcp|udp], for example 80 or 8125/udp",
        "--port 80/sctp: protocol must be tcp or udp, not sctp",
        "--env: the 1st --env is not NAME=VALUE (no '='; the text is not shown)",
        "--secret: the 1st --secret (S) is not NAME=ARN (nothing after '=')",
        "--mount export-service: expected VOLUME:/container/path[:ro]",
        "--health-check: --health-check-interval/-timeout/-retries/-start-period need a health check command"
            + " (--health-check CMD)"), where(out));
  }

  @Test
  void render_images_reimageNamedContainers_andRejectUnknownOnes() {
    List<Violation> out = new ArrayList<>();
    ObjectNode d = TaskDefinitions.render(ValidatorTest.story(), Overrides.images(Map.of("gantt-exporter-container",
        "repo:2", "ghost", "repo:3")), "us-east-2", false, out);
    assertEquals("repo:2", ValidatorTest.container(d).get("image").asText());
    assertEquals(List.of("images.ghost: no container named ghost (containers: gantt-exporter-container)"), where(out));
  }

  @Test
  void render_whenFileSaysEc2_keepsIt() {
    ObjectNode d = ValidatorTest.story();
    d.putArray("requiresCompatibilities").add("EC2");
    d.remove("networkMode");
    ObjectNode r = render(d, Overrides.none(), new ArrayList<>());
    assertEquals("[\"EC2\"]", r.get("requiresCompatibilities").toString());
    assertFalse(r.has("networkMode"));
  }

  @Test
  void healthCommand_acceptsJsonList() {
    List<Violation> out = new ArrayList<>();
    assertEquals("[\"CMD\",\"/bin/check\",\"--fast\"]",
        Renderer.healthCommand("[\"CMD\", \"/bin/check\", \"--fast\"]", out).toString());
    assertEquals("[\"CMD-SHELL\",\"true\"]", Renderer.healthCommand("CMD-SHELL true", out).toString());
    assertEquals(List.of(), out);
  }

  @Test
  void suggest_findsCloseNamesOnly() {
    assertEquals("memory", Suggest.closest("memmory", List.of("memory", "memoryReservation")));
    assertEquals("containerDefinitions", Suggest.closest("ContainerDefinitions", List.of("containerDefinitions")));
    assertEquals("essential", Suggest.closest("esential", List.of("essential", "entryPoint")));
    assertNull(Suggest.closest("banana", List.of("memory", "image")));
    assertNull(Suggest.closest("xy", List.of("cpu")));
    assertEquals(List.of(new Tag[0]).size(), 0);
  }

  @Test
  void render_dropsTagsAwsSets_andNormaliseIgnoresThem() {
    ObjectNode d = ValidatorTest.story();
    ArrayNode tags = d.putArray("tags");
    tags.addObject().put("key", "aws:cloudformation:stack-name").put("value", "s");
    tags.addObject().put("key", "team").put("value", "docs");
    ObjectNode r = render(d, Overrides.none(), new ArrayList<>());
    assertEquals("[{\"key\":\"team\",\"value\":\"docs\"}]", r.get("tags").toString());
    assertTrue(TaskDefinitions.same(d, r));
  }

  @Test
  void same_whenRestartPolicyOffOrVersionConsistencyEnabled_isTrue() {
    ObjectNode b = ValidatorTest.story();
    ValidatorTest.container(b).put("versionConsistency", "enabled").putObject("restartPolicy").put("enabled", false);
    assertTrue(TaskDefinitions.same(ValidatorTest.story(), b));
    ValidatorTest.container(b).put("versionConsistency", "disabled");
    assertEquals(List.of("containerDefinitions[0].versionConsistency"), TaskDefinitions.differences(
        ValidatorTest.story(), b));
  }

  /**
   * describe-task-definition output in the shape the AWS CLI prints for the story's definition on ECS (not moto):
   * every default filled in, empty lists, host {}, requiresAttributes, timestamps as text.
   */
  @Test
  void same_whenLatestIsEcsDescribeOutputOfTheStory_isTrue() throws java.io.IOException {
    String described;
    try (var in = getClass().getResourceAsStream("/dev/berth/taskdef/ecs-describe-story.json")) {
      described = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    var p = TaskDefinitions.parse(described, "ecs-describe-story.json");
    assertEquals(List.of(), p.violations());
    assertEquals(List.of(), TaskDefinitions.validate(p.definition()));
    assertTrue(TaskDefinitions.same(ValidatorTest.story(), p.definition()),
        TaskDefinitions.differences(ValidatorTest.story(), p.definition()).toString());
    ObjectNode changed = p.definition().deepCopy();
    ((ObjectNode) changed.get("containerDefinitions").get(0).get("portMappings").get(0)).put("hostPort", 81);
    assertEquals(List.of("containerDefinitions[0].portMappings[0].hostPort"),
        TaskDefinitions.differences(ValidatorTest.story(), changed));
  }

  @Test
  void overrides_toString_whenEnvAndSecretsHoldSecrets_showsOnlyTheirCount() {
    String text = Overrides.builder().family("web").env(List.of("DB_PASSWORD=hunter2-S3cret", "s3cr3t-alone"))
        .secrets(List.of("TOKEN=arn:aws:ssm:us-east-2:1:parameter/t")).build().toString();
    assertTrue(text.contains("family=web") && text.contains("env=2 (not shown)")
        && text.contains("secrets=1 (not shown)"), text);
    assertFalse(text.contains("hunter2") || text.contains("s3cr3t") || text.contains("DB_PASSWORD"), text);
  }
}
