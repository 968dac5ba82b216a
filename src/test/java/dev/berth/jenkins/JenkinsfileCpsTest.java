package dev.berth.jenkins;

import java.nio.file.Path;

/** Every JenkinsfileTest again with the Jenkinsfile and the vars run by groovy-cps, persisted at every step. */
class JenkinsfileCpsTest extends JenkinsfileTest {
  @Override
  PipelineHarness newHarness(Path workspace) {
    return new PipelineHarness(workspace, true);
  }
}
