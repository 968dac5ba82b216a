package dev.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth ecs-deploy-service} (being built; see its issue). */
@Command(name = "ecs-deploy-service", mixinStandardHelpOptions = true, description = "Not built yet.")
public class EcsDeployServiceCommand extends StepCommand {
  @Override
  protected Object execute(Context context) {
    throw dev.berth.report.BerthException.failed("ecs-deploy-service is not built yet");
  }
}
