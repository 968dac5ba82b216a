package dev.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth ecs-register-task} (being built; see its issue). */
@Command(name = "ecs-register-task", mixinStandardHelpOptions = true, description = "Not built yet.")
public class EcsRegisterTaskCommand extends StepCommand {
  @Override
  protected Object execute(Context context) {
    throw dev.berth.report.BerthException.failed("ecs-register-task is not built yet");
  }
}
