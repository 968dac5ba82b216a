package dev.berth.cli;

import dev.berth.report.Outcome;

/** The one table of exit codes (see README): the only place an {@link Outcome} becomes a number. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int INVALID_INPUT = 3;
  public static final int ACCESS = 4;
  public static final int TIMED_OUT = 5;

  private ExitCodes() {}

  public static int of(Outcome outcome) {
    return switch (outcome) {
      case OK -> OK;
      case FAILED -> FAILED;
      case USAGE -> USAGE;
      case INVALID_INPUT -> INVALID_INPUT;
      case ACCESS -> ACCESS;
      case TIMED_OUT -> TIMED_OUT;
    };
  }
}
