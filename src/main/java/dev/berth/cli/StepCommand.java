package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.aws.ApiCallLog;
import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.Outcome;
import dev.berth.report.Plan;
import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;
import dev.berth.report.Violation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What every step command shares: read options, build the AWS clients lazily, run the step, render its
 * result as one JSON object on stdout (and --result-file), map failures to exit codes. Subclasses only turn
 * options into a request and call the step.
 */
public abstract class StepCommand implements Callable<Integer> {
  @Mixin
  protected CommonOptions common;

  @Spec
  protected CommandSpec spec;

  private Runtime runtime;

  /** What the process gives a command: environment, streams. Tests pass their own. */
  public record Runtime(Map<String, String> env, PrintStream out, PrintStream err) {}

  /** What a running command gets. */
  protected record Context(AwsClients aws, Progress progress, Map<String, String> env) {}

  void init(Runtime r) {
    this.runtime = r;
  }

  /** Runs the step and returns its result (a record or a map), rendered as JSON. */
  protected abstract Object execute(Context context) throws Exception;

  @Override
  public final Integer call() {
    Runtime rt = runtime == null ? new Runtime(System.getenv(), System.out, System.err) : runtime;
    SecretMasker masker = SecretMasker.global();
    masker.registerFromEnvironment(rt.env());
    String step = spec.name();
    Progress progress = Reporters.progress(rt, step, common.verbosity(), masker);
    int code;
    Object result;
    try {
      preflight(rt.env());
      try (AwsClients aws = AwsClients.create(common.awsSettings(rt.env()), rt.env())) {
        result = withDeadline(step, new Context(aws, progress, rt.env()));
        code = ExitCodes.OK;
        if (aws.callLogFailure() != null) {
          throw BerthException.failed(step + " completed, but " + aws.callLogFailure()
              + "; the log misses calls").withResult(result);
        }
      }
    } catch (BerthException e) {
      code = ExitCodes.of(e.outcome());
      result = failure(step, e, e.outcome(), e.result(), progress);
    } catch (SdkException e) {
      BerthException t = AwsErrors.translate("AWS call", e);
      code = ExitCodes.of(t.outcome());
      result = failure(step, t, t.outcome(), null, progress);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = ExitCodes.FAILED;
      result = failure(step, e, Outcome.FAILED, null, progress);
    } catch (Exception e) {
      code = ExitCodes.FAILED;
      result = failure(step, e, Outcome.FAILED, null, progress);
    }
    return emit(rt, step, result, code, masker, progress);
  }

  /**
   * What must hold before the step's first AWS call: --result-file, GITHUB_OUTPUT (in GitHub Actions) and
   * BERTH_API_LOG can be written (exit 3 naming each, rather than a result lost after the change or a log that
   * stops a deploy half way).
   */
  private void preflight(Map<String, String> env) {
    List<Violation> problems = new ArrayList<>();
    Violation result = ResultFile.problem(common.resultFile, "--result-file");
    if (result != null) {
      problems.add(result);
    }
    String outputs = env.get("GITHUB_OUTPUT");
    if (GithubActions.enabled(env) && outputs != null && !outputs.isBlank()) {
      Violation v = ResultFile.problem(Path.of(outputs), "GITHUB_OUTPUT");
      if (v != null) {
        problems.add(v);
      }
    }
    String log = env.get("BERTH_API_LOG");
    String logProblem = log == null || log.isBlank() ? null : ApiCallLog.problem(Path.of(log));
    if (logProblem != null) {
      problems.add(Violation.error("BERTH_API_LOG", logProblem));
    }
    InvalidInputException.throwIfAny(problems);
  }

  /**
   * The step's overall deadline, for steps whose own loop has none (a deploy's or a scale's watcher has its
   * own --timeout); null when the step bounds itself.
   */
  protected java.time.Duration deadline() {
    return null;
  }

  /** Runs the step; with a {@link #deadline()}, gives up when it passes (exit 5) and interrupts the step. */
  private Object withDeadline(String step, Context context) throws Exception {
    java.time.Duration deadline = deadline();
    if (deadline == null) {
      return execute(context);
    }
    java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "berth-" + step);
      t.setDaemon(true);
      return t;
    });
    java.util.concurrent.Future<Object> future = worker.submit(() -> execute(context));
    worker.shutdown();
    try {
      return future.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      future.cancel(true);
      throw BerthException.timedOut(step + " did not finish within " + dev.berth.report.Durations.format(deadline)
          + " (--timeout); the step was stopped there");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private Object failure(String step, Throwable e, Outcome outcome, Object partial, Progress progress) {
    String message = messageOf(e);
    if (e instanceof InvalidInputException iie) {
      for (Violation v : iie.violations()) {
        if (v.warning()) {
          progress.warn(v.toString());
        }
      }
    }
    Reporters.error(runtime == null ? null : runtime, step, message, progress);
    if (common.verbosity() > 0 && !(e instanceof BerthException)) {
      StringBuilder chain = new StringBuilder();
      for (Throwable c = e; c != null; c = c.getCause()) {
        chain.append("\n    caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
      }
      progress.detail("cause:" + chain);
    }
    ObjectNode node = partial == null ? Json.mapper().createObjectNode() : Json.tree(partial);
    node.put("ok", false);
    node.put("error", message);
    node.put("outcome", outcome.name());
    node.put("exitCode", ExitCodes.of(outcome));
    if (e instanceof InvalidInputException iie) {
      var arr = node.putArray("violations");
      for (Violation v : iie.violations()) {
        arr.addObject().put("where", v.where()).put("message", v.message()).put("warning", v.warning());
      }
    }
    return node;
  }

  static String messageOf(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    return m;
  }

  /**
   * Writes the result to --result-file, then stdout and the CI's outputs; returns the exit code. A result that
   * cannot be delivered turns a success into a failure (exit 1) that says so: the change was made, and the
   * pipeline must not carry on without its result.
   */
  private int emit(Runtime rt, String step, Object result, int code, SecretMasker masker, Progress progress) {
    ObjectNode node = result instanceof ObjectNode on ? on : Json.tree(result);
    if (!node.has("ok")) {
      node.put("ok", code == 0);
    }
    if (node.path("changes").isArray()) {
      // the plan as a person reads it (the same list as "changes"): printed for a dry run, and kept as text for a
      // Jenkins input or a step summary
      boolean dry = node.path("dryRun").asBoolean(false);
      List<String> lines = Plan.text(Plan.fromJson(node.get("changes")), dry);
      if (dry) {
        lines.forEach(progress::info);
      }
      node.put("plan", String.join("\n", lines));
    }
    String json = masker.mask(Json.write(node));
    if (common.resultFile != null) {
      try {
        ResultFile.write(common.resultFile, json + "\n");
      } catch (IOException e) {
        String message = step + (code == 0 ? " completed" : " ended") + ", but its result could not be written to"
            + " --result-file " + common.resultFile + ": " + ResultFile.reason(e);
        progress.error(message);
        if (code == 0) {
          code = ExitCodes.FAILED;
          node.put("ok", false);
          node.put("error", message);
          node.put("outcome", Outcome.FAILED.name());
          node.put("exitCode", code);
          json = masker.mask(Json.write(node));
        }
      }
    }
    String outputs = Reporters.publish(rt, step, node, code, masker, progress);
    if (outputs != null) {
      progress.error(outputs);
      if (code == 0) {
        code = ExitCodes.FAILED;
        node.put("ok", false);
        node.put("error", step + " completed, but " + outputs);
        node.put("outcome", Outcome.FAILED.name());
        node.put("exitCode", code);
        json = masker.mask(Json.write(node));
      }
    }
    rt.out().println(json);
    rt.out().flush();
    return code;
  }
}
