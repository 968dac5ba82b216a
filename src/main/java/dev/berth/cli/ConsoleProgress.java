package dev.berth.cli;

import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;
import java.io.PrintStream;

/** Progress lines on stderr, each passed through the secret masker. */
class ConsoleProgress implements Progress {
  private final PrintStream err;
  private final String prefix;
  private final int verbosity;
  private final SecretMasker masker;

  ConsoleProgress(PrintStream err, String stepName, int verbosity, SecretMasker masker) {
    this.err = err;
    this.prefix = "[" + stepName + "] ";
    this.verbosity = verbosity;
    this.masker = masker;
  }

  @Override
  public void info(String message) {
    if (verbosity >= 0) {
      print(prefix + message);
    }
  }

  @Override
  public void warn(String message) {
    print(prefix + "WARNING: " + message);
  }

  @Override
  public void error(String message) {
    print(prefix + "ERROR: " + message);
  }

  @Override
  public void detail(String message) {
    if (verbosity > 0) {
      print(prefix + "  " + message);
    }
  }

  protected void print(String line) {
    synchronized (err) {
      err.println(masker.mask(line));
      err.flush();
    }
  }
}
