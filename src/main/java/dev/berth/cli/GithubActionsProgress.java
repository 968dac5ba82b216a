package dev.berth.cli;

import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Progress for a step of a GitHub Actions job, on stderr (stdout keeps the result JSON): plain lines for
 * state changes, {@code ::group::}/{@code ::endgroup::} for phases, {@code ::warning::} and {@code ::error::}
 * annotations, {@code ::debug::} for detail (shown when the job runs with step debug logging), and
 * {@code ::add-mask::} for secrets that become known during the run (an ECR token, say), so the runner masks
 * them in every later line of the job, even in output that does not pass through berth's own masker.
 * Secrets that came from the environment are not announced: the workflow gave them to us, so GitHub already
 * masks them, and repeating a value is a chance to leak it. {@code BERTH_GITHUB_ADD_MASK=false} turns
 * announcing off (berth's masker still masks everything it prints).
 *
 * <p>Every line is passed through the {@link SecretMasker}; a plain line that the runner could take for a
 * command (service events and image labels are not ours) is printed with command processing stopped.
 */
final class GithubActionsProgress implements Progress {
  static final int MAX_EVENTS = 200;

  private final PrintStream err;
  private final String step;
  private final String prefix;
  private final int verbosity;
  private final SecretMasker masker;
  private final Runnable stopListening;
  private final List<String> events = new ArrayList<>();
  private int droppedEvents;
  private boolean groupOpen;

  GithubActionsProgress(PrintStream err, String step, int verbosity, SecretMasker masker) {
    this(err, step, verbosity, masker, true);
  }

  /** With {@code announceSecrets} false (BERTH_GITHUB_ADD_MASK=false) no secret is ever printed, not even to the runner. */
  GithubActionsProgress(PrintStream err, String step, int verbosity, SecretMasker masker, boolean announceSecrets) {
    this.err = err;
    this.step = step;
    this.prefix = "[" + step + "] ";
    this.verbosity = verbosity;
    this.masker = masker;
    this.stopListening = announceSecrets ? masker.onRegister(this::announceSecret) : () -> { };
  }

  @Override
  public void info(String message) {
    record(message);
    if (verbosity >= 0) {
      plain(prefix + message);
    }
  }

  @Override
  public void warn(String message) {
    record("WARNING: " + message);
    annotation("warning", message);
  }

  @Override
  public void error(String message) {
    record("ERROR: " + message);
    synchronized (err) {
      closeGroup();
      annotation("error", message);
    }
  }

  @Override
  public void detail(String message) {
    if (verbosity > 0) {
      plain(prefix + "  " + message);
    } else {
      emit(GithubActions.command("debug", masker.mask(message)));
    }
  }

  @Override
  public void beginPhase(String title) {
    record(title);
    synchronized (err) {
      closeGroup();
      emit(GithubActions.command("group", masker.mask(prefix + title)));
      groupOpen = true;
    }
  }

  @Override
  public void endPhase() {
    synchronized (err) {
      closeGroup();
    }
  }

  /** Ends the run's output: closes an open group and stops announcing secrets. */
  void finish() {
    synchronized (err) {
      closeGroup();
    }
    stopListening.run();
  }

  /** The progress lines of the run (info, phases, warnings, the error), masked, for the step summary. */
  List<String> events() {
    synchronized (events) {
      List<String> copy = new ArrayList<>();
      if (droppedEvents > 0) {
        copy.add("(" + droppedEvents + " earlier lines left out)");
      }
      copy.addAll(events);
      return copy;
    }
  }

  private void record(String line) {
    synchronized (events) {
      events.add(masker.mask(line));
      if (events.size() > MAX_EVENTS) {
        events.remove(0);
        droppedEvents++;
      }
    }
  }

  private void annotation(String kind, String message) {
    emit(GithubActions.command(kind, Map.of("title", "berth " + step), masker.mask(message)));
  }

  private void closeGroup() {
    if (groupOpen) {
      emit("::endgroup::");
      groupOpen = false;
    }
  }

  /** A line of text that is not a command: masked, and printed with commands stopped if it looks like one. */
  private void plain(String text) {
    String masked = masker.mask(text);
    synchronized (err) {
      for (String line : masked.split("\r?\n|\r", -1)) {
        if (GithubActions.looksLikeCommand(line)) {
          String token = "berth-" + UUID.randomUUID();
          err.println("::stop-commands::" + token);
          err.println(line);
          err.println("::" + token + "::");
        } else {
          err.println(line);
        }
      }
      err.flush();
    }
  }

  private void emit(String command) {
    synchronized (err) {
      err.println(command);
      err.flush();
    }
  }

  /**
   * Tells the runner a secret that appeared during the run. The value is printed only inside the command,
   * which the runner consumes and never shows; each line of a multi-line value is announced too, because
   * the runner masks line by line.
   */
  private void announceSecret(String secret) {
    synchronized (err) {
      err.println(GithubActions.command("add-mask", secret));
      if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
        for (String line : secret.split("\r?\n|\r")) {
          if (line.strip().length() >= 4) {
            err.println(GithubActions.command("add-mask", line.strip()));
          }
        }
      }
      err.flush();
    }
  }
}
