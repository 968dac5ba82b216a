package dev.berth.report;

/** How a step ended. The CLI maps these to exit codes in one place ({@code dev.berth.cli.ExitCodes}). */
public enum Outcome {
  /** The step did what was asked. */
  OK,
  /** The step ran and failed: rollout failed or rolled back, push rejected, superseded. */
  FAILED,
  /** The command line could not be parsed. */
  USAGE,
  /** Input was invalid; caught before any AWS call that changes something. */
  INVALID_INPUT,
  /** AWS or registry access: credentials, permissions, region, unreachable endpoint. */
  ACCESS,
  /** The step's deadline passed. */
  TIMED_OUT
}
