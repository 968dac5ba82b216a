package dev.berth.taskdef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Json;
import dev.berth.report.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every validation rule, each with the JSON path it reports. */
class ValidatorTest {
  static final String IMAGE = "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:"
      + "0c1e5fbd0e8b3c4b1d3fe4b1a0f2d6b5c9e8a7d6c5b4a3928170f6e5d4c3b2a1";

  /** The story's definition (family gantt-exporter-ecs-task), as parsed from the test resource. */
  private static ObjectNode story;

  static synchronized ObjectNode story() {
    if (story == null) {
      story = readStory();
    }
    return story.deepCopy();
  }

  private static ObjectNode readStory() {
    try (InputStream in = ValidatorTest.class.getResourceAsStream("/dev/berth/taskdef/story-task-definition.json")) {
      TaskDefinitions.Parsed p = TaskDefinitions.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "f");
      assertEquals(List.of(), p.violations());
      return p.definition();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode container(ObjectNode def) {
    return (ObjectNode) def.get("containerDefinitions").get(0);
  }

  static List<String> errors(ObjectNode def) {
    return TaskDefinitions.validate(def).stream().filter(v -> !v.warning()).map(Violation::toString).toList();
  }

  static List<String> warnings(ObjectNode def) {
    return TaskDefinitions.validate(def).stream().filter(Violation::warning).map(Violation::toString).toList();
  }

  static void assertOne(ObjectNode def, String expectedStart) {
    List<String> e = errors(def);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith(expectedStart), e.get(0));
  }

  @Test
  void validate_whenStoryDefinition_findsNothing() {
    assertEquals(List.of(), TaskDefinitions.validate(story()));
  }

  @Test
  void validate_whenFamilyMissingOrMalformed_namesFamily() {
    ObjectNode d = story();
    d.remove("family");
    assertOne(d, "family: the family is required");
    d.put("family", "gantt exporter");
    assertOne(d, "family: 'gantt exporter' is not a family name");
  }

  @Test
  void validate_whenContainerMemoryAboveTaskMemory_isAnError() {
    ObjectNode d = story();
    container(d).put("memory", 8192);
    assertEquals(List.of("containerDefinitions[0].memory: the container's memory 8192 MiB is above the task memory"
        + " 4096 MiB"), errors(d));
  }

  @Test
  void validate_whenReservationAboveHardLimitOrTask_isAnError() {
    ObjectNode d = story();
    container(d).put("memoryReservation", 3000);
    assertOne(d, "containerDefinitions[0].memoryReservation: the soft limit 3000 MiB is above the hard limit 2048");
    container(d).remove("memory");
    container(d).put("memoryReservation", 5000);
    assertOne(d, "containerDefinitions[0].memoryReservation: the container's memory reservation 5000 MiB is above"
        + " the task memory 4096");
  }

  @Test
  void validate_whenContainerMemoryTiny_isAnError() {
    ObjectNode d = story();
    container(d).put("memory", 4);
    assertOne(d, "containerDefinitions[0].memory: a container needs at least 6 MiB");
  }

  @Test
  void validate_whenNoTaskMemoryAndNoContainerMemory_onEc2_isAnError() {
    ObjectNode d = story();
    d.remove("memory");
    d.remove("cpu");
    d.putArray("requiresCompatibilities").add("EC2");
    d.put("networkMode", "bridge");
    container(d).remove("memory");
    assertOne(d, "containerDefinitions[0].memory: without a task memory size a container needs memory");
  }

  @Test
  void validate_whenFargateWithoutSize_asksForCpuAndMemory() {
    ObjectNode d = story();
    d.remove("cpu");
    d.remove("memory");
    List<String> e = errors(d);
    assertEquals(List.of("cpu: Fargate tasks need a task CPU size (--cpu, for example 1024)",
        "memory: Fargate tasks need a task memory size in MiB (--memory, for example 4096)"), e);
  }

  @Test
  void validate_whenSizeUnparseable_saysSo() {
    ObjectNode d = story();
    d.put("cpu", "fast");
    d.put("memory", "plenty");
    assertEquals(List.of("cpu: 'fast' is not a CPU size (CPU units such as 1024, or \"1 vCPU\")",
        "memory: 'plenty' is not a memory size (MiB such as 2048, or \"2 GB\")"), errors(d));
  }

  @Test
  void validate_whenFargateNotAwsvpc_isAnError() {
    ObjectNode d = story();
    d.put("networkMode", "bridge");
    assertOne(d, "networkMode: Fargate tasks need networkMode awsvpc, not bridge");
    d.put("networkMode", "overlay");
    assertTrue(errors(d).contains("networkMode: 'overlay' is not one of awsvpc, bridge, host, none"), errors(d).toString());
  }

  @Test
  void validate_whenUnknownCompatibilityOrArchitecture_isAnError() {
    ObjectNode d = story();
    ((ArrayNode) d.get("requiresCompatibilities")).add("LAMBDA");
    d.putObject("runtimePlatform").put("cpuArchitecture", "RISCV");
    List<String> e = errors(d);
    assertTrue(e.contains("requiresCompatibilities[1]: 'LAMBDA' is not one of EC2, EXTERNAL, FARGATE,"
        + " MANAGED_INSTANCES"), e.toString());
    assertTrue(e.contains("runtimePlatform.cpuArchitecture: 'RISCV' is not X86_64 or ARM64"), e.toString());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536, 100000})
  void validate_whenContainerPortOutOfRange_namesThePath(int port) {
    ObjectNode d = story();
    ((ObjectNode) container(d).get("portMappings").get(0)).put("containerPort", port);
    assertOne(d, "containerDefinitions[0].portMappings[0].containerPort: port " + port + " is outside 1-65535");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 80, 65535})
  void validate_whenContainerPortAtBounds_accepts(int port) {
    ObjectNode d = story();
    ((ObjectNode) container(d).get("portMappings").get(0)).put("containerPort", port);
    assertEquals(List.of(), errors(d));
  }

  @Test
  void validate_whenHostPortDiffersInAwsvpc_isAnError() {
    ObjectNode d = story();
    ((ObjectNode) container(d).get("portMappings").get(0)).put("hostPort", 8080);
    assertOne(d, "containerDefinitions[0].portMappings[0].hostPort: in awsvpc network mode hostPort must equal");
  }

  @Test
  void validate_whenHostPortOutOfRangeOrZeroInAwsvpc_isAnError() {
    ObjectNode d = story();
    ((ObjectNode) container(d).get("portMappings").get(0)).put("hostPort", 70000);
    assertOne(d, "containerDefinitions[0].portMappings[0].hostPort: port 70000 is outside 1-65535");
    ((ObjectNode) container(d).get("portMappings").get(0)).put("hostPort", 0);
    assertOne(d, "containerDefinitions[0].portMappings[0].hostPort: port 0 is outside 1-65535");
  }

  @Test
  void validate_whenBridgeDynamicHostPort_accepts() {
    ObjectNode d = story();
    d.putArray("requiresCompatibilities").add("EC2");
    d.put("networkMode", "bridge");
    ((ObjectNode) container(d).get("portMappings").get(0)).put("hostPort", 0);
    assertEquals(List.of(), errors(d));
  }

  @Test
  void validate_whenProtocolUnknownOrPortTwice_isAnError() {
    ObjectNode d = story();
    ((ArrayNode) container(d).get("portMappings")).addObject().put("containerPort", 80).put("protocol", "tcp");
    assertOne(d, "containerDefinitions[0].portMappings[1]: port 80/tcp is mapped twice");
    ((ObjectNode) container(d).get("portMappings").get(1)).put("protocol", "sctp");
    assertOne(d, "containerDefinitions[0].portMappings[1].protocol: 'sctp' is not tcp or udp");
  }

  @Test
  void validate_whenMountNamesNoVolume_listsTheVolumes() {
    ObjectNode d = story();
    ((ObjectNode) container(d).get("mountPoints").get(0)).put("sourceVolume", "exports");
    assertEquals(List.of("containerDefinitions[0].mountPoints[0].sourceVolume: no volume named exports (volumes:"
        + " export-service)"), errors(d));
    d.remove("volumes");
    assertEquals(List.of("containerDefinitions[0].mountPoints[0].sourceVolume: no volume named exports (volumes:"
        + " none; add one with --volume exports)"), errors(d));
  }

  @Test
  void validate_whenMountPathRelative_isAnError() {
    ObjectNode d = story();
    ((ObjectNode) container(d).get("mountPoints").get(0)).put("containerPath", "sites/export-service");
    assertOne(d, "containerDefinitions[0].mountPoints[0].containerPath: a mount point needs an absolute");
  }

  @Test
  void validate_whenVolumeTwiceOrNameless_isAnError() {
    ObjectNode d = story();
    ((ArrayNode) d.get("volumes")).addObject().put("name", "export-service");
    assertOne(d, "volumes[1].name: volume export-service is defined twice");
    ((ObjectNode) d.get("volumes").get(1)).remove("name");
    assertOne(d, "volumes[1].name: a volume needs a name");
  }

  @Test
  void validate_whenFargateVolumeHasHostPath_isAnError() {
    ObjectNode d = story();
    ((ObjectNode) d.get("volumes").get(0)).putObject("host").put("sourcePath", "/var/data");
    assertOne(d, "volumes[0].host.sourcePath: Fargate does not support host paths");
  }

  @Test
  void validate_whenEfsVolumeLacksFileSystemOrEncryption_isAnError() {
    ObjectNode d = story();
    ObjectNode efs = ((ArrayNode) d.get("volumes")).addObject().put("name", "data").putObject("efsVolumeConfiguration");
    efs.putObject("authorizationConfig").put("iam", "ENABLED");
    List<String> e = errors(d);
    assertTrue(e.contains("volumes[1].efsVolumeConfiguration.fileSystemId: an EFS file system id (fs-...) is"
        + " required"), e.toString());
    assertTrue(e.contains("volumes[1].efsVolumeConfiguration.transitEncryption: IAM authorization needs"
        + " transitEncryption ENABLED"), e.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"DB_PASSWORD", "API_KEY", "github_token", "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY",
      "SIGNING_KEY", "CLIENT_SECRET", "DATABASE_CREDENTIALS"})
  void validate_whenPlainEnvLooksSecret_warnsButPasses(String name) {
    ObjectNode d = story();
    ((ArrayNode) container(d).get("environment")).addObject().put("name", name).put("value", "x");
    assertEquals(List.of(), errors(d));
    List<String> w = warnings(d);
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).startsWith("containerDefinitions[0].environment[2]: " + name + " looks like a secret"),
        w.get(0));
    assertTrue(w.get(0).contains("--secret " + name + "=ARN"), w.get(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"NODE_ENV", "PORT", "KEYBOARD_LAYOUT", "EXPORT_DIR", "LOG_LEVEL"})
  void validate_whenPlainEnvOrdinary_doesNotWarn(String name) {
    ObjectNode d = story();
    ((ArrayNode) container(d).get("environment")).addObject().put("name", name).put("value", "x");
    assertEquals(List.of(), TaskDefinitions.validate(d));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Not A Ref", "repo:bad tag", "Upper-Repo", "repo@sha256:abc", "repo:-tag", ":tag",
      "registry.example.com:port/repo", "repo//x"})
  void validate_whenImageDoesNotParse_isAnError(String image) {
    ObjectNode d = story();
    container(d).put("image", image);
    assertOne(d, "containerDefinitions[0].image: '" + image + "' is not an image reference: ");
  }

  @Test
  void validate_whenImageUnpinnedLatest_warns() {
    ObjectNode d = story();
    container(d).put("image", "node");
    assertEquals(List.of(), errors(d));
    assertEquals(1, warnings(d).size());
    assertTrue(warnings(d).get(0).contains("node is not pinned"), warnings(d).toString());
    container(d).put("image", "node:20.11-alpine");
    assertEquals(List.of(), TaskDefinitions.validate(d));
  }

  @Test
  void validate_whenContainerNamelessDuplicateOrImageless_isAnError() {
    ObjectNode d = story();
    ObjectNode second = ((ArrayNode) d.get("containerDefinitions")).addObject();
    second.put("name", "gantt-exporter-container");
    List<String> e = errors(d);
    assertTrue(e.contains("containerDefinitions[1].name: container gantt-exporter-container is defined twice"),
        e.toString());
    assertTrue(e.contains("containerDefinitions[1].image: a container needs an image (--image)"), e.toString());
    second.remove("name");
    assertTrue(errors(d).contains("containerDefinitions[1].name: a container needs a name (--container-name)"));
  }

  @Test
  void validate_whenNoContainers_isAnError() {
    ObjectNode d = story();
    d.putArray("containerDefinitions");
    assertOne(d, "containerDefinitions: at least one container is required");
  }

  @Test
  void validate_whenNoContainerEssential_isAnError() {
    ObjectNode d = story();
    container(d).put("essential", false);
    assertOne(d, "containerDefinitions: at least one container must be essential");
  }

  @Test
  void validate_whenDependsOnOrVolumesFromUnknownContainer_isAnError() {
    ObjectNode d = story();
    container(d).putArray("dependsOn").addObject().put("containerName", "sidecar").put("condition", "START");
    container(d).putArray("volumesFrom").addObject().put("sourceContainer", "sidecar");
    List<String> e = errors(d);
    assertEquals(List.of("containerDefinitions[0].volumesFrom[0].sourceContainer: no container named sidecar",
        "containerDefinitions[0].dependsOn[0].containerName: no container named sidecar"), e);
  }

  @Test
  void validate_whenSecretIncomplete_isAnError() {
    ObjectNode d = story();
    container(d).putArray("secrets").addObject().put("name", "DB_PASSWORD");
    assertOne(d, "containerDefinitions[0].secrets[0].valueFrom: a secret needs valueFrom");
  }

  @Test
  void validate_whenHealthCheckOutOfRange_namesEachField() {
    ObjectNode d = story();
    ObjectNode hc = container(d).putObject("healthCheck");
    hc.putArray("command").add("RUN").add("true");
    hc.put("interval", 1).put("timeout", 61).put("retries", 11).put("startPeriod", 301);
    assertEquals(List.of(
        "containerDefinitions[0].healthCheck.command[0]: the command must start with CMD, CMD-SHELL or NONE, not 'RUN'",
        "containerDefinitions[0].healthCheck.interval: interval 1 is outside 5-300 seconds",
        "containerDefinitions[0].healthCheck.timeout: timeout 61 is outside 2-60 seconds",
        "containerDefinitions[0].healthCheck.retries: retries 11 is outside 1-10",
        "containerDefinitions[0].healthCheck.startPeriod: startPeriod 301 is outside 0-300 seconds"), errors(d));
  }

  @Test
  void validate_whenAwslogsOnFargateLacksOptions_namesThem() {
    ObjectNode d = story();
    container(d).putObject("logConfiguration").put("logDriver", "awslogs").putObject("options")
        .put("awslogs-group", "/ecs/x");
    assertEquals(List.of(
        "containerDefinitions[0].logConfiguration.options: the awslogs driver needs the option awslogs-region",
        "containerDefinitions[0].logConfiguration.options: the awslogs driver needs the option awslogs-stream-prefix"),
        errors(d));
  }

  @Test
  void validate_whenContainerCpuAboveTask_isAnError() {
    ObjectNode d = story();
    container(d).put("cpu", 2048);
    assertOne(d, "containerDefinitions[0].cpu: container cpu 2048 must be between 0 and the task cpu 1024");
  }

  @Test
  void validate_reportsEveryViolationAtOnce() {
    ObjectNode d = story();
    d.put("cpu", "256");
    container(d).put("image", "Not A Ref").put("memory", 9000);
    ((ObjectNode) container(d).get("mountPoints").get(0)).put("sourceVolume", "nope");
    ((ObjectNode) container(d).get("portMappings").get(0)).put("containerPort", 0);
    assertEquals(5, errors(d).size(), Json.write(errors(d)));
  }

  @Test
  void validate_whenEfsUsesIamAuthorizationWithoutTaskRole_isAnError() {
    ObjectNode d = story();
    d.withArray("volumes").addObject().put("name", "data").putObject("efsVolumeConfiguration")
        .put("fileSystemId", "fs-0123456789abcdef0").put("transitEncryption", "ENABLED")
        .putObject("authorizationConfig").put("iam", "ENABLED");
    assertTrue(errors(d).stream().anyMatch(e -> e.startsWith("volumes[1].efsVolumeConfiguration.authorizationConfig.iam:")
        && e.contains("--task-role-arn")), errors(d).toString());
    d.put("taskRoleArn", "arn:aws:iam::123456789012:role/gantt-task");
    assertEquals(List.of(), errors(d));
  }
}
