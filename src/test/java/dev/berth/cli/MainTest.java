package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testbed.Berth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void main_whenARequiredOptionIsMisspelt_namesTheClosestOption_notTheWholeHelp() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "ecr-push", "--repositroy", "opensourceapirepo", "--tag", "1");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertEquals(java.util.List.of(
        "berth ecr-push: unknown option '--repositroy' (did you mean '--repository'?)",
        "Run 'berth ecr-push --help' for its options."), run.stderr().lines().toList());
    assertEquals("unknown option '--repositroy' (did you mean '--repository'?)", run.json().path("error").asText());
  }

  @Test
  void main_whenSeveralOptionsAreMisspelt_reportsEachWithItsClosestOption() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "ecs-scale", "--cluster", "c", "--servcie=s", "--desired-count",
        "1", "--regoin", "us-east-2", "--no-such-thing");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    String err = run.stderr();
    assertTrue(err.contains("unknown option '--servcie' (did you mean '--service'?)"), err);
    assertTrue(err.contains("unknown option '--regoin' (did you mean '--region'?)"), err);
    assertTrue(err.contains("unknown option '--no-such-thing'\n"), err);
    assertFalse(err.contains("missing required option '--service'"), "the suggestion says it: " + err);
    Berth.Run missing = Berth.inProcess(java.util.Map.of(), "ecs-scale", "--cluster", "c", "--desired-count", "1");
    assertTrue(missing.stderr().startsWith("berth ecs-scale: missing required option '--service'\n"), missing.stderr());
    assertTrue(err.lines().count() <= 6, "no usage text: " + err);
  }

  @Test
  void main_whenUsageError_printsOneJsonObjectOnStdout_andTheResultFile(@TempDir Path tmp) throws Exception {
    Path result = tmp.resolve("result.json");
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "ecs-scale", "--cluster", "c", "--service", "s",
        "--desired-count", "many", "--result-file", result.toString());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertEquals(1, run.stdout().strip().lines().count(), run.stdout());
    JsonNode json = run.json();
    assertFalse(json.path("ok").asBoolean(true));
    assertEquals("USAGE", json.path("outcome").asText());
    assertEquals(2, json.path("exitCode").asInt());
    assertTrue(json.path("error").asText().contains("'many'"), json.toString());
    assertEquals(run.stdout().strip(), Files.readString(result).strip());
  }

  @Test
  void main_whenNoStepOrAnUnknownStep_printsOneJsonObjectOnStdout() {
    Berth.Run none = Berth.inProcess(java.util.Map.of());
    assertEquals(ExitCodes.USAGE, none.exitCode(), none.toString());
    assertEquals("USAGE", none.json().path("outcome").asText());
    Berth.Run typo = Berth.inProcess(java.util.Map.of(), "ecs-scal", "--cluster", "c");
    assertEquals(ExitCodes.USAGE, typo.exitCode(), typo.toString());
    assertTrue(typo.json().path("error").asText().startsWith("unknown step 'ecs-scal' (did you mean "),
        typo.json().toString());
    assertTrue(typo.stderr().lines().count() <= 3, typo.stderr());
  }

  @Test
  void main_whenCommonOptionsComeBeforeTheStep_acceptsThem() {
    Berth.Run run = Berth.inProcess(java.util.Map.of(), "--region", "us-east-2", "-vv", "--profile=ci", "--quiet",
        "ecs-scale", "--cluster", "c", "--service", "s", "--desired-count", "many");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertEquals("berth ecs-scale: Invalid value for option '--desired-count': 'many' is not an int",
        run.stderr().lines().findFirst().orElseThrow(), "only the bad value is refused, not the options before the step");
  }

  @Test
  void stepFirst_movesLeadingCommonOptionsBehindTheStep_andLeavesEverythingElse() {
    assertEquals(List.of("ecs-scale", "--region", "us-east-2", "-v", "--endpoint-url=http://127.0.0.1:1", "--cluster",
        "c"), List.of(Main.stepFirst(new String[] {"--region", "us-east-2", "-v", "--endpoint-url=http://127.0.0.1:1",
            "ecs-scale", "--cluster", "c"})));
    assertEquals(List.of("ecs-scale", "--cluster", "c"),
        List.of(Main.stepFirst(new String[] {"ecs-scale", "--cluster", "c"})));
    assertEquals(List.of("--cluster", "c", "ecs-scale"),
        List.of(Main.stepFirst(new String[] {"--cluster", "c", "ecs-scale"})), "not a common option: left in place");
    assertEquals(List.of("--region", "ecs-scale"), List.of(Main.stepFirst(new String[] {"--region", "ecs-scale"})),
        "ecs-scale is --region's value here, and no step follows");
    assertEquals(List.of("--help"), List.of(Main.stepFirst(new String[] {"--help"})));
  }

  @Test
  void main_whenUsageErrorInGithubActions_writesTheOutputs(@TempDir Path tmp) throws Exception {
    Path output = tmp.resolve("output");
    Berth.Run run = Berth.inProcess(java.util.Map.of("GITHUB_ACTIONS", "true", "GITHUB_OUTPUT", output.toString()),
        "ecs-scale", "--clustr", "c");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().startsWith("::error title=berth ecs-scale::unknown option '--clustr' (did you mean "
        + "'--cluster'?)"), run.stderr());
    String outputs = Files.readString(output);
    assertTrue(outputs.contains("exit-code=2\n"), outputs);
    assertTrue(outputs.contains("ok=false\n"), outputs);
  }
}
