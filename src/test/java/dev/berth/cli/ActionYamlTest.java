package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps action.yml (inputs, outputs) and the entry point's inputs.tsv in step with the CLI options and the
 * steps' result keys. With -Dberth.regenerate=true it rewrites both files instead of failing.
 */
class ActionYamlTest {
  @BeforeAll
  static void regenerateWhenAsked() throws Exception {
    if (Boolean.getBoolean("berth.regenerate")) {
      ActionYaml.write(Path.of("."));
    }
  }

  @Test
  void actionYml_matchesCliOptionsAndResultKeys() throws Exception {
    assertUpToDate(ActionYaml.ACTION_YML, ActionYaml.actionYml());
  }

  @Test
  void inputsTsv_matchesCliOptions() throws Exception {
    assertUpToDate(ActionYaml.INPUTS_TSV, ActionYaml.inputsTsv());
  }

  @Test
  void stepActions_matchCliOptionsAndResultKeys() throws Exception {
    for (String step : ActionYaml.STEP_CLASSES.keySet()) {
      assertUpToDate(ActionYaml.stepActionYmlPath(step), ActionYaml.stepActionYml(step));
    }
  }

  @Test
  void stepAction_takesOnlyItsStepsInputs_andGivesOnlyItsOutputs() throws Exception {
    String yml = Files.readString(ActionYaml.stepActionYmlPath("ecs-scale"));
    Set<String> inputs = section(yml, "inputs");
    assertTrue(inputs.containsAll(List.of("cluster", "service", "desired-count", "region", "berth-jar")), inputs.toString());
    assertTrue(!inputs.contains("step") && !inputs.contains("repository") && !inputs.contains("task-definition"),
        "only ecs-scale's inputs: " + inputs);
    Set<String> outputs = section(yml, "outputs");
    assertTrue(outputs.containsAll(List.of("desired-count", "previous-desired-count", "ok", "exit-code", "result")),
        outputs.toString());
    assertTrue(!outputs.contains("digest") && !outputs.contains("load-balancer-dns-name"), outputs.toString());
    assertTrue(yml.contains("\n        INPUT_STEP: ecs-scale\n"), "the step is fixed");
    assertTrue(yml.contains("bash \"$GITHUB_ACTION_PATH/../.github/action/entrypoint.sh\""), "runs the shared entry point");
    assertTrue(yml.contains("  cluster:\n    description: \"Cluster of the service (required; no default).\"\n"
        + "    required: true\n"), "a required option is a required input");
  }

  @Test
  void actionsItUses_arePinnedByFullCommitSha() throws Exception {
    for (String step : ActionYaml.STEP_CLASSES.keySet()) {
      assertPinned(ActionYaml.stepActionYmlPath(step));
    }
    assertPinned(ActionYaml.ACTION_YML);
  }

  static void assertPinned(Path file) throws Exception {
    Pattern uses = Pattern.compile("^\\s*(?:- )?uses: *(\\S+)(.*)$");
    int n = 0;
    for (String line : Files.readAllLines(file)) {
      Matcher m = uses.matcher(line);
      if (!m.matches()) {
        continue;
      }
      n++;
      String ref = m.group(1);
      assertTrue(ref.startsWith("./") || ref.matches("[\\w.-]+/[\\w./-]+@[0-9a-f]{40}"),
          file + ": " + ref + " is not pinned by a full commit SHA");
      assertTrue(ref.startsWith("./") || m.group(2).matches(" +# v\\d+\\.\\d+\\.\\d+"),
          file + ": say which release the SHA is: " + line);
    }
    assertTrue(n > 0, file + " uses no action?");
  }

  @Test
  void everyCliOption_isAnInputWithItsDefaultStated() throws Exception {
    String yml = Files.readString(ActionYaml.ACTION_YML);
    Set<String> inputs = section(yml, "inputs");
    for (ActionYaml.Input i : ActionYaml.inputs()) {
      assertTrue(inputs.contains(i.name()), i.step() + " " + i.option() + " has no input in action.yml");
      String d = i.description().toLowerCase(Locale.ROOT);
      assertTrue(d.contains("default") || d.contains("required"), i.step() + " " + i.option()
          + ": the description must state the default: " + i.description());
    }
    for (String own : ActionYaml.actionInputs().keySet()) {
      assertTrue(inputs.contains(own), own);
    }
  }

  @Test
  void everyResultKey_isAnOutput() throws Exception {
    Set<String> outputs = section(Files.readString(ActionYaml.ACTION_YML), "outputs");
    List<String> missing = new ArrayList<>();
    ActionYaml.resultKeys().forEach((step, keys) -> keys.forEach(k -> {
      if (!outputs.contains(GithubActions.kebab(k))) {
        missing.add(step + "." + k);
      }
    }));
    for (String k : ActionYaml.FAILURE_KEYS) {
      if (!outputs.contains(GithubActions.kebab(k))) {
        missing.add(k);
      }
    }
    assertTrue(missing.isEmpty(), "result keys without an output: " + missing + "; regenerate: " + ActionYaml.REGENERATE);
    assertTrue(outputs.contains("result"));
    assertTrue(outputs.contains("digest") && outputs.contains("task-definition-arn") && outputs.contains("rollout-state")
        && outputs.contains("load-balancer-dns-name") && outputs.contains("deployment-id"), outputs.toString());
  }

  @Test
  void stepInput_namesTheFiveSteps() {
    assertEquals(List.of("ecr-push", "ecs-register-task", "ecs-deploy-service", "ecs-scale", "ecs-force-redeploy"),
        List.copyOf(ActionYaml.STEP_CLASSES.keySet()));
    assertEquals(Set.copyOf(ActionYaml.STEP_CLASSES.keySet()), Main.STEPS.keySet());
  }

  @Test
  void secretLookingOptions_areRefused() {
    assertTrue(ActionYaml.SECRET_OPTION.matcher("registry-password").matches());
    assertTrue(ActionYaml.SECRET_OPTION.matcher("session-token").matches());
    assertTrue(!ActionYaml.SECRET_OPTION.matcher("secret").matches(), "--secret K=ARN carries an ARN");
  }

  /** The keys directly under a top-level section of action.yml. */
  static Set<String> section(String yml, String name) {
    Set<String> keys = new LinkedHashSet<>();
    boolean in = false;
    Pattern key = Pattern.compile("^  ([a-z0-9][a-z0-9-]*):\\s*$");
    for (String line : yml.split("\n")) {
      if (!line.startsWith(" ") && !line.startsWith("#")) {
        in = line.equals(name + ":");
        continue;
      }
      Matcher m = key.matcher(line);
      if (in && m.matches()) {
        keys.add(m.group(1));
      }
    }
    return keys;
  }

  private static void assertUpToDate(Path file, String expected) throws Exception {
    String actual = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    if (!expected.equals(actual)) {
      List<String> e = List.of(expected.split("\n"));
      List<String> a = List.of(actual.split("\n"));
      List<String> added = e.stream().filter(l -> !a.contains(l)).limit(15).toList();
      List<String> removed = a.stream().filter(l -> !e.contains(l)).limit(15).toList();
      fail(file + " is out of date with the CLI options / result keys. Regenerate it with:\n  "
          + ActionYaml.REGENERATE + "\nlines the CLI model adds:\n  " + String.join("\n  ", added)
          + "\nlines it no longer has:\n  " + String.join("\n  ", removed));
    }
  }
}
