package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testbed.Berth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's contract without AWS: invalid input exits 3 with every violation and makes no call (the endpoint
 * is a closed port, so any call would end in exit 4 instead; BERTH_API_LOG stays empty).
 */
class EcsRegisterTaskCommandTest {
  @TempDir
  Path dir;

  Berth.Run run(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("ecs-register-task"));
    all.addAll(List.of(args));
    all.addAll(List.of("--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:9"));
    Path log = dir.resolve("api.log");
    Berth.Run r = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    assertTrue(!Files.exists(log) || Files.readString(log).isEmpty(), "AWS calls were made: " + (Files.exists(log)
        ? Files.readString(log) : ""));
    return r;
  }

  static List<String> violations(JsonNode r) {
    List<String> l = new ArrayList<>();
    r.get("violations").forEach(v -> l.add(v.get("where").asText() + ": " + v.get("message").asText()));
    return l;
  }

  @Test
  void invalidParameters_exit3_listingEveryViolation() throws IOException {
    Berth.Run r = run("--family", "gantt-exporter-ecs-task", "--image", "Not A Ref", "--cpu", "256", "--memory",
        "4096", "--container-memory", "8192", "--port", "0", "--mount", "data:/sites/export-service",
        "--env", "DB_PASSWORD=hunter22");
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    JsonNode j = r.json();
    assertEquals("INVALID_INPUT", j.get("outcome").asText());
    List<String> v = violations(j);
    String all = String.join("\n", v);
    assertTrue(all.contains("memory: Fargate has no task size cpu 256 with memory 4096"), all);
    assertTrue(all.contains("containerDefinitions[0].image: 'Not A Ref' is not an image reference"), all);
    assertTrue(all.contains("containerDefinitions[0].memory: the container's memory 8192 MiB is above the task"
        + " memory 4096 MiB"), all);
    assertTrue(all.contains("containerDefinitions[0].portMappings[0].containerPort: port 0 is outside 1-65535"), all);
    assertTrue(all.contains("containerDefinitions[0].mountPoints[0].sourceVolume: no volume named data"), all);
    assertTrue(all.contains("DB_PASSWORD looks like a secret"), all);
    assertTrue(r.stderr().contains("DB_PASSWORD looks like a secret"), r.stderr());
  }

  @Test
  void missingFile_exit3() throws IOException {
    Berth.Run r = run("--file", dir.resolve("nope.json").toString());
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertTrue(r.json().get("error").asText().contains("--file: no such file"), r.stdout());
  }

  @Test
  void fileThatNeverEnds_exit3_withoutReadingItAll() throws IOException {
    Berth.Run r = run("--file", "/dev/zero");
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertEquals("invalid input: --file: /dev/zero is larger than 1 MiB, which no task definition is (ECS takes at"
        + " most 64 KiB); give the JSON file of one task definition", r.json().get("error").asText());
  }

  @Test
  void hugeFile_exit3() throws IOException {
    Path f = dir.resolve("huge.json");
    Files.writeString(f, "{\"family\":\"f\",\"tags\":[" + "{\"key\":\"k\",\"value\":\"v\"},".repeat(80_000)
        + "{\"key\":\"k\",\"value\":\"v\"}]}");
    Berth.Run r = run("--file", f.toString());
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertTrue(r.json().get("error").asText().contains("--file: " + f + " is larger than 1 MiB"), r.stdout());
  }

  @Test
  void folderOrDuplicateKeyInFile_exit3() throws IOException {
    Berth.Run folder = run("--file", dir.toString());
    assertEquals(ExitCodes.INVALID_INPUT, folder.exitCode(), folder.toString());
    assertTrue(folder.json().get("error").asText().contains("--file: " + dir + " is a folder"), folder.stdout());
    Path f = dir.resolve("td.json");
    Files.writeString(f, "{\"family\":\"f\",\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":"
        + "\"c\",\"image\":\"nginx:1.27\",\"image\":\"attacker.example/evil:1\"}]}");
    Berth.Run r = run("--file", f.toString());
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertEquals(List.of("containerDefinitions[0].image: duplicate key 'image': each key may appear once in an object"
        + " (readers disagree on which value wins) (td.json line 1, column 106)"), violations(r.json()));
  }

  @Test
  void typoInFile_exit3_namesPathAndFieldMeant() throws IOException {
    Path f = dir.resolve("td.json");
    Files.writeString(f, "{\"family\":\"f\",\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":"
        + "\"c\",\"image\":\"nginx:1.27\",\"memmory\":256}]}");
    Berth.Run r = run("--file", f.toString());
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertEquals(List.of("containerDefinitions[0].memmory: unknown field, did you mean memory?"), violations(r.json()));
    assertTrue(r.stderr().contains("containerDefinitions[0].memmory: unknown field, did you mean memory?"), r.stderr());
  }

  @Test
  void severalContainersWithoutContainerName_exit3() throws IOException {
    Path f = dir.resolve("td.json");
    Files.writeString(f, "{\"family\":\"f\",\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":["
        + "{\"name\":\"web\",\"image\":\"nginx:1.27\"},{\"name\":\"log\",\"image\":\"fluent-bit:3\"}]}");
    Berth.Run r = run("--file", f.toString(), "--image", "nginx:1.28");
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertEquals(List.of("--container-name: the definition has 2 containers (web, log); name the one that --image"
        + " change with --container-name"), violations(r.json()));
  }

  @Test
  void keepRevisionsZero_exit3() throws IOException {
    Berth.Run r = run("--family", "f", "--image", "nginx:1.27", "--cpu", "256", "--memory", "512",
        "--keep-revisions", "0");
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    assertTrue(violations(r.json()).get(0).startsWith("--keep-revisions: must be at least 1"), r.stdout());
  }

  @Test
  void help_listsEveryOptionOfTheIssue_withDefaults() {
    Berth.Run r = Berth.inProcess(Map.of(), "ecs-register-task", "--help");
    assertEquals(0, r.exitCode(), r.toString());
    for (String o : List.of("--file", "--family", "--container-name", "--image", "--cpu", "--memory",
        "--container-memory", "--container-memory-reservation", "--port", "--env", "--secret", "--volume",
        "--efs-volume", "--mount", "--execution-role-arn", "--task-role-arn", "--log-group", "--cpu-architecture",
        "--health-check", "--health-check-interval", "--health-check-timeout", "--health-check-retries",
        "--health-check-start-period", "--keep-revisions")) {
      assertTrue(r.stdout().contains(o + " ") || r.stdout().contains(o + "="), o + " missing:\n" + r.stdout());
    }
  }

  @Test
  void everyOption_statesItsDefault() {
    picocli.CommandLine cl = new picocli.CommandLine(new EcsRegisterTaskCommand());
    for (var o : cl.getCommandSpec().options()) {
      if (o.longestName().startsWith("--") && o.command().userObject() instanceof EcsRegisterTaskCommand
          && !o.usageHelp() && !o.versionHelp() && isOwn(o.longestName())) {
        assertTrue(String.join(" ", o.description()).contains("Default"), o.longestName() + " states no default");
      }
    }
  }

  private static boolean isOwn(String name) {
    for (var f : EcsRegisterTaskCommand.class.getDeclaredFields()) {
      var a = f.getAnnotation(picocli.CommandLine.Option.class);
      if (a != null && List.of(a.names()).contains(name)) {
        return true;
      }
    }
    return false;
  }
}
