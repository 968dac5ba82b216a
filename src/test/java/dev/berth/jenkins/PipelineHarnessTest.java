package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.jenkins.PipelineHarness.PipelineError;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: unknown steps fail, declarative sections run in Jenkins' order. */
class PipelineHarnessTest {
  @TempDir Path tmp;

  @Test
  void unknownStep_failsTheRun() {
    PipelineHarness h = new PipelineHarness(tmp);
    AssertionError e = assertThrows(AssertionError.class, () -> h.run("node { sh 'true' }"));
    assertTrue(e.getMessage().contains("does not know: node"), e.getMessage());
  }

  @Test
  void unknownVariable_failsTheRun() {
    PipelineHarness h = new PipelineHarness(tmp);
    Exception e = assertThrows(groovy.lang.MissingPropertyException.class, () -> h.run("echo(foo.bar)"));
    assertTrue(e.getMessage().contains("'foo'"), e.getMessage());
  }

  @Test
  void declarative_runsStagesWithParametersEnvironmentWhenInputAndPost() {
    PipelineHarness h = new PipelineHarness(tmp);
    h.params.put("GO", true);
    h.run("""
        @Library('berth') _
        def shared
        pipeline {
          agent any
          options { timeout(time: 5, unit: 'MINUTES') }
          parameters {
            booleanParam(name: 'GO', defaultValue: false, description: 'go')
            string(name: 'WHO', defaultValue: 'world', description: 'who')
            booleanParam(name: 'SKIP', defaultValue: false, description: 'skip')
          }
          environment { GREETING = "hello ${params.WHO}" }
          stages {
            stage('one') { steps { script { shared = env.GREETING }; echo "one: ${shared}" } }
            stage('skipped') { when { expression { params.SKIP } }; steps { echo 'never' } }
            stage('gated') {
              when { beforeInput true; expression { params.GO } }
              input { message 'Go?'; ok 'Go' }
              environment { LOCAL = 'stage-level' }
              steps { echo "gated: ${shared} ${env.LOCAL}" }
            }
          }
          post { always { echo "result ${currentBuild.result}" } }
        }
        """);
    assertEquals(List.of("one", "gated"), h.stagesRun);
    assertEquals(List.of("skipped"), h.stagesSkipped);
    assertEquals(List.of("one: hello world", "gated: hello world stage-level", "result SUCCESS"),
        h.calls("echo").stream().map(c -> String.valueOf(c.args().isEmpty() ? c.arg("message") : c.args().get(0)))
            .toList());
    assertEquals("Go?", h.calls("input").get(0).arg("message"));
  }

  @Test
  void declarative_failedStage_skipsTheRestAndRunsFailurePost() {
    PipelineHarness h = new PipelineHarness(tmp);
    PipelineError e = assertThrows(PipelineError.class, () -> h.run("""
        pipeline {
          agent any
          stages {
            stage('bad') { steps { error 'boom' } }
            stage('after') { steps { echo 'never' } }
          }
          post { failure { echo "failed" }; success { echo 'never' } }
        }
        """));
    assertEquals("boom", e.getMessage());
    assertEquals(List.of("after"), h.stagesSkipped);
    assertEquals("FAILURE", h.currentBuild.get("result"));
    assertEquals(1, h.calls("echo").size());
  }

  @Test
  void cps_aNonSerializableLocalHeldAcrossAStep_failsAsInJenkins() {
    PipelineHarness h = new PipelineHarness(tmp, true);
    AssertionError e = assertThrows(AssertionError.class,
        () -> h.run("def m = ('abc' =~ /b/)\necho 'a step while m is alive'\nreturn m.find()"));
    assertTrue(e.getMessage().contains("java.util.regex.Matcher") && e.getMessage().contains("step echo"), e.getMessage());
  }

  @Test
  void cps_theSameInANonCpsMethod_isFine_andTheProgramIsPersistedAtEachStep() {
    PipelineHarness h = new PipelineHarness(tmp, true);
    Object r = h.run("@NonCPS boolean found() { def m = ('abc' =~ /b/); return m.find() }\n"
        + "def r = found()\necho \"found: ${r}\"\nwithEnv(['A=1']) { echo env.A }\nreturn r");
    assertEquals(true, r);
    assertEquals(2, h.persisted);
    assertEquals(List.of("found: true", "1"), h.log);
  }

  @Test
  void inputRejected_abortsTheBuild() {
    PipelineHarness h = new PipelineHarness(tmp);
    h.approveInput = false;
    assertThrows(PipelineError.class, () -> h.run("input message: 'Promote?'"));
  }
}
