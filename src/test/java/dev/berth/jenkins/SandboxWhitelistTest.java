package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.builder.AstBuilder;
import org.codehaus.groovy.ast.expr.ClassExpression;
import org.codehaus.groovy.ast.expr.ConstructorCallExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.control.CompilePhase;
import org.junit.jupiter.api.Test;

/**
 * A folder-level shared library runs in the Groovy sandbox of Jenkins' script-security plugin: every
 * constructor, static method and static field of a Java or Groovy class the vars use must be in its generic
 * whitelist (recorded in src/test/resources/dev/berth/jenkins/script-security-generic-whitelist.txt), or the
 * build stops with RejectedAccessException — after berth has changed AWS, when it is the parsing of the
 * result. Checked statically on vars/*.groovy: class, member name and arity (instance calls on untyped values
 * are resolved at run time by the sandbox and are not seen here).
 */
class SandboxWhitelistTest {
  static List<String> whitelist() throws IOException {
    try (InputStream in = SandboxWhitelistTest.class.getResourceAsStream("script-security-generic-whitelist.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
  }

  /** True when an entry of KIND ("new", "staticMethod", "staticField") for CLASS and MEMBER has ARITY parameters. */
  static boolean allowed(List<String> whitelist, String kind, String cls, String member, int arity) {
    for (String line : whitelist) {
      String[] w = line.split(" ");
      if (!w[0].equals(kind) || !w[1].equals(cls)) {
        continue;
      }
      if (kind.equals("new") && w.length - 2 == arity) {
        return true;
      }
      if (!kind.equals("new") && w[2].equals(member) && (kind.equals("staticField") || w.length - 3 == arity)) {
        return true;
      }
    }
    return false;
  }

  static int arity(org.codehaus.groovy.ast.expr.Expression args) {
    return args instanceof TupleExpression t ? t.getExpressions().size() : 1;
  }

  static boolean outsideTheLibrary(ClassNode type) {
    String n = type.getName();
    return n.startsWith("java.") || n.startsWith("groovy.") || n.startsWith("org.codehaus.groovy.");
  }

  static List<String> violations(Path file, List<String> whitelist) throws IOException {
    List<String> out = new ArrayList<>();
    List<ASTNode> nodes = new AstBuilder().buildFromString(CompilePhase.SEMANTIC_ANALYSIS, false, Files.readString(file));
    for (ASTNode n : nodes) {
      if (!(n instanceof ClassNode cls)) {
        continue;
      }
      for (MethodNode m : cls.getMethods()) {
        if (m.getCode() == null || m.getLineNumber() < 0) { // the compiler's own main(), not the var's code
          continue;
        }
        m.getCode().visit(new CodeVisitorSupport() {
          @Override
          public void visitConstructorCallExpression(ConstructorCallExpression call) {
            ClassNode type = call.getType();
            if (outsideTheLibrary(type) && !allowed(whitelist, "new", type.getName(), null, arity(call.getArguments()))) {
              out.add(file.getFileName() + ":" + call.getLineNumber() + " new " + type.getName() + " ("
                  + arity(call.getArguments()) + " arguments)");
            }
            super.visitConstructorCallExpression(call);
          }

          @Override
          public void visitMethodCallExpression(MethodCallExpression call) {
            if (call.getObjectExpression() instanceof ClassExpression c && outsideTheLibrary(c.getType())
                && !allowed(whitelist, "staticMethod", c.getType().getName(), call.getMethodAsString(),
                    arity(call.getArguments()))) {
              out.add(file.getFileName() + ":" + call.getLineNumber() + " " + c.getType().getName() + "."
                  + call.getMethodAsString() + " (" + arity(call.getArguments()) + " arguments)");
            }
            super.visitMethodCallExpression(call);
          }

          @Override
          public void visitStaticMethodCallExpression(StaticMethodCallExpression call) {
            if (outsideTheLibrary(call.getOwnerType()) && !allowed(whitelist, "staticMethod",
                call.getOwnerType().getName(), call.getMethod(), arity(call.getArguments()))) {
              out.add(file.getFileName() + ":" + call.getLineNumber() + " " + call.getOwnerType().getName() + "."
                  + call.getMethod());
            }
            super.visitStaticMethodCallExpression(call);
          }

          @Override
          public void visitPropertyExpression(PropertyExpression p) {
            if (p.getObjectExpression() instanceof ClassExpression c && outsideTheLibrary(c.getType())
                && !allowed(whitelist, "staticField", c.getType().getName(), p.getPropertyAsString(), 0)) {
              out.add(file.getFileName() + ":" + p.getLineNumber() + " " + c.getType().getName() + "."
                  + p.getPropertyAsString());
            }
            super.visitPropertyExpression(p);
          }
        });
      }
    }
    return out;
  }

  static List<Path> vars() throws IOException {
    try (Stream<Path> s = Files.list(PipelineHarness.ROOT.resolve("vars"))) {
      return s.filter(p -> p.toString().endsWith(".groovy")).sorted().toList();
    }
  }

  @Test
  void vars_useOnlyWhatTheSandboxAllows() throws IOException {
    List<String> whitelist = whitelist();
    List<String> problems = new ArrayList<>();
    for (Path f : vars()) {
      problems.addAll(violations(f, whitelist));
    }
    assertEquals(List.of(), problems, "not in script-security's generic whitelist: a sandboxed library fails there");
  }

  @Test
  void theCheck_findsWhatTheSandboxRefuses(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("bad.groovy");
    Files.writeString(f, "import groovy.json.JsonSlurperClassic\n"
        + "Map parse(String t) { return new JsonSlurperClassic().parseText(t) }\n"
        + "def exec() { return Runtime.getRuntime() }\n"
        + "def ok() { return [new groovy.json.JsonSlurper().parseText('{}'), UUID.randomUUID(), Integer.MAX_VALUE] }\n");
    List<String> v = violations(f, whitelist());
    assertEquals(List.of("bad.groovy:2 new groovy.json.JsonSlurperClassic (0 arguments)",
        "bad.groovy:3 java.lang.Runtime.getRuntime (0 arguments)"), v);
    assertTrue(whitelist().contains("new groovy.json.JsonSlurper"));
  }
}
