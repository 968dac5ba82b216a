package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.BerthException;
import dev.berth.report.InvalidInputException;
import dev.berth.report.SecretMasker;
import dev.berth.report.Violation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A step command's whole reporting path (StepCommand -> Reporters) with GITHUB_ACTIONS=true and without. */
class ReportersTest {
  @TempDir Path tmp;

  @Command(name = "fake-step")
  static class FakeStep extends StepCommand {
    /** A secret the step "finds" during the run (a new one per run: the masker is global). */
    static String secret;

    @Option(names = "--fail") String fail;

    @Override
    protected Object execute(Context context) {
      context.progress().beginPhase("Deploying");
      context.progress().info("deployment ecs-svc/1 started");
      secret = "token-found-mid-run-" + java.util.UUID.randomUUID();
      SecretMasker.global().register(secret);
      context.progress().info("authenticated with " + secret);
      context.progress().endPhase();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("taskDefinitionArn", "arn:aws:ecs:us-east-2:123456789012:task-definition/gantt:3");
      result.put("rolloutState", "COMPLETED");
      result.put("autoscaling", new java.util.TreeMap<>(Map.of("max", 4, "min", 1)));
      result.put("loadBalancerDnsName", "gantt-1.us-east-2.elb.amazonaws.com");
      if ("invalid".equals(fail)) {
        throw new InvalidInputException(List.of(Violation.error("--cpu", "256 CPU allows 512-2048 MiB"),
            Violation.warning("--env DB_PASSWORD", "looks like a secret")));
      }
      if ("rollback".equals(fail)) {
        result.put("rolloutState", "ROLLED_BACK");
        throw BerthException.failed("rolled back by the circuit breaker:\n  task stopped: 100% CannotPull")
            .withResult(result);
      }
      return result;
    }
  }

  record Out(int code, String stdout, String stderr, Map<String, String> outputs, String summary) {}

  Out run(Map<String, String> extraEnv, String... args) throws Exception {
    Path output = tmp.resolve("output");
    Path summary = tmp.resolve("summary.md");
    Files.writeString(output, "earlier=kept\n");
    Files.deleteIfExists(summary);
    Map<String, String> env = new LinkedHashMap<>(Map.of("GITHUB_ACTIONS", "true", "GITHUB_OUTPUT", output.toString(),
        "GITHUB_STEP_SUMMARY", summary.toString(), "AWS_REGION", "us-east-2"));
    env.putAll(extraEnv);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    FakeStep step = new FakeStep();
    step.init(new StepCommand.Runtime(env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    int code = new CommandLine(step).execute(args);
    return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
        Files.exists(output) ? GithubActionsTest.parseOutputFile(Files.readString(output)) : Map.of(),
        Files.exists(summary) ? Files.readString(summary) : "");
  }

  @Test
  void success_writesOutputsSummaryGroupsAndMasks() throws Exception {
    Out o = run(Map.of());
    assertEquals(0, o.code(), o.stderr());
    assertEquals("kept", o.outputs().get("earlier"), "the output file is appended to");
    assertEquals("arn:aws:ecs:us-east-2:123456789012:task-definition/gantt:3", o.outputs().get("task-definition-arn"));
    assertEquals("COMPLETED", o.outputs().get("rollout-state"));
    assertEquals("{\"max\":4,\"min\":1}", o.outputs().get("autoscaling"));
    assertEquals("gantt-1.us-east-2.elb.amazonaws.com", o.outputs().get("load-balancer-dns-name"));
    assertEquals("true", o.outputs().get("ok"));
    assertEquals("0", o.outputs().get("exit-code"));
    assertEquals(o.stdout().strip(), o.outputs().get("result"));
    assertTrue(o.stderr().startsWith("::group::[fake-step] Deploying\n"), o.stderr());
    assertTrue(o.stderr().contains("::add-mask::" + FakeStep.secret + "\n"), o.stderr());
    assertEquals(1, o.stderr().split(java.util.regex.Pattern.quote(FakeStep.secret), -1).length - 1,
        "the secret is printed once, inside add-mask: " + o.stderr());
    assertTrue(o.stderr().contains("[fake-step] authenticated with ***\n"), o.stderr());
    assertTrue(o.stderr().contains("::endgroup::"), o.stderr());
    assertTrue(o.summary().startsWith("### ✅ berth fake-step: succeeded"), o.summary());
    assertTrue(o.summary().contains("| Task definition | <code>gantt:3</code> revision 3 |"), o.summary());
    assertTrue(o.summary().contains("| Endpoint | http://gantt-1.us-east-2.elb.amazonaws.com |"), o.summary());
    assertTrue(o.summary().contains("deployment ecs-svc/1 started"), o.summary());
    assertFalse(o.summary().contains(FakeStep.secret), o.summary());
    assertFalse(o.stdout().contains(FakeStep.secret), o.stdout());
  }

  @Test
  void failure_isAnErrorAnnotation_withPartialResultInOutputsAndSummary() throws Exception {
    Out o = run(Map.of(), "--fail", "rollback");
    assertEquals(ExitCodes.FAILED, o.code());
    assertTrue(o.stderr().contains("::error title=berth fake-step::rolled back by the circuit breaker:%0A  task "
        + "stopped: 100%25 CannotPull\n"), o.stderr());
    assertEquals("false", o.outputs().get("ok"));
    assertEquals("1", o.outputs().get("exit-code"));
    assertEquals("FAILED", o.outputs().get("outcome"));
    assertEquals("ROLLED_BACK", o.outputs().get("rollout-state"));
    assertEquals("rolled back by the circuit breaker:\n  task stopped: 100% CannotPull", o.outputs().get("error"));
    assertTrue(o.summary().startsWith("### ❌ berth fake-step: failed (exit 1, FAILED)"), o.summary());
    assertTrue(o.summary().contains("| Verdict | <b>ROLLED_BACK</b> |"), o.summary());
  }

  @Test
  void invalidInput_warnsAndErrs_andListsViolations() throws Exception {
    Out o = run(Map.of(), "--fail", "invalid");
    assertEquals(ExitCodes.INVALID_INPUT, o.code());
    assertTrue(o.stderr().contains("::warning title=berth fake-step::--env DB_PASSWORD: looks like a secret\n"),
        o.stderr());
    assertTrue(o.stderr().contains("::error title=berth fake-step::invalid input: --cpu: 256 CPU allows 512-2048 MiB"),
        o.stderr());
    assertEquals("3", o.outputs().get("exit-code"));
    assertTrue(o.outputs().get("violations").contains("\"where\":\"--cpu\""), o.outputs().toString());
  }

  @Test
  void environmentSecrets_areMaskedButNeverAnnounced() throws Exception {
    Out o = run(Map.of("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    assertFalse(o.stderr().contains("wJalrXUtnFEMI"), o.stderr());
    assertFalse(o.stdout().contains("wJalrXUtnFEMI"), o.stdout());
  }

  @Test
  void addMaskOff_noSecretIsPrintedAtAll() throws Exception {
    Out o = run(Map.of("BERTH_GITHUB_ADD_MASK", "false"));
    assertEquals(0, o.code());
    assertFalse(o.stderr().contains(FakeStep.secret), o.stderr());
    assertFalse(o.stderr().contains("add-mask"), o.stderr());
  }

  @Test
  void withoutGithubActions_nothingIsWrittenBeyondStdout() throws Exception {
    Out o = run(Map.of("GITHUB_ACTIONS", "false"));
    assertEquals(0, o.code());
    assertEquals(Map.of("earlier", "kept"), o.outputs());
    assertEquals("", o.summary());
    assertFalse(o.stderr().contains("::"), o.stderr());
  }

  @Test
  void usageError_inGithubActions_isAnErrorAnnotation() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"ecs-scale", "--desired-count", "many"}, Map.of("GITHUB_ACTIONS", "true"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(ExitCodes.USAGE, code);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.startsWith("::error title=berth ecs-scale::"), e);
    assertTrue(e.contains("many"), e);
  }
}
