package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import groovy.lang.Closure;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.junit.jupiter.api.Test;

/**
 * The set-up an administrator copies: jenkins/jobs.groovy (Job DSL) run with a recording stand-in of the DSL
 * (every call recorded, every block entered), so the jobs it creates point at pipeline files that exist and the
 * library it registers is the one the samples load; docs/jenkins.md shows that same file.
 */
class JenkinsSetupTest {
  static final Path ROOT = PipelineHarness.ROOT;

  /** The DSL stand-in: unknown methods are DSL calls; a trailing block runs with this script as its delegate. */
  public abstract static class RecordingDsl extends Script {
    public final List<List<Object>> calls = new ArrayList<>();

    public Object methodMissing(String name, Object args) {
      Object[] a = (Object[]) args;
      List<Object> call = new ArrayList<>();
      call.add(name);
      for (Object o : a) {
        if (!(o instanceof Closure<?>)) {
          call.add(String.valueOf(o));
        }
      }
      calls.add(call);
      if (a.length > 0 && a[a.length - 1] instanceof Closure<?> c) {
        Closure<?> body = (Closure<?>) c.clone();
        body.setDelegate(this);
        body.setResolveStrategy(Closure.DELEGATE_FIRST);
        body.call();
      }
      return null;
    }

    List<String> values(String call) {
      return calls.stream().filter(c -> c.get(0).equals(call)).map(c -> (String) c.get(1)).toList();
    }
  }

  @Test
  void jobDsl_createsTheSampleJobs_fromPipelineFilesThatExist_withTheBerthLibrary() throws Exception {
    CompilerConfiguration cc = new CompilerConfiguration();
    cc.setScriptBaseClass(RecordingDsl.class.getName());
    RecordingDsl dsl = (RecordingDsl) new GroovyShell(getClass().getClassLoader(), cc)
        .parse(Files.readString(ROOT.resolve("jenkins/jobs.groovy")), "jobs.groovy");
    dsl.run();
    assertEquals(List.of("gantt/deploy", "gantt/promote", "gantt/rollback"), dsl.values("pipelineJob"));
    List<String> scripts = dsl.values("scriptPath");
    assertEquals(List.of("Jenkinsfile", "jenkins/promote.Jenkinsfile", "jenkins/rollback.Jenkinsfile"), scripts);
    for (String script : scripts) {
      assertTrue(Files.isRegularFile(ROOT.resolve(script)), script + " exists");
      assertTrue(Files.readString(ROOT.resolve(script)).contains("@Library('berth') _"), script + " loads berth");
    }
    assertEquals(List.of("berth"), dsl.values("name"), "the library the samples load");
  }

  @Test
  void docs_showTheJobDslFileAsItIs() throws Exception {
    String docs = Files.readString(ROOT.resolve("docs/jenkins.md"));
    assertTrue(docs.contains("```groovy\n" + Files.readString(ROOT.resolve("jenkins/jobs.groovy")) + "```\n"),
        "docs/jenkins.md shows jenkins/jobs.groovy verbatim");
  }
}
