package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Json;
import dev.berth.report.Outcome;
import dev.berth.report.Progress;
import dev.berth.report.SecretMasker;
import dev.berth.taskdef.Suggest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A command line picocli cannot parse (exit 2, before any step runs), reported the way every other failure is:
 * every problem at once on stderr, a misspelt option with the closest real one, a pointer to {@code --help}
 * instead of the whole usage text, and the result contract kept: one JSON object on stdout (and in
 * {@code --result-file} when the command line names one), {@code "outcome": "USAGE"}, {@code "exitCode": 2}.
 * In GitHub Actions the message is also an error annotation and the step's outputs are written.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  private final StepCommand.Runtime runtime;

  private UsageErrors(StepCommand.Runtime runtime) {
    this.runtime = runtime;
  }

  static void install(CommandLine cl, StepCommand.Runtime runtime) {
    cl.setParameterExceptionHandler(new UsageErrors(runtime));
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    boolean isStep = cl != null && cl.getCommandSpec().parent() != null;
    String step = isStep ? cl.getCommandName() : null;
    String who = step == null ? "berth" : "berth " + step;
    SecretMasker masker = SecretMasker.global();
    masker.registerFromEnvironment(runtime.env());
    List<String> problems = isStep ? problems(ex, cl, args) : List.of(rootProblem(ex));
    String message = String.join("; ", problems);

    boolean github = GithubActions.enabled(runtime.env());
    if (github) {
      runtime.err().println(GithubActions.command("error", Map.of("title", who), masker.mask(message)));
    }
    for (String p : problems) {
      runtime.err().println(masker.mask(who + ": " + p));
    }
    runtime.err().println(step == null
        ? "Run 'berth --help' for the steps, 'berth STEP --help' for a step's options."
        : "Run '" + who + " --help' for its options.");
    runtime.err().flush();

    ObjectNode node = Json.mapper().createObjectNode();
    node.put("ok", false);
    node.put("error", message);
    node.put("outcome", Outcome.USAGE.name());
    node.put("exitCode", ExitCodes.USAGE);
    String json = masker.mask(Json.write(node));
    runtime.out().println(json);
    runtime.out().flush();
    String resultFile = resultFile(args);
    if (resultFile != null) {
      try {
        ResultFile.write(Path.of(resultFile), json + "\n");
      } catch (IOException | RuntimeException e) {
        runtime.err().println(who + ": cannot write --result-file " + resultFile + ": " + e.getMessage());
      }
    }
    if (github) {
      Progress progress = Reporters.progress(runtime, step == null ? "berth" : step, 0, masker);
      Reporters.publish(runtime, step == null ? "berth" : step, node, ExitCodes.USAGE, masker, progress);
    }
    return ExitCodes.USAGE;
  }

  /** The root command's problem: no step, or an unknown one (picocli's own suggestions kept). */
  private static String rootProblem(ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      List<String> suggestions = u.getSuggestions();
      return "unknown step '" + first + "'"
          + (suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)");
    }
    return ex.getMessage();
  }

  /**
   * Every problem of a step's command line: unknown options (each with the closest real option), then what
   * picocli refused (a missing required option, a value it cannot convert), without repeats.
   */
  static List<String> problems(ParameterException ex, CommandLine cl, String[] args) {
    CommandSpec spec = cl.getCommandSpec();
    Set<String> problems = new LinkedHashSet<>();
    List<String> unmatched = new ArrayList<>(cl.getUnmatchedArguments());
    if (ex instanceof CommandLine.UnmatchedArgumentException u) {
      for (String s : u.getUnmatched()) {
        if (!unmatched.contains(s)) {
          unmatched.add(s);
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      for (String n : o.names()) {
        if (n.startsWith("--")) {
          names.add(n.substring(2));
        }
      }
    }
    Set<String> suggested = new LinkedHashSet<>();
    boolean afterUnknownOption = false;
    for (String arg : unmatched) {
      if (arg.startsWith("--") && arg.length() > 2) {
        String name = arg.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          name = name.substring(0, eq);
        }
        String near = Suggest.closest(name, names);
        if (near != null) {
          suggested.add("--" + near);
        }
        problems.add("unknown option '--" + name + "'" + (near == null ? "" : " (did you mean '--" + near + "'?)"));
        afterUnknownOption = eq < 0;
      } else if (afterUnknownOption && !arg.startsWith("-")) {
        afterUnknownOption = false; // the unknown option's value
      } else {
        String pairOption = pairOptionBefore(arg, args, spec);
        problems.add(pairOption == null ? "unexpected argument '" + arg + "'"
            : "unexpected argument after " + pairOption + "'s value (the text is not shown: it may be a value; give "
                + pairOption + " NAME=VALUE as one word)");
      }
    }
    if (ex instanceof CommandLine.MissingParameterException m) {
      for (ArgSpec a : m.getMissing()) {
        if (a instanceof OptionSpec o) {
          if (!suggested.contains(o.longestName())) {
            problems.add("missing required option '" + o.longestName() + "'");
          }
        } else {
          problems.add("missing required parameter " + a.paramLabel());
        }
      }
    } else if (!(ex instanceof CommandLine.UnmatchedArgumentException)) {
      problems.add(ex.getMessage());
    }
    return new ArrayList<>(problems);
  }

  /**
   * The NAME=VALUE option ({@code --env}, {@code --build-arg}, ...) that {@code arg} follows on the command line,
   * else null. {@code --env TOKEN s3cr3t} (a space for the '=') leaves the value unmatched: it is not repeated.
   */
  static String pairOptionBefore(String arg, String[] args, CommandSpec spec) {
    for (int i = 0; i < args.length; i++) {
      if (!args[i].equals(arg)) {
        continue;
      }
      for (int j = i - 1; j >= 0; j--) {
        if (args[j].startsWith("--")) {
          int eq = args[j].indexOf('=');
          OptionSpec o = spec.findOption(eq < 0 ? args[j] : args[j].substring(0, eq));
          if (o != null && o.paramLabel() != null && o.paramLabel().contains("=")) {
            return o.longestName();
          }
          break;
        }
      }
    }
    return null;
  }

  /** --result-file's value on the command line, when there is one. */
  static String resultFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--result-file") && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--result-file=")) {
        return args[i].substring("--result-file=".length());
      }
    }
    return null;
  }
}
