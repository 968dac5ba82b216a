package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --result-file and BERTH_API_LOG against moto: checked before the first change (exit 3, nothing registered);
 * a result that cannot be written after the change is exit 1 that says so, never exit 0 with a warning; a log
 * line that cannot be appended stops no call.
 */
class ResultDeliveryIT {
  final MotoServer moto = MotoServer.shared();
  @TempDir
  Path tmp;

  @BeforeEach
  void reset() {
    moto.reset();
  }

  Berth.Run register(Map<String, String> env, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("ecs-register-task", "--family", "delivery",
        "--container-name", "app", "--image", "nginx:1.27", "--cpu", "256", "--memory", "512"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()));
    return Berth.inProcess(env, args.toArray(String[]::new));
  }

  List<String> families() {
    try (var aws = moto.clients()) {
      return aws.ecs().listTaskDefinitionFamilies(b -> b.familyPrefix("delivery")).families();
    }
  }

  @Test
  void resultFileAndApiLog_whenTheyCannotBeWritten_areInvalidInputBeforeAnyCall_bothNamed() throws Exception {
    Path missing = tmp.resolve("no-such-folder").resolve("result.json");
    Path logDir = Files.createDirectories(tmp.resolve("log-is-a-folder"));
    Berth.Run run = register(Map.of("BERTH_API_LOG", logDir.toString()), "--result-file", missing.toString());
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    JsonNode json = run.json();
    assertEquals("INVALID_INPUT", json.path("outcome").asText());
    String error = json.path("error").asText();
    assertTrue(error.contains("--result-file: cannot write " + missing + ": no such folder"), error);
    assertTrue(error.contains("BERTH_API_LOG: " + logDir + " is a folder, not a file"), error);
    assertEquals(List.of(), families(), "nothing registered");
    assertFalse(Files.exists(missing.getParent()));
  }

  @Test
  void resultFile_whenAFolderOrUnderAFile_isInvalidInputBeforeAnyCall() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("results"));
    Berth.Run run = register(Map.of(), "--result-file", folder.toString());
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("--result-file: " + folder + " is a folder, not a file"),
        run.toString());
    Path underAFile = Files.writeString(tmp.resolve("plain"), "x").resolve("result.json");
    run = register(Map.of(), "--result-file", underAFile.toString());
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("--result-file: cannot write " + underAFile
        + ": no such folder"), run.toString());
    assertEquals(List.of(), families(), "nothing registered");
  }

  @Test
  void resultFile_whenTheWriteFailsAfterTheChange_isExit1SayingSo_notExit0() {
    // /dev/full passes every check (it exists and is writable) and refuses the write: ENOSPC after the change
    Berth.Run run = register(Map.of(), "--result-file", "/dev/full");
    assertEquals(ExitCodes.FAILED, run.exitCode(), run.toString());
    JsonNode json = run.json();
    assertFalse(json.path("ok").asBoolean(true));
    assertEquals(1, json.path("exitCode").asInt());
    assertTrue(json.path("error").asText().startsWith("ecs-register-task completed, but its result could not be "
        + "written to --result-file /dev/full: "), json.toString());
    assertTrue(json.path("taskDefinitionArn").asText().endsWith(":task-definition/delivery:1"),
        "the result is on stdout: " + json);
    assertEquals(List.of("delivery"), families().stream().map(a -> a.substring(a.lastIndexOf('/') + 1)).toList());
    assertTrue(run.stderr().contains("could not be written to --result-file /dev/full"), run.stderr());
  }

  @Test
  void resultFile_whenWritable_holdsExactlyTheStdoutObject() throws Exception {
    Path file = tmp.resolve("result.json");
    Files.writeString(file, "an older, longer result that must not survive in any part\n".repeat(20));
    Berth.Run run = register(Map.of(), "--result-file", file.toString());
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertEquals(run.stdout().strip(), Files.readString(file).strip());
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
  }

  @Test
  void githubOutput_whenAFolder_isInvalidInputBeforeAnyCall() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("outputs"));
    Berth.Run run = register(Map.of("GITHUB_ACTIONS", "true", "GITHUB_OUTPUT", folder.toString()));
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("GITHUB_OUTPUT: " + folder + " is a folder, not a file"),
        run.toString());
    assertEquals(List.of(), families(), "nothing registered");
  }

  @Test
  void githubOutput_whenTheWriteFailsAfterTheChange_isExit1SayingSo_notExit0() {
    Berth.Run run = register(Map.of("GITHUB_ACTIONS", "true", "GITHUB_OUTPUT", "/dev/full"));
    assertEquals(ExitCodes.FAILED, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().startsWith("ecs-register-task completed, but cannot write "
        + "GITHUB_OUTPUT (/dev/full): "), run.toString());
    assertTrue(run.json().path("taskDefinitionArn").asText().endsWith("delivery:1"), run.toString());
    assertEquals(1, families().size());
  }

  @Test
  void apiLog_whenAnAppendFailsDuringTheRun_theStepStillCompletes_andEndsWithExit1() {
    Berth.Run run = register(Map.of("BERTH_API_LOG", "/dev/full"));
    assertEquals(ExitCodes.FAILED, run.exitCode(), run.toString());
    String error = run.json().path("error").asText();
    assertTrue(error.startsWith("ecs-register-task completed, but cannot append ecs:"), error);
    assertTrue(error.contains("to BERTH_API_LOG /dev/full"), error);
    assertTrue(run.json().path("taskDefinitionArn").asText().endsWith("delivery:1"), run.toString());
    assertEquals(1, families().size(), "registered: the log stopped no call");
  }

  @Test
  void apiLog_whenWritable_getsEveryCall() throws Exception {
    Path log = tmp.resolve("calls.log");
    Berth.Run run = register(Map.of("BERTH_API_LOG", log.toString()));
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertTrue(Files.readAllLines(log).contains("ecs:RegisterTaskDefinition"), Files.readString(log));
  }
}
