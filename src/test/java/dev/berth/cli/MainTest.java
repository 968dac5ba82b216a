package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testbed.Berth;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void version_whenAsked_printsBerthAndVersion() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "--version");
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.stdout().matches("berth \\d+\\.\\d+\\.\\d+.*\\s*"), run.stdout());
  }

  @Test
  void help_listsAllFiveSteps() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "--help");
    assertEquals(0, run.exitCode(), run.toString());
    for (String step : new String[] {"ecr-push", "ecs-register-task", "ecs-deploy-service", "ecs-scale",
        "ecs-force-redeploy"}) {
      assertTrue(run.stdout().contains(step), step + " missing from\n" + run.stdout());
    }
  }

  @Test
  void unknownOption_exitsWithUsage2() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "ecs-scale", "--cluster", "c", "--service", "s", "--desired-count", "1",
        "--no-such-option");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("--no-such-option"), run.stderr());
  }

  @Test
  void noStep_exitsWithUsage2() {
    Berth.Run run = Berth.inProcess(java.util.Map.of());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
  }

  @Test
  void atFileArgument_whenGiven_isTakenAsTheValueAndTheFileIsNeverRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws java.io.IOException {
    // picocli's @FILE expansion would read this file as more arguments: the family and an injected option
    java.nio.file.Path file = tmp.resolve("VERSION");
    java.nio.file.Files.writeString(file, "leaked-family-value --endpoint-url http://injected.example\n");
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "ecs-register-task", "--family", "@" + file,
        "--container-name", "app", "--image", "nginx:1.27", "--cpu", "256", "--memory", "512",
        "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.stdout().contains("'@" + file + "' is not a family name"), run.stdout());
    for (String leak : new String[] {"leaked-family-value", "injected.example"}) {
      assertTrue(!run.stdout().contains(leak) && !run.stderr().contains(leak), leak + " leaked:\n" + run);
    }
  }

  @Test
  void atFileArgument_whenItIsTheWholeCommandLine_isNotExpanded(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws java.io.IOException {
    java.nio.file.Path file = tmp.resolve("args");
    java.nio.file.Files.writeString(file, "--version\n");
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "@" + file);
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(!run.stdout().contains("berth ") || run.stdout().contains("@" + file), run.toString());
  }

  @Test
  void durations_parseHumanAndIsoForms() {
    assertEquals(Duration.ofMinutes(15), DurationConverter.parse("15m"));
    assertEquals(Duration.ofSeconds(90), DurationConverter.parse("90"));
    assertEquals(Duration.ofMinutes(90), DurationConverter.parse("1h30m"));
    assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), DurationConverter.parse("PT30S"));
  }
}
