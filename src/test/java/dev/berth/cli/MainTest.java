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
  void durationOption_whenGoStyleWithFraction_isAccepted() {
    picocli.CommandLine cl = Main.commandLine(picocli.CommandLine.defaultFactory(), "ecs-deploy-service");
    cl.registerConverter(Duration.class, new DurationConverter());
    picocli.CommandLine.ParseResult r = cl.parseArgs("ecs-deploy-service", "--cluster", "c", "--service", "s",
        "--task-definition", "t:1", "--timeout", "2m30s", "--health-check-interval", "1.5s");
    assertEquals(Duration.ofSeconds(150), r.subcommand().matchedOptionValue("--timeout", null));
    assertEquals(Duration.ofMillis(1500), r.subcommand().matchedOptionValue("--health-check-interval", null));
  }

  @Test
  void fractionalSecondsForASecondsField_isInvalidInputNamingTheFlag() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "ecs-register-task", "--family", "f", "--container-name",
        "app", "--image", "nginx:1.27", "--cpu", "256", "--memory", "512", "--health-check", "true",
        "--health-check-interval", "1.5s", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.stdout().contains("--health-check-interval: whole seconds only, got 1.5s"), run.toString());
  }
}
