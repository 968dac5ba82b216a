package dev.berth.jenkins;

import dev.berth.jenkins.PipelineHarness.PipelineError;
import dev.berth.jenkins.PipelineHarness.Section;
import groovy.lang.Closure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The declarative {@code pipeline {}} as the harness runs it: sections are collected first (agent, options,
 * parameters, environment, stages, post), parameter defaults fill {@code params}, the environment is set,
 * stages run in order (when / input / environment / steps / post), then the pipeline's post conditions.
 */
final class Declarative {
  private final PipelineHarness h;
  final Map<String, Object> agent = new LinkedHashMap<>();
  final List<String> options = new ArrayList<>();
  final Map<String, Closure<?>> environment = new LinkedHashMap<>();
  final List<StageDsl> stages = new ArrayList<>();
  final Map<String, Closure<?>> post = new LinkedHashMap<>();

  Declarative(PipelineHarness h) {
    this.h = h;
  }

  Object run(Closure<?> body) {
    Section.with(body, new PipelineDsl());
    if (stages.isEmpty()) {
      throw new PipelineError("pipeline: no stages");
    }
    for (Map.Entry<String, Closure<?>> e : environment.entrySet()) {
      h.baseEnv.put(e.getKey(), String.valueOf(e.getValue().call()));
    }
    Object pipelineAgent = agent.get("agent");
    h.requireNode = "none".equals(pipelineAgent);
    boolean holdsAgent = pipelineAgent != null && !"none".equals(pipelineAgent);
    if (holdsAgent) {
      h.enterNode("pipeline");
    }
    PipelineError failure = null;
    for (StageDsl s : stages) {
      if (failure != null) {
        h.stagesSkipped.add(s.name);
        continue;
      }
      try {
        runStage(s);
      } catch (PipelineError e) {
        h.log.add("stage " + s.name + " failed: " + e.getMessage());
        failure = e;
      }
    }
    h.currentBuild.put("result", failure != null ? "FAILURE"
        : h.currentBuild.get("result") != null ? h.currentBuild.get("result") : "SUCCESS");
    runPost(post, failure == null);
    if (holdsAgent) {
      h.exitNode();
    }
    if (failure != null) {
      throw failure;
    }
    return null;
  }

  private void runStage(StageDsl s) {
    boolean whenFirst = s.input == null || s.beforeInput;
    if (whenFirst && !s.whenTrue()) {
      h.stagesSkipped.add(s.name);
      return;
    }
    if (s.input != null) {
      Map<String, Object> args = new LinkedHashMap<>(s.input);
      h.step("input", new Object[] {args});
    }
    if (!whenFirst && !s.whenTrue()) {
      h.stagesSkipped.add(s.name);
      return;
    }
    if (s.steps == null) {
      throw new PipelineError("stage '" + s.name + "' has no steps");
    }
    boolean holdsAgent = s.agent != null && !"none".equals(s.agent);
    if (holdsAgent) {
      h.enterNode(s.name);
    }
    try {
      Map<String, String> env = new LinkedHashMap<>();
      for (Map.Entry<String, Closure<?>> e : s.environment.entrySet()) {
        env.put(e.getKey(), String.valueOf(e.getValue().call()));
      }
      boolean ok = false;
      try {
        h.withEnv(env, new Closure<Object>(this) {
          @Override
          public Object call() {
            return h.stage(s.name, s.steps);
          }
        });
        ok = true;
      } finally {
        runPost(s.post, ok);
      }
    } finally {
      if (holdsAgent) {
        h.exitNode();
      }
    }
  }

  private void runPost(Map<String, Closure<?>> conditions, boolean success) {
    for (Map.Entry<String, Closure<?>> e : conditions.entrySet()) {
      String c = e.getKey();
      boolean run = c.equals("always") || (success && c.equals("success")) || (!success && c.equals("failure"))
          || (!success && c.equals("unsuccessful"));
      if (run && !c.equals("cleanup")) {
        e.getValue().call();
      }
    }
    if (conditions.containsKey("cleanup")) {
      conditions.get("cleanup").call();
    }
  }

  static Closure<?> closure(String section, Object[] args) {
    if (args.length != 1 || !(args[0] instanceof Closure<?> c)) {
      throw new PipelineError(section + " takes a block { ... }");
    }
    return c;
  }

  final class PipelineDsl extends Section {
    @Override
    public Object getProperty(String property) {
      if (property.equals("any") || property.equals("none")) {
        return property;
      }
      return super.getProperty(property);
    }

    @Override
    Object dispatch(String name, Object[] args) {
      switch (name) {
        case "agent":
          agent.put("agent", args.length == 1 ? args[0] : List.of(args));
          return null;
        case "options":
          with(closure(name, args), new OptionsDsl());
          return null;
        case "parameters":
          with(closure(name, args), new ParametersDsl());
          return null;
        case "environment":
          with(closure(name, args), new EnvironmentDsl(environment));
          return null;
        case "stages":
          with(closure(name, args), new StagesDsl());
          return null;
        case "post":
          with(closure(name, args), new PostDsl(post));
          return null;
        default:
          throw unknown(name, args);
      }
    }
  }

  final class OptionsDsl extends Section {
    @Override
    Object dispatch(String name, Object[] args) {
      if (List.of("timeout", "timestamps", "disableConcurrentBuilds", "ansiColor", "buildDiscarder",
          "skipDefaultCheckout").contains(name)) {
        options.add(name);
        return null;
      }
      throw unknown(name, args);
    }
  }

  final class ParametersDsl extends Section {
    @Override
    Object dispatch(String name, Object[] args) {
      if (!List.of("string", "text", "booleanParam", "choice").contains(name)) {
        throw unknown(name, args);
      }
      if (args.length != 1 || !(args[0] instanceof Map<?, ?> m) || !m.containsKey("name")) {
        throw new PipelineError("parameters: " + name + " takes (name: ..., ...)");
      }
      String param = String.valueOf(m.get("name"));
      Object value;
      switch (name) {
        case "string":
        case "text":
          value = m.containsKey("defaultValue") ? String.valueOf(m.get("defaultValue")) : "";
          break;
        case "booleanParam":
          value = Boolean.TRUE.equals(m.get("defaultValue"));
          break;
        case "choice": {
          Object choices = m.get("choices");
          value = choices instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : "";
          break;
        }
        default:
          throw new PipelineError("parameters: unknown parameter type " + name);
      }
      h.params.putIfAbsent(param, value);
      return null;
    }
  }

  /** {@code environment { KEY = value }}: values are evaluated when the pipeline (or stage) starts. */
  static final class EnvironmentDsl extends Section {
    private final Map<String, Closure<?>> into;
    private final Map<String, Object> values = new LinkedHashMap<>();

    EnvironmentDsl(Map<String, Closure<?>> into) {
      this.into = into;
    }

    @Override
    public void setProperty(String property, Object value) {
      if (!property.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new PipelineError("environment: bad name " + property);
      }
      values.put(property, value);
      into.put(property, new Closure<Object>(this) {
        @Override
        public Object call() {
          return value;
        }
      });
    }

    @Override
    Object dispatch(String name, Object[] args) {
      throw unknown(name, args);
    }
  }

  final class StagesDsl extends Section {
    @Override
    Object dispatch(String name, Object[] args) {
      if (!name.equals("stage")) {
        throw unknown(name, args);
      }
      if (args.length != 2 || !(args[1] instanceof Closure<?> c)) {
        throw new PipelineError("stage takes ('name') { ... }");
      }
      StageDsl s = new StageDsl(String.valueOf(args[0]));
      with(c, s);
      stages.add(s);
      return null;
    }
  }

  final class StageDsl extends Section {
    final String name;
    final List<Closure<?>> when = new ArrayList<>();
    boolean beforeInput;
    Map<String, Object> input;
    final Map<String, Closure<?>> environment = new LinkedHashMap<>();
    Closure<?> steps;
    Object agent;
    final Map<String, Closure<?>> post = new LinkedHashMap<>();

    StageDsl(String name) {
      this.name = name;
    }

    @Override
    public Object getProperty(String property) {
      if (property.equals("any") || property.equals("none")) {
        return property;
      }
      return super.getProperty(property);
    }

    boolean whenTrue() {
      for (Closure<?> c : when) {
        if (!truthy(c.call())) {
          return false;
        }
      }
      return true;
    }

    @Override
    Object dispatch(String n, Object[] args) {
      if (n.equals("agent") && args.length == 1) {
        agent = args[0]; // any, none, or a block ({ label '...' })
        return null;
      }
      boolean block = args.length == 1 && args[0] instanceof Closure<?>;
      if (!block) {
        throw unknown(n, args); // e.g. a step call inside steps {}: resolved further out
      }
      Closure<?> c = (Closure<?>) args[0];
      switch (n) {
        case "steps":
          steps = c;
          return null;
        case "when":
          with(c, new WhenDsl(this));
          return null;
        case "input": {
          InputDsl i = new InputDsl();
          with(c, i);
          input = i.values;
          return null;
        }
        case "environment":
          with(c, new EnvironmentDsl(environment));
          return null;
        case "post":
          with(c, new PostDsl(post));
          return null;
        case "options":
          with(c, new OptionsDsl());
          return null;
        default:
          throw unknown(n, args);
      }
    }
  }

  static final class WhenDsl extends Section {
    private final StageDsl stage;

    WhenDsl(StageDsl stage) {
      this.stage = stage;
    }

    @Override
    Object dispatch(String name, Object[] args) {
      switch (name) {
        case "expression":
          stage.when.add(closure(name, args));
          return null;
        case "beforeInput":
          stage.beforeInput = truthy(args[0]);
          return null;
        case "beforeAgent":
          return null;
        default:
          throw unknown(name, args);
      }
    }
  }

  static final class InputDsl extends Section {
    final Map<String, Object> values = new LinkedHashMap<>();

    @Override
    Object dispatch(String name, Object[] args) {
      if (List.of("message", "ok", "submitter", "id").contains(name) && args.length == 1) {
        values.put(name, args[0]);
        return null;
      }
      throw unknown(name, args);
    }
  }

  static final class PostDsl extends Section {
    private final Map<String, Closure<?>> into;

    PostDsl(Map<String, Closure<?>> into) {
      this.into = into;
    }

    @Override
    Object dispatch(String name, Object[] args) {
      if (List.of("always", "success", "failure", "unsuccessful", "cleanup").contains(name)) {
        into.put(name, closure(name, args));
        return null;
      }
      throw unknown(name, args);
    }
  }
}
