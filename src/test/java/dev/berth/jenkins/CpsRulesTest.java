package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.builder.AstBuilder;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.control.CompilePhase;
import org.junit.jupiter.api.Test;

/**
 * The CPS rules the harness cannot see at run time: a @NonCPS method (plain Groovy in Jenkins) must not call a
 * pipeline step nor a CPS method of its script; Jenkins would run them wrongly or fail.
 */
class CpsRulesTest {
  static final Set<String> STEPS = Set.of("sh", "error", "echo", "withEnv", "withCredentials", "writeFile", "readFile",
      "libraryResource", "pwd", "isUnix", "fileExists", "aws", "file", "input", "stage", "script", "timeout");

  @Test
  void nonCpsMethods_callNoStepAndNoCpsMethod() throws Exception {
    List<String> violations = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(PipelineHarness.ROOT.resolve("vars"))) {
      files = s.filter(p -> p.toString().endsWith(".groovy")).sorted().toList();
    }
    int nonCps = 0;
    for (Path file : files) {
      List<ASTNode> nodes = new AstBuilder().buildFromString(CompilePhase.CONVERSION, false, Files.readString(file));
      for (ASTNode n : nodes) {
        if (!(n instanceof ClassNode cls)) {
          continue;
        }
        Set<String> cpsMethods = new HashSet<>();
        for (MethodNode m : cls.getMethods()) {
          if (!isNonCps(m)) {
            cpsMethods.add(m.getName());
          }
        }
        for (MethodNode m : cls.getMethods()) {
          if (!isNonCps(m) || m.getCode() == null) {
            continue;
          }
          nonCps++;
          m.getCode().visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
              String name = call.getMethodAsString();
              if (call.isImplicitThis() && name != null && (STEPS.contains(name) || cpsMethods.contains(name))) {
                violations.add(file.getFileName() + ": @NonCPS " + m.getName() + " calls " + name + " (line "
                    + call.getLineNumber() + ")");
              }
              super.visitMethodCallExpression(call);
            }
          });
        }
      }
    }
    assertFalse(nonCps == 0, "found the @NonCPS methods of vars/berth.groovy");
    assertEquals(List.of(), violations);
  }

  static boolean isNonCps(MethodNode m) {
    return m.getAnnotations().stream().anyMatch(a -> a.getClassNode().getName().endsWith("NonCPS"));
  }
}
