package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/** Chooses how progress, errors and results reach the user: a console, or GitHub Actions when GITHUB_ACTIONS is set. */
final class Reporters {
  private Reporters() {}

  static Progress progress(StepCommand.Runtime rt, String step, int verbosity, SecretMasker masker) {
    if (rt != null && GithubActions.enabled(rt.env())) {
      boolean announce = !"false".equalsIgnoreCase(rt.env().get("BERTH_GITHUB_ADD_MASK"));
      return new GithubActionsProgress(rt.err(), step, verbosity, masker, announce);
    }
    return new ConsoleProgress(rt == null ? System.err : rt.err(), step, verbosity, masker);
  }

  static void error(StepCommand.Runtime rt, String step, String message, Progress progress) {
    progress.error(message);
  }

  /**
   * Publishes the result beyond stdout. In GitHub Actions: one output per result key (kebab-case) plus
   * {@code result} (the whole object) and {@code exit-code} to {@code $GITHUB_OUTPUT}, and a Markdown summary
   * appended to {@code $GITHUB_STEP_SUMMARY}; everything passes through the masker first. Returns why the
   * outputs (what later steps of the job read) could not be written, or null; a summary that cannot be written
   * is only a warning.
   */
  static String publish(StepCommand.Runtime rt, String step, ObjectNode result, int exitCode, SecretMasker masker,
      Progress progress) {
    if (rt == null || !GithubActions.enabled(rt.env())) {
      return null;
    }
    GithubActionsProgress gh = progress instanceof GithubActionsProgress g ? g : null;
    if (gh != null) {
      gh.finish();
    }
    Map<String, String> env = rt.env();
    String problem = null;
    String outputFile = env.get("GITHUB_OUTPUT");
    if (outputFile != null && !outputFile.isBlank()) {
      StringBuilder b = new StringBuilder();
      Map<String, String> outputs = GithubActions.outputs(result);
      outputs.putIfAbsent("exit-code", String.valueOf(exitCode));
      outputs.forEach((name, value) -> b.append(GithubActions.outputEntry(name, masker.mask(value))));
      try {
        append(Path.of(outputFile), b.toString());
      } catch (IOException e) {
        problem = "cannot write GITHUB_OUTPUT (" + outputFile + "): " + ResultFile.reason(e);
      }
    }
    String summaryFile = env.get("GITHUB_STEP_SUMMARY");
    if (summaryFile != null && !summaryFile.isBlank()) {
      List<String> events = gh == null ? List.of() : gh.events();
      try {
        append(Path.of(summaryFile), masker.mask(GithubActions.summary(step, result, exitCode, events)));
      } catch (IOException e) {
        progress.warn("cannot write GITHUB_STEP_SUMMARY (" + summaryFile + "): " + e.getMessage());
      }
    }
    return problem;
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }
}
