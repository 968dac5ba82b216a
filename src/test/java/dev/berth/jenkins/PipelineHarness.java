package dev.berth.jenkins;

import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyObjectSupport;
import groovy.lang.GroovyShell;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.codehaus.groovy.control.CompilerConfiguration;

/**
 * Runs the shared library's vars and the sample Jenkinsfile on Groovy 2.4.21 (the version Jenkins runs) with
 * the pipeline steps they call implemented here: sh, withEnv, withCredentials (+ the aws/file binding symbols),
 * error, echo, libraryResource, writeFile, readFile, fileExists, pwd, isUnix, stage, input, script, and the
 * declarative pipeline {} sections. Every call is recorded; a step this harness does not know fails the run.
 * {@code sh} is a stand-in by default ({@link #onSh}) or a real {@code sh -xe} ({@link #realShell}).
 */
public final class PipelineHarness {
  /** Repository root: vars/, resources/, Jenkinsfile. */
  public static final Path ROOT = Path.of("").toAbsolutePath();

  /** One step call: its name, named arguments, other arguments, and the environment it ran in. */
  public record Call(String step, Map<String, Object> named, List<Object> args, Map<String, String> env) {
    public Object arg(String name) {
      return named.get(name);
    }
  }

  /** What error() and failed steps throw (Jenkins: hudson.AbortException). */
  public static final class PipelineError extends RuntimeException {
    public PipelineError(String message) {
      super(message);
    }
  }

  /** An sh call as the stand-in sees it. */
  public record Sh(String script, Map<String, String> env, Path workspace) {
    /** The launcher arguments the vars pass as BERTH_ARG_1..BERTH_ARGC. */
    public List<String> berthArgs() {
      List<String> a = new ArrayList<>();
      int n = Integer.parseInt(env.getOrDefault("BERTH_ARGC", "0"));
      for (int i = 1; i <= n; i++) {
        a.add(env.get("BERTH_ARG_" + i));
      }
      return a;
    }

    /** The --result-file=PATH the vars add last, or null. */
    public Path resultFile() {
      List<String> a = berthArgs();
      String last = a.isEmpty() ? "" : a.get(a.size() - 1);
      return last.startsWith(RESULT_FILE) ? Path.of(last.substring(RESULT_FILE.length())) : null;
    }

    /** The launcher arguments without the trailing --result-file=PATH. */
    public List<String> command() {
      List<String> a = berthArgs();
      return resultFile() == null ? a : a.subList(0, a.size() - 1);
    }
  }

  static final String RESULT_FILE = "--result-file=";

  /** A stand-in result of sh: exit status and stdout. */
  public record ShResult(int status, String stdout) {}

  public sealed interface Credential permits AwsKeys, SecretFile, UsernamePassword {}

  public record UsernamePassword(String username, String password) implements Credential {}

  public record AwsKeys(String accessKeyId, String secretAccessKey) implements Credential {}

  public record SecretFile(String fileName, String content) implements Credential {}

  private static final Map<String, Class<?>> COMPILED = new ConcurrentHashMap<>();
  private static final List<String> KNOWN_VARS = List.of("berth", "withBerth", "ecrPush", "ecsRegisterTask",
      "ecsDeployService", "ecsScale", "ecsForceRedeploy");

  public final List<Call> calls = new ArrayList<>();
  public final List<String> log = new ArrayList<>();
  public final Map<String, String> baseEnv = new LinkedHashMap<>();
  public final Map<String, Object> params = new LinkedHashMap<>();
  public final Map<String, Object> currentBuild = new LinkedHashMap<>();
  public final Map<String, Credential> credentials = new LinkedHashMap<>();
  /** Values that must never appear in an sh script text: every bound secret. */
  public final Set<String> secrets = new LinkedHashSet<>();
  public final List<String> stagesRun = new ArrayList<>();
  /** The last value each var returned. */
  public final Map<String, Object> results = new LinkedHashMap<>();
  public final List<String> stagesSkipped = new ArrayList<>();
  public final Path workspace;
  public Function<Sh, ShResult> onSh = sh -> new ShResult(0, "");
  public boolean realShell;
  public boolean approveInput = true;
  public boolean unix = true;

  private final Deque<Map<String, String>> envStack = new ArrayDeque<>();
  private final Binding binding = new Binding();
  private final Map<String, Script> vars = new LinkedHashMap<>();

  /** With cps, the vars and scripts are compiled with groovy-cps' CpsTransformer and run by its interpreter. */
  public final boolean cps;

  public PipelineHarness(Path workspace) {
    this(workspace, false);
  }

  public PipelineHarness(Path workspace, boolean cps) {
    this.workspace = workspace;
    this.cps = cps;
    baseEnv.put("JOB_NAME", "gantt/deploy");
    baseEnv.put("BUILD_NUMBER", "42");
    baseEnv.put("WORKSPACE", workspace.toString());
    artifacts = workspace.resolveSibling(workspace.getFileName() + "-artifacts");
    currentBuild.put("number", 42);
    currentBuild.put("result", null);
    binding.setVariable("env", new EnvProxy());
    binding.setVariable("params", params);
    binding.setVariable("currentBuild", currentBuild);
    binding.setVariable(HARNESS, this);
    if (cps) {
      // agent any / agent none: groovy-cps resolves these names on the script, not on the section's delegate
      binding.setVariable("any", "any");
      binding.setVariable("none", "none");
    }
    for (String name : KNOWN_VARS) {
      Path file = ROOT.resolve("vars").resolve(name + ".groovy");
      if (Files.isRegularFile(file)) {
        Script s = instantiate(file);
        vars.put(name, s);
        binding.setVariable(name, new VarProxy(name, s));
      }
    }
  }

  static final String HARNESS = "__harness";

  // ----------------------------------------------------------------------------------------------- running

  /** Runs a pipeline script (scripted or declarative) and returns its value. */
  public Object run(String scriptText) {
    Script s = shell(cps).parse(scriptText, "Jenkinsfile");
    s.setBinding(binding);
    if (!cps) {
      return s.run();
    }
    com.cloudbees.groovy.cps.Continuable program = new com.cloudbees.groovy.cps.Continuable(s);
    com.cloudbees.groovy.cps.Outcome o = program.run0(new com.cloudbees.groovy.cps.Outcome(null, null));
    while (program.isResumable()) {
      StepRequest request = (StepRequest) o.getNormal();
      persist(program, request.name());
      Object value = null;
      Throwable failure = null;
      try {
        value = step(request.name(), request.args());
      } catch (RuntimeException | AssertionError e) {
        failure = e;
      }
      o = program.run0(new com.cloudbees.groovy.cps.Outcome(value, failure));
    }
    Throwable t = o.getAbnormal();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
    return o.getNormal();
  }

  public Object runJenkinsfile() {
    return runJenkinsfile("Jenkinsfile");
  }

  /** Runs a pipeline file of the repository (the sample Jenkinsfile, or one of jenkins/). */
  public Object runJenkinsfile(String path) {
    try {
      return run(Files.readString(ROOT.resolve(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Calls the var NAME as a pipeline would: {@code name(args)}. */
  public Object callVar(String name, Map<String, Object> args) {
    return step(name, new Object[] {args});
  }

  public Script var(String name) {
    return vars.get(name);
  }

  /**
   * The CPS base class: block steps as CPS code (so their bodies run under the interpreter, as in Jenkins),
   * every other step through the harness.
   */
  static final String CPS_BASE = """
      package dev.berth.jenkins.cps
      import com.cloudbees.groovy.cps.NonCPS
      abstract class CpsPipelineScript extends com.cloudbees.groovy.cps.SerializableScript {
        def withEnv(List overrides, Closure body) {
          __h().record('withEnv', [overrides] as Object[])
          __h().pushEnv(overrides)
          try { return body.call() } finally { __h().popEnv() }
        }
        def withCredentials(List bindings, Closure body) {
          __h().record('withCredentials', [bindings] as Object[])
          Object token = __h().bindCredentials(bindings)
          try { return body.call() } finally { __h().unbindCredentials(token) }
        }
        def stage(String name, Closure body) {
          if (__h().offerToSection('stage', [name, body] as Object[])) { return null } // a declarative stage
          __h().record('stage', [name] as Object[])
          __h().stagesRun.add(name)
          return body.call()
        }
        def script(Closure body) { return body.call() }

        // declarative pipeline {}: the sections are collected by dev.berth.jenkins.Collector, run here in CPS
        def pipeline(Closure body) {
          def p = __collect(body, 'pipeline')
          Map blocks = p.blocks()
          boolean pipelineAgent = p.has('agent') && p.value('agent') != 'none'
          __h().requireNode = p.value('agent') == 'none'
          if (pipelineAgent) { __h().enterNode('pipeline') }
          if (blocks.options) { __collect(blocks.options, 'options') }
          if (blocks.parameters) { __h().applyParameters(__collect(blocks.parameters, 'parameters')) }
          if (blocks.environment) { __h().applyEnvironment(__collect(blocks.environment, 'environment')) }
          if (!blocks.stages) { error('pipeline: no stages') }
          def stages = __collect(blocks.stages, 'stages').records()
          def failure = null
          for (int i = 0; i < stages.size(); i++) {
            String name = stages[i][1][0]
            if (failure != null) {
              __h().stagesSkipped.add(name)
              continue
            }
            try {
              __stage(name, stages[i][1][1])
            } catch (Throwable t) {
              __h().log.add('stage ' + name + ' failed: ' + t.message)
              failure = t
            }
          }
          __h().currentBuild.result = failure != null ? 'FAILURE' : (__h().currentBuild.result ?: 'SUCCESS')
          if (blocks.post) { __post(blocks.post, failure == null) }
          if (pipelineAgent) { __h().exitNode() }
          if (failure != null) { throw failure }
          return null
        }
        def __stage(String name, Closure body) {
          def collected = __collect(body, 'stage')
          Map b = collected.blocks()
          boolean agent = collected.has('agent') && collected.value('agent') != 'none'
          boolean beforeInput = false
          List expressions = []
          if (b.when) {
            def w = __collect(b.when, 'when')
            beforeInput = w.values().beforeInput == true
            expressions = w.expressions()
          }
          boolean whenFirst = !b.input || beforeInput
          if (whenFirst && !__whenTrue(expressions)) { __h().stagesSkipped.add(name); return null }
          if (b.input) { input(__collect(b.input, 'input').values()) }
          if (!whenFirst && !__whenTrue(expressions)) { __h().stagesSkipped.add(name); return null }
          if (!b.steps) { error("stage '" + name + "' has no steps") }
          if (agent) { __h().enterNode(name) }
          try {
            List env = b.environment ? __collect(b.environment, 'environment').envList() : []
            boolean ok = false
            try {
              withEnv(env) { stage(name) { b.steps.call() } }
              ok = true
            } finally {
              if (b.post) { __post(b.post, ok) }
            }
          } finally {
            if (agent) { __h().exitNode() }
          }
          return null
        }
        def __whenTrue(List expressions) {
          for (int i = 0; i < expressions.size(); i++) {
            if (!expressions[i].call()) { return false }
          }
          return true
        }
        def __post(Closure post, boolean success) {
          Map conditions = __collect(post, 'post').blocks()
          List names = ['always', 'success', 'failure', 'unsuccessful']
          for (int i = 0; i < names.size(); i++) {
            String c = names[i]
            boolean run = c == 'always' || (c == 'success' && success) || (c != 'success' && !success)
            if (conditions[c] && run) { conditions[c].call() }
          }
          if (conditions.cleanup) { conditions.cleanup.call() }
        }
        def __collect(Closure c, String section) {
          def collector = new dev.berth.jenkins.Collector(section)
          __h().sections.push(collector)
          try {
            c.call()
          } finally {
            __h().sections.pop()
          }
          return collector
        }
        // a step suspends the program, as in Jenkins: the harness serializes it, runs the step, resumes it
        // (groovy-cps 1.31 resolves a closure's calls on the script, not on its delegate: the declarative
        // section being collected gets them first)
        @NonCPS def methodMissing(String name, Object args) {
          if (__h().offerToSection(name, (Object[]) args)) { return null }
          return com.cloudbees.groovy.cps.Continuable.suspend(new dev.berth.jenkins.PipelineHarness.StepRequest(name, (Object[]) args))
        }
        @NonCPS void setProperty(String name, Object value) {
          if (!__h().assignInSection(name, value)) { super.setProperty(name, value) }
        }
        @NonCPS def __h() { return getBinding().getVariable('__harness') }
      }
      """;

  private static GroovyClassLoader cpsLoader;

  private static synchronized GroovyShell shell(boolean cps) {
    if (!cps) {
      return shell();
    }
    CompilerConfiguration cc = new CompilerConfiguration();
    cc.addCompilationCustomizers(new org.codehaus.groovy.control.customizers.ImportCustomizer()
        .addImports("org.jenkinsci.plugins.workflow.libs.Library", "com.cloudbees.groovy.cps.NonCPS"),
        new com.cloudbees.groovy.cps.CpsTransformer());
    if (cpsLoader == null) {
      cpsLoader = new GroovyClassLoader(PipelineHarness.class.getClassLoader(), cc);
      cpsLoader.parseClass(CPS_BASE, "CpsPipelineScript.groovy");
    }
    cc.setScriptBaseClass("dev.berth.jenkins.cps.CpsPipelineScript");
    return new GroovyShell(cpsLoader, new Binding(), cc);
  }

  private static GroovyShell shell() {
    CompilerConfiguration cc = new CompilerConfiguration();
    cc.setScriptBaseClass(PipelineScript.class.getName());
    // as in Jenkins: @Library and @NonCPS need no import
    cc.addCompilationCustomizers(new org.codehaus.groovy.control.customizers.ImportCustomizer()
        .addImports("org.jenkinsci.plugins.workflow.libs.Library", "com.cloudbees.groovy.cps.NonCPS"));
    return new GroovyShell(new GroovyClassLoader(PipelineHarness.class.getClassLoader(), cc), new Binding(), cc);
  }

  private Script instantiate(Path file) {
    Class<?> cls = COMPILED.computeIfAbsent(file + ":" + lastModified(file) + ":" + cps, k -> {
      try {
        String name = file.getFileName().toString().replace(".groovy", "");
        GroovyShell sh = shell(cps);
        return cps ? sh.parse(Files.readString(file), name + ".groovy").getClass()
            : sh.getClassLoader().parseClass(Files.readString(file), name);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      Script s = (Script) cls.getDeclaredConstructor().newInstance();
      s.setBinding(binding);
      return s;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long lastModified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  // ------------------------------------------------------------------------------------------------ lookups

  public List<Call> calls(String step) {
    return calls.stream().filter(c -> c.step().equals(step)).toList();
  }

  /** The texts of every sh call. */
  public List<String> shScripts() {
    return calls("sh").stream().map(c -> String.valueOf(c.arg("script"))).toList();
  }

  public Map<String, String> effectiveEnv() {
    Map<String, String> e = new LinkedHashMap<>(baseEnv);
    for (var it = envStack.descendingIterator(); it.hasNext(); ) {
      e.putAll(it.next());
    }
    return e;
  }

  // ------------------------------------------------------------------------------------------------- steps

  /** Every unqualified call of a pipeline script or var that is not a method of its own lands here. */
  Object step(String name, Object[] rawArgs) {
    Object[] args = rawArgs == null ? new Object[0] : rawArgs;
    Map<String, Object> named = new LinkedHashMap<>();
    List<Object> positional = new ArrayList<>();
    Closure<?> body = null;
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (i == 0 && a instanceof Map<?, ?> m && !KNOWN_VARS.contains(name)) {
        m.forEach((k, v) -> named.put(String.valueOf(k), v));
      } else if (i == args.length - 1 && a instanceof Closure<?> c) {
        body = c;
      } else {
        positional.add(a);
      }
    }
    if (vars.containsKey(name)) {
      return ((VarProxy) binding.getVariable(name)).invokeMethod("call", args);
    }
    calls.add(new Call(name, named, positional, effectiveEnv()));
    if (requireNode && nodeDepth == 0 && NEEDS_NODE.contains(name)) {
      throw new PipelineError("Required context class hudson.FilePath is missing: " + name + " runs outside an agent "
          + "(stage " + stagesRun + "); give the stage an agent");
    }
    switch (name) {
      case "echo":
        log.add(String.valueOf(first(named, positional, "message")));
        return null;
      case "error":
        throw new PipelineError(String.valueOf(first(named, positional, "message")));
      case "sh":
        return sh(named, positional);
      case "isUnix":
        return unix;
      case "pwd":
        return Boolean.TRUE.equals(named.get("tmp")) ? workspace + "@tmp" : workspace.toString();
      case "libraryResource": {
        String resource = String.valueOf(first(named, positional, "resource"));
        Path p = ROOT.resolve("resources").resolve(resource);
        if (!Files.isRegularFile(p)) {
          throw new PipelineError("No such library resource " + resource + " could be found.");
        }
        return read(p);
      }
      case "writeFile": {
        Path p = file(named.get("file"));
        try {
          Files.createDirectories(p.getParent());
          Files.writeString(p, String.valueOf(named.get("text")), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return null;
      }
      case "readFile":
        return read(file(first(named, positional, "file")));
      case "fileExists":
        return Files.exists(file(first(named, positional, "file")));
      case "withEnv":
        return withEnv(overrides(positional.isEmpty() ? named.get("overrides") : positional.get(0)), body);
      case "withCredentials":
        return withCredentials((List<?>) (positional.isEmpty() ? named.get("bindings") : positional.get(0)), body);
      case "aws":
      case "file":
      case "string":
      case "usernamePassword":
        if (body != null) {
          throw new PipelineError(name + "(...) is a credentials binding, not a block");
        }
        Map<String, Object> b = new LinkedHashMap<>(named);
        b.put("$symbol", name);
        return b;
      case "stage":
        return stage(String.valueOf(first(named, positional, "name")), body);
      case "script":
        return body.call();
      case "input":
        if (nodeDepth > 0) {
          inputsHoldingAnExecutor.add(String.valueOf(first(named, positional, "message")));
        }
        if (!approveInput) {
          throw new PipelineError("Aborted by input: " + first(named, positional, "message"));
        }
        return null;
      case "pipeline":
        return new Declarative(this).run(body);
      case "archiveArtifacts":
        return archiveArtifacts(named, positional);
      case "copyArtifacts":
        return copyArtifacts(named);
      case "lastSuccessful":
        return Map.of("$symbol", "lastSuccessful");
      default:
        throw new AssertionError("the pipeline called a step the harness does not know: " + name + " (in " + sections + ", stages run " + stagesRun + ") ("
            + Arrays.toString(args) + ")");
    }
  }

  private static Object first(Map<String, Object> named, List<Object> positional, String key) {
    return positional.isEmpty() ? named.get(key) : positional.get(0);
  }

  private Path file(Object name) {
    Path p = Path.of(String.valueOf(name));
    return p.isAbsolute() ? p : workspace.resolve(p);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PipelineError("readFile: " + e);
    }
  }

  private Object sh(Map<String, Object> named, List<Object> positional) {
    Object script = first(named, positional, "script");
    if (!(script instanceof CharSequence)) {
      throw new PipelineError("sh: script must be a string, got " + script);
    }
    if (named.isEmpty() && !positional.isEmpty()) {
      named.put("script", script);
    }
    String text = script.toString();
    for (String secret : secrets) {
      if (!secret.isEmpty() && text.contains(secret)) {
        throw new AssertionError("a secret reached an sh script text: " + text);
      }
    }
    Sh call = new Sh(text, effectiveEnv(), workspace);
    ShResult r = realShell ? runReal(call) : onSh.apply(call);
    boolean returnStatus = Boolean.TRUE.equals(named.get("returnStatus"));
    boolean returnStdout = Boolean.TRUE.equals(named.get("returnStdout"));
    if (!returnStatus && r.status() != 0) {
      throw new PipelineError("script returned exit code " + r.status());
    }
    if (returnStatus) {
      return r.status();
    }
    return returnStdout ? r.stdout() : null;
  }

  private ShResult runReal(Sh call) {
    try {
      Files.createDirectories(workspace);
      Path tmp = Files.createDirectories(Path.of(workspace + "@tmp"));
      Path script = Files.createTempFile(tmp, "script", ".sh");
      Files.writeString(script, call.script());
      Path out = Files.createTempFile(tmp, "out", ".txt");
      ProcessBuilder pb = new ProcessBuilder("sh", "-xe", script.toString()).directory(workspace.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(call.env());
      Process p = pb.start();
      if (!p.waitFor(15, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new PipelineError("sh did not finish in 15 minutes");
      }
      String output = Files.readString(out);
      log.add(output);
      Files.deleteIfExists(script);
      Files.deleteIfExists(out);
      return new ShResult(p.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineError("interrupted");
    }
  }

  private static Map<String, String> overrides(Object list) {
    if (!(list instanceof List<?> l)) {
      throw new PipelineError("withEnv takes a list of 'KEY=VALUE' strings, got " + list);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Object o : l) {
      if (!(o instanceof CharSequence)) {
        throw new PipelineError("withEnv: not a string: " + o);
      }
      String s = o.toString();
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new PipelineError("withEnv: not KEY=VALUE: " + s);
      }
      m.put(s.substring(0, eq), s.substring(eq + 1));
    }
    return m;
  }

  Object withEnv(Map<String, String> overrides, Closure<?> body) {
    envStack.push(overrides);
    try {
      return body.call();
    } finally {
      envStack.pop();
    }
  }

  /** A step call that suspended the CPS program. */
  public record StepRequest(String name, Object[] args) implements java.io.Serializable {}

  /** How many times the CPS program was serialized (once per step, as Jenkins persists it). */
  public int persisted;

  /**
   * Serializes the suspended program as Jenkins does before each step: a local variable that is not
   * Serializable (a Matcher, a JsonSlurper LazyMap, an iterator) fails here as it would in Jenkins. The
   * harness's own objects (binding, env, vars) stand in for Jenkins' pickles.
   */
  private void persist(com.cloudbees.groovy.cps.Continuable program, String step) {
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(java.io.OutputStream.nullOutputStream()) {
      {
        enableReplaceObject(true);
      }

      @Override
      protected Object replaceObject(Object obj) {
        if (obj instanceof PipelineHarness || obj instanceof Binding || obj instanceof VarProxy
            || obj instanceof EnvProxy || obj instanceof Path) {
          return "pickle:" + obj.getClass().getSimpleName();
        }
        return obj;
      }
    }) {
      out.writeObject(program);
      persisted++;
    } catch (java.io.NotSerializableException e) {
      throw new AssertionError("the pipeline holds a non-serializable " + e.getMessage() + " across the step " + step
          + ": Jenkins cannot persist it (make it a local of a @NonCPS method)", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Steps that need a workspace (Jenkins: a node); outside one they fail when {@link #requireNode} is on. */
  static final Set<String> NEEDS_NODE = Set.of("sh", "writeFile", "readFile", "fileExists", "pwd", "isUnix",
      "archiveArtifacts", "copyArtifacts");

  /** On in a declarative pipeline with {@code agent none}: workspace steps need a stage's agent. */
  public boolean requireNode;
  /** How many agents (executors) the running code holds now. */
  public int nodeDepth;
  /** The messages of input steps that waited while an executor was held. */
  public final List<String> inputsHoldingAnExecutor = new ArrayList<>();
  /** Stages that ran on an agent of their own. */
  public final List<String> stagesWithAgent = new ArrayList<>();
  /** Where archiveArtifacts puts this build's artifacts. */
  public Path artifacts;
  /** copyArtifacts' sources: job name -> the artifacts folder of its last successful build. */
  public final Map<String, Path> otherJobs = new LinkedHashMap<>();

  public void enterNode(String stage) {
    nodeDepth++;
    stagesWithAgent.add(stage);
  }

  public void exitNode() {
    nodeDepth--;
  }

  /** archiveArtifacts(artifacts: 'a/*.json, b', allowEmptyArchive: ...): copies the matching workspace files. */
  private Object archiveArtifacts(Map<String, Object> named, List<Object> positional) {
    String patterns = String.valueOf(first(named, positional, "artifacts"));
    List<Path> matched = new ArrayList<>();
    try {
      for (String pattern : patterns.split(",")) {
        java.nio.file.PathMatcher m = workspace.getFileSystem().getPathMatcher("glob:" + pattern.trim());
        if (Files.isDirectory(workspace)) {
          try (java.util.stream.Stream<Path> files = Files.walk(workspace)) {
            files.filter(Files::isRegularFile).filter(f -> m.matches(workspace.relativize(f))).forEach(matched::add);
          }
        }
      }
      if (matched.isEmpty() && !Boolean.TRUE.equals(named.get("allowEmptyArchive"))) {
        throw new PipelineError("No artifacts found that match the file pattern \"" + patterns + "\"");
      }
      for (Path f : matched) {
        Path to = artifacts.resolve(workspace.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return null;
  }

  /** copyArtifacts(projectName:, selector: lastSuccessful(), filter:, target:, flatten:) from {@link #otherJobs}. */
  private Object copyArtifacts(Map<String, Object> named) {
    String project = String.valueOf(named.get("projectName"));
    Path from = otherJobs.get(project);
    if (from == null) {
      throw new PipelineError("Unable to find project for artifact copy: " + project);
    }
    Object selector = named.get("selector");
    if (selector != null && !(selector instanceof Map<?, ?> m && "lastSuccessful".equals(m.get("$symbol")))) {
      throw new PipelineError("copyArtifacts: the harness knows the lastSuccessful() selector only, got " + selector);
    }
    String filter = named.get("filter") == null ? "**" : String.valueOf(named.get("filter"));
    Path target = named.get("target") == null ? workspace : workspace.resolve(String.valueOf(named.get("target")));
    boolean flatten = Boolean.TRUE.equals(named.get("flatten"));
    int copied = 0;
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      java.nio.file.PathMatcher m = from.getFileSystem().getPathMatcher("glob:" + filter);
      for (Path f : files.filter(Files::isRegularFile).filter(f -> m.matches(from.relativize(f))).toList()) {
        Path to = target.resolve(flatten ? f.getFileName().toString() : from.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        copied++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (copied == 0) {
      throw new PipelineError("Failed to copy artifacts from " + project + " with filter: " + filter);
    }
    return null;
  }

  /** CPS mode: the declarative sections being collected, innermost first. */
  public final Deque<Collector> sections = new ArrayDeque<>();

  public boolean offerToSection(String name, Object[] args) {
    return !sections.isEmpty() && sections.peek().accept(name, args);
  }

  public boolean assignInSection(String name, Object value) {
    return !sections.isEmpty() && sections.peek().assign(name, value);
  }

  /** CPS mode: parameter defaults from a collected parameters {} section. */
  public void applyParameters(Collector parameters) {
    for (List<Object> r : parameters.records()) {
      String type = (String) r.get(0);
      Map<?, ?> m = (Map<?, ?>) ((List<?>) r.get(1)).get(0);
      Object value;
      if (type.equals("booleanParam")) {
        value = Boolean.TRUE.equals(m.get("defaultValue"));
      } else if (type.equals("choice")) {
        value = m.get("choices") instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : "";
      } else {
        value = m.containsKey("defaultValue") ? String.valueOf(m.get("defaultValue")) : "";
      }
      params.putIfAbsent(String.valueOf(m.get("name")), value);
    }
  }

  /** CPS mode: the pipeline-level environment {}. */
  public void applyEnvironment(Collector environment) {
    baseEnv.putAll(overrides(environment.envList()));
  }

  /** Records a block step that the CPS base class runs itself. */
  public void record(String name, Object[] args) {
    calls.add(new Call(name, new LinkedHashMap<>(), new ArrayList<>(Arrays.asList(args)), effectiveEnv()));
  }

  public void pushEnv(List<?> overrides) {
    envStack.push(overrides(overrides));
  }

  public void popEnv() {
    envStack.pop();
  }

  /** What bindCredentials bound: the files to remove afterwards. */
  record Bound(List<Path> files) implements java.io.Serializable {}

  public Object bindCredentials(List<?> bindings) {
    List<Path> files = new ArrayList<>();
    envStack.push(credentialEnv(bindings, files));
    return new Bound(files);
  }

  public void unbindCredentials(Object token) {
    envStack.pop();
    deleteAll(((Bound) token).files());
  }

  private static void deleteAll(List<Path> files) {
    for (Path p : files) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  private Object withCredentials(List<?> bindings, Closure<?> body) {
    List<Path> files = new ArrayList<>();
    try {
      return withEnv(credentialEnv(bindings, files), body);
    } finally {
      deleteAll(files);
    }
  }

  private Map<String, String> credentialEnv(List<?> bindings, List<Path> files) {
    Map<String, String> bound = new LinkedHashMap<>();
    try {
      for (Object o : bindings) {
        if (!(o instanceof Map<?, ?> b) || !b.containsKey("$symbol")) {
          throw new PipelineError("withCredentials: not a binding: " + o);
        }
        String id = String.valueOf(b.get("credentialsId"));
        Credential c = credentials.get(id);
        if (c == null) {
          throw new PipelineError("Could not find credentials entry with ID '" + id + "'");
        }
        switch (String.valueOf(b.get("$symbol"))) {
          case "aws" -> {
            if (!(c instanceof AwsKeys k)) {
              throw new PipelineError("Credentials '" + id + "' is of type '" + c.getClass().getSimpleName()
                  + "' where 'AmazonWebServicesCredentials' was expected");
            }
            bound.put(String.valueOf(b.get("accessKeyVariable")), k.accessKeyId());
            bound.put(String.valueOf(b.get("secretKeyVariable")), k.secretAccessKey());
            secrets.add(k.accessKeyId());
            secrets.add(k.secretAccessKey());
          }
          case "file" -> {
            if (!(c instanceof SecretFile f)) {
              throw new PipelineError("Credentials '" + id + "' is of type '" + c.getClass().getSimpleName()
                  + "' where 'FileCredentials' was expected");
            }
            Path dir = Files.createDirectories(Path.of(workspace + "@tmp", "secretFiles", id));
            Path p = dir.resolve(f.fileName());
            Files.writeString(p, f.content());
            files.add(p);
            bound.put(String.valueOf(b.get("variable")), p.toString());
            secrets.add(f.content().strip());
          }
          case "usernamePassword" -> {
            if (!(c instanceof UsernamePassword u)) {
              throw new PipelineError("Credentials '" + id + "' is of type '" + c.getClass().getSimpleName()
                  + "' where 'StandardUsernamePasswordCredentials' was expected");
            }
            bound.put(String.valueOf(b.get("usernameVariable")), u.username());
            bound.put(String.valueOf(b.get("passwordVariable")), u.password());
            secrets.add(u.password());
          }
          default -> throw new PipelineError("unsupported binding " + b);
        }
      }
      return bound;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Object stage(String name, Closure<?> body) {
    log.add("[Pipeline] stage (" + name + ")");
    stagesRun.add(name);
    return body.call();
  }

  /**
   * A var as the pipeline sees it ({@code ecrPush(...)} calls its call method, {@code berth.runStep(...)} its
   * other methods); calls of {@code call} are recorded with their named arguments and result.
   */
  final class VarProxy extends GroovyObjectSupport {
    private final String name;
    private final Script script;

    VarProxy(String name, Script script) {
      this.name = name;
      this.script = script;
    }

    @Override
    public Object invokeMethod(String method, Object args) {
      Object[] a = args instanceof Object[] o ? o : new Object[] {args};
      if (!method.equals("call")) {
        return script.invokeMethod(method, a);
      }
      Map<String, Object> named = new LinkedHashMap<>();
      if (a.length > 0 && a[0] instanceof Map<?, ?> m) {
        m.forEach((k, v) -> named.put(String.valueOf(k), v));
      }
      calls.add(new Call(name, named, List.of(a), effectiveEnv()));
      Object result = script.invokeMethod("call", a);
      results.put(name, result);
      return result;
    }

    /** What Groovy calls for {@code name(...)} when NAME is a binding variable. */
    public Object call(Map<?, ?> args) {
      return invokeMethod("call", new Object[] {args});
    }

    public Object call() {
      return invokeMethod("call", new Object[0]);
    }

    /** {@code withBerth(region: ...) { ... }}. */
    public Object call(Map<?, ?> args, Closure<?> body) {
      return invokeMethod("call", new Object[] {args, body});
    }

    @Override
    public Object getProperty(String property) {
      return script.getProperty(property);
    }
  }

  /** {@code env}: reads the effective environment, writes the global one (as Jenkins' env does). */
  final class EnvProxy extends GroovyObjectSupport {
    @Override
    public Object getProperty(String name) {
      return effectiveEnv().get(name);
    }

    @Override
    public void setProperty(String name, Object value) {
      baseEnv.put(name, value == null ? null : value.toString());
    }

    public Map<String, String> getEnvironment() {
      return Collections.unmodifiableMap(effectiveEnv());
    }
  }

  /** The base class of the Jenkinsfile and the vars: unknown methods are pipeline steps. */
  public abstract static class PipelineScript extends Script {
    public Object methodMissing(String name, Object args) {
      PipelineHarness h = (PipelineHarness) getBinding().getVariable(HARNESS);
      return h.step(name, (Object[]) args);
    }

    @Override
    public Object getProperty(String property) {
      try {
        return super.getProperty(property);
      } catch (MissingPropertyException e) {
        throw new MissingPropertyException("the pipeline read an unknown variable '" + property + "'", property,
            getClass());
      }
    }
  }

  /** A DSL section's delegate: the methods it knows; anything else falls through to the enclosing scope. */
  abstract static class Section extends GroovyObjectSupport {
    abstract Object dispatch(String name, Object[] args);

    @Override
    public Object invokeMethod(String name, Object args) {
      Object[] a = args instanceof Object[] o ? o : new Object[] {args};
      return dispatch(name, a);
    }

    public Object methodMissing(String name, Object args) {
      return dispatch(name, (Object[]) args);
    }

    @Override
    public Object getProperty(String property) {
      throw new MissingPropertyException(property, getClass());
    }

    @Override
    public void setProperty(String property, Object value) {
      throw new MissingPropertyException(property, getClass());
    }

    MissingMethodException unknown(String name, Object[] args) {
      return new MissingMethodException(name, getClass(), args);
    }

    static Object with(Closure<?> c, Object delegate) {
      Closure<?> copy = (Closure<?>) c.clone();
      copy.setDelegate(delegate);
      copy.setResolveStrategy(Closure.DELEGATE_FIRST);
      return copy.call();
    }

    static boolean truthy(Object o) {
      return org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation.castToBoolean(o);
    }
  }
}
