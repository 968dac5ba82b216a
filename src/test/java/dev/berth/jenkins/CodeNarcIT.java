package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CodeNarc's Jenkins rules (its rulesets/jenkins.xml: CPS calls from @NonCPS methods, non-serializable classes,
 * parameters and expressions, forbidden calls in CPS code, closures in GStrings, Object methods) over the
 * shared library's vars and the sample pipelines. CodeNarc's rules apply to files named Jenkinsfile only unless
 * told otherwise: src/test/resources/codenarc/jenkins.xml applies them to vars/*.groovy and *.Jenkinsfile as
 * well. CodeNarc runs in its own JVM with its own Groovy (target/codenarc, copied by the build), apart from the
 * Groovy 2.4 of the vars harness.
 */
class CodeNarcIT {
  static final Path ROOT = PipelineHarness.ROOT;

  @TempDir Path tmp;

  @Test
  void varsAndSamplePipelines_passCodeNarcsJenkinsRules() throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<Path> vars = Files.list(ROOT.resolve("vars"))) {
      vars.filter(p -> p.toString().endsWith(".groovy")).forEach(p -> files.add("vars/" + p.getFileName()));
    }
    files.add("Jenkinsfile");
    try (Stream<Path> jobs = Files.list(ROOT.resolve("jenkins"))) {
      jobs.filter(p -> p.toString().endsWith(".Jenkinsfile")).forEach(p -> files.add("jenkins/" + p.getFileName()));
    }
    String report = codeNarc(ROOT, "vars/*.groovy,Jenkinsfile,jenkins/*.Jenkinsfile");
    assertTrue(report.contains("Summary: TotalFiles=" + files.size() + " FilesWithViolations=0 "),
        "every one of " + files + " checked, none with a violation:\n" + report);
  }

  @Test
  void theRulesFire_onAVarThatBreaksThem() throws Exception {
    Files.createDirectories(tmp.resolve("vars"));
    Files.writeString(tmp.resolve("vars/broken.groovy"), """
        import com.cloudbees.groovy.cps.NonCPS

        class Holder {
          String value
        }

        def call() {
          return helper()
        }

        @NonCPS
        def helper() {
          return step()
        }

        def step() {
          return 1
        }
        """);
    String report = codeNarc(tmp, "vars/*.groovy");
    assertTrue(report.contains("Rule=ClassNotSerializable") && report.contains("Rule=CpsCallFromNonCpsMethod"), report);
  }

  /** Runs CodeNarc over INCLUDES under BASE with the project's Jenkins ruleset; returns its text report. */
  String codeNarc(Path base, String includes) throws IOException, InterruptedException {
    String dir = System.getProperty("berth.codenarc", ROOT.resolve("target/codenarc").toString());
    assertTrue(Files.isRegularFile(Path.of(dir, "CodeNarc-3.5.0.jar")),
        "CodeNarc is not in " + dir + ": the build copies it there (mvn generate-test-resources)");
    Path report = tmp.resolve("codenarc-" + System.nanoTime() + ".txt");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", dir + "/*", "org.codenarc.CodeNarc", "-basedir=" + base, "-includes=" + includes,
        "-rulesetfiles=file:" + ROOT.resolve("src/test/resources/codenarc/jenkins.xml"),
        "-report=text:" + report).redirectErrorStream(true).redirectOutput(tmp.resolve("codenarc.log").toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "CodeNarc did not finish");
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("codenarc.log")));
    return Files.readString(report);
  }
}
