package dev.berth.report;

/**
 * Progress of a step, for a person reading a CI log. One call per state change, never one per poll.
 * Implementations write to stderr (console), GitHub Actions workflow commands, or record for tests; all of
 * them pass text through the {@link SecretMasker}.
 */
public interface Progress {
  /** A state change worth a line: "created repository x", "rolloutState IN_PROGRESS -> COMPLETED". */
  void info(String message);

  /** Something the user should look at that does not stop the step. */
  void warn(String message);

  /** The step's failure, once, at the end. */
  default void error(String message) {
    warn(message);
  }

  /** Detail shown only at higher verbosity (each request, each blob). */
  void detail(String message);

  /** Starts a foldable phase (a GitHub Actions group; a heading on a console). */
  default void beginPhase(String title) {
    info(title);
  }

  default void endPhase() {}

  /** A progress that prints nothing. */
  static Progress silent() {
    return new Progress() {
      @Override
      public void info(String message) {}

      @Override
      public void warn(String message) {}

      @Override
      public void detail(String message) {}
    };
  }
}
