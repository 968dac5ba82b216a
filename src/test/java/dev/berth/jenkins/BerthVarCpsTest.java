package dev.berth.jenkins;

import java.nio.file.Path;

/**
 * Every BerthVarTest again with the vars compiled by groovy-cps' CpsTransformer and run by its interpreter, as
 * Jenkins runs them: block steps' bodies are CPS closures, locals must survive across steps, @NonCPS methods
 * run as plain Groovy.
 */
class BerthVarCpsTest extends BerthVarTest {
  @Override
  PipelineHarness newHarness(Path workspace) {
    return new PipelineHarness(workspace, true);
  }
}
