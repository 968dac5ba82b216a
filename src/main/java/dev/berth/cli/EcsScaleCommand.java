package dev.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth ecs-scale} (being built; see its issue). */
@Command(name = "ecs-scale", mixinStandardHelpOptions = true, description = "Not built yet.")
public class EcsScaleCommand extends StepCommand {
  @Override
  protected Object execute(Context context) {
    throw dev.berth.report.BerthException.failed("ecs-scale is not built yet");
  }
}
