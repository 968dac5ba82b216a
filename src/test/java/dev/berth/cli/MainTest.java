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
  void region_whenNotAnAwsRegion_exits3WithTheClosestNames_beforeAnyCall() {
    // the endpoint is a closed port: a call would be exit 4, not 3
    Berth.Run run = Berth.inProcess(java.util.Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY",
        "testing"), "ecs-scale", "--cluster", "c", "--service", "s", "--desired-count", "1", "--region", "us-est-2",
        "--endpoint-url", "http://127.0.0.1:9");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("'us-est-2' is not an AWS region; closest: us-east-2"), run.stderr());
  }

  @Test
  void noStep_exitsWithUsage2() {
    Berth.Run run = Berth.inProcess(java.util.Map.of());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
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
