package dev.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth ecr-push} (being built; see its issue). */
@Command(name = "ecr-push", mixinStandardHelpOptions = true, description = "Not built yet.")
public class EcrPushCommand extends StepCommand {
  @Override
  protected Object execute(Context context) {
    throw dev.berth.report.BerthException.failed("ecr-push is not built yet");
  }
}
