package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The steps' NAME=VALUE options on the command line: a bad one exits 3 before any AWS call (the endpoint is a closed
 * port and BERTH_API_LOG stays empty), every bad one is named by option and ordinal, and the secret text given
 * (a value given without its name, a value behind an empty or invalid name, a repeated name's value) appears in
 * neither stdout nor stderr.
 */
class NameValueOptionsTest {
  static final String SECRET = "Sup3rS3cretValue-9f8e7d";
  static final String OTHER = "An0therS3cret-1a2b3c";

  @TempDir
  Path dir;

  Berth.Run run(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:9"));
    Path log = dir.resolve("api.log");
    Berth.Run r = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    assertTrue(!Files.exists(log) || Files.readString(log).isEmpty(), "AWS calls were made: " + (Files.exists(log)
        ? Files.readString(log) : ""));
    assertEquals(ExitCodes.INVALID_INPUT, r.exitCode(), r.toString());
    for (String secret : List.of(SECRET, OTHER)) {
      assertFalse(r.stdout().contains(secret), "secret on stdout: " + r.stdout());
      assertFalse(r.stderr().contains(secret), "secret on stderr: " + r.stderr());
    }
    return r;
  }

  @Test
  void ecsRegisterTask_whenEnvIsBad_exit3_withoutShowingTheSecret() throws IOException {
    Berth.Run r = run("ecs-register-task", "--family", "web", "--container-name", "app", "--image", "nginx:1.27",
        "--cpu", "256", "--memory", "512", "--env", SECRET, "--env", "=" + SECRET, "--env", "NODE_ENV=production",
        "--env", "DB_PASSWORD=" + OTHER, "--env", "DB_PASSWORD=" + SECRET, "--secret", SECRET);
    String error = r.json().get("error").asText();
    assertTrue(error.contains("--env: the 1st --env is not NAME=VALUE (no '='; the text is not shown)"), error);
    assertTrue(error.contains("--env: the 2nd --env is not NAME=VALUE (no name before '='"), error);
    assertTrue(error.contains("--env: 'DB_PASSWORD' is given twice (the 4th and the 5th --env)"), error);
    assertTrue(error.contains("--secret: the 1st --secret is not NAME=ARN (no '='; the text is not shown)"), error);
    assertTrue(error.startsWith("invalid input (4 problems)"), error);
  }

  @Test
  void ecsRunTask_whenEnvIsBad_exit3_withoutShowingTheSecret() throws IOException {
    Berth.Run r = run("ecs-run-task", "--cluster", "gantt", "--service", "gantt-exporter", "--env", SECRET,
        "--env", "TOKEN=" + SECRET, "--env", "TOKEN=" + OTHER, "--env", "BAD\nNAME=" + OTHER);
    String error = r.json().get("error").asText();
    assertTrue(error.contains("--env: the 1st --env is not NAME=VALUE (no '='; the text is not shown)"), error);
    assertTrue(error.contains("--env: 'TOKEN' is given twice (the 2nd and the 3rd --env)"), error);
    assertTrue(error.contains("--env: the 4th --env's name is not an environment variable name"), error);
    assertFalse(error.contains("BAD"), error);
  }

  @Test
  void ecrPush_whenBuildArgIsBad_exit3_withoutShowingTheSecret() throws IOException {
    Path dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nARG TOKEN\nARG VERSION\n");
    Berth.Run r = run("ecr-push", "--repository", "web", "--dockerfile", dockerfile.toString(), "--build-arg",
        "VERSION", "--build-arg", SECRET, "--build-arg", "=" + SECRET, "--build-arg", "my-token=" + OTHER,
        "--build-arg", "VERSION=" + OTHER);
    String error = r.json().get("error").asText();
    assertTrue(error.contains("--build-arg: the 2nd --build-arg is neither NAME=VALUE nor a name alone (a Dockerfile"
        + " ARG name: letters, digits and _, not starting with a digit); the text is not shown"), error);
    assertTrue(error.contains("--build-arg: the 3rd --build-arg is not NAME=VALUE (no name before '='"), error);
    assertTrue(error.contains("--build-arg: the 4th --build-arg's name is not a Dockerfile ARG name"), error);
    assertTrue(error.contains("--build-arg: 'VERSION' is given twice (the 1st and the 5th --build-arg)"), error);
    assertFalse(error.contains("my-token"), error);
  }

  @Test
  void ecsDeployService_whenTagIsBad_exit3_withoutShowingTheText() throws IOException {
    Berth.Run r = run("ecs-deploy-service", "--cluster", "gantt", "--service", "web", "--task-definition", "web:1",
        "--tag", SECRET, "--tag", "team=a", "--tag", "team=b");
    String error = r.json().get("error").asText();
    assertEquals("invalid input (2 problems):\n  - --tag: the 1st --tag is not KEY=VALUE (no '='; the text is not"
        + " shown)\n  - --tag: 'team' is given twice (the 2nd and the 3rd --tag)", error);
  }

  @Test
  void ecsForceRedeploy_whenImageIsBad_exit3_namingEachOne() throws IOException {
    Berth.Run r = run("ecs-force-redeploy", "--cluster", "gantt", "--service", "web", "--image", "web=",
        "--image", "web=repo:1", "--image", "web=repo:2", "--image", SECRET);
    String error = r.json().get("error").asText();
    assertEquals("invalid input (3 problems):\n  - --image: the 1st --image (web) is not CONTAINER=IMAGE (nothing"
        + " after '=')\n  - --image: 'web' is given twice (the 2nd and the 3rd --image)\n  - --image: the 4th"
        + " --image is not CONTAINER=IMAGE (no '='; the text is not shown)", error);
  }

  @Test
  void anyStep_whenAValueIsSeparatedFromItsNameByASpace_exit2_withoutShowingTheValue() throws IOException {
    for (String[] args : List.of(
        new String[] {"ecs-run-task", "--cluster", "gantt", "--service", "web", "--env", "TOKEN", SECRET},
        new String[] {"ecs-register-task", "--family", "web", "--env=TOKEN", SECRET, "--cpu", "256"},
        new String[] {"ecr-push", "--repository", "web", "--build-arg", "NPM_TOKEN", SECRET, OTHER})) {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:9"));
      Berth.Run r = Berth.inProcess(Map.of(), all.toArray(String[]::new));
      assertEquals(ExitCodes.USAGE, r.exitCode(), r.toString());
      String option = args[0].equals("ecr-push") ? "--build-arg" : "--env";
      assertTrue(r.stderr().contains("unexpected argument after " + option + "'s value (the text is not shown"),
          r.toString());
      assertFalse((r.stdout() + r.stderr()).contains(SECRET) || (r.stdout() + r.stderr()).contains(OTHER),
          r.toString());
    }
    Berth.Run stray = Berth.inProcess(Map.of(), "ecs-scale", "--cluster", "gantt", "--service", "web", "three",
        "--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:9");
    assertTrue(stray.stderr().contains("unexpected argument 'three'"), stray.toString());
  }
}
