package dev.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth ecs-force-redeploy} (being built; see its issue). */
@Command(name = "ecs-force-redeploy", mixinStandardHelpOptions = true, description = "Not built yet.")
public class EcsForceRedeployCommand extends StepCommand {
  @Override
  protected Object execute(Context context) {
    throw dev.berth.report.BerthException.failed("ecs-force-redeploy is not built yet");
  }
}
