package dev.berth.cli;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.berth.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Generates the GitHub Action from the picocli model: {@code action.yml} (inputs named like the CLI options,
 * outputs for every result key) and {@code .github/action/inputs.tsv} (how the entry point turns each input
 * into arguments). {@link ActionYamlTest} fails when the committed files differ from what this produces.
 *
 * <p>Regenerate: {@value #REGENERATE}
 */
final class ActionYaml {
  static final String REGENERATE = "mvn -o -q -B test -Dtest=ActionYamlTest -Dberth.regenerate=true";
  static final Path ACTION_YML = Path.of("action.yml");
  static final Path INPUTS_TSV = Path.of(".github/action/inputs.tsv");

  /** The step input's values and the step classes' simple names. */
  static final Map<String, String> STEP_CLASSES = new LinkedHashMap<>();

  static {
    STEP_CLASSES.put("ecr-push", "EcrPush");
    STEP_CLASSES.put("ecs-register-task", "EcsRegisterTask");
    STEP_CLASSES.put("ecs-deploy-service", "EcsDeployService");
    STEP_CLASSES.put("ecs-scale", "EcsScale");
    STEP_CLASSES.put("ecs-force-redeploy", "EcsForceRedeploy");
    STEP_CLASSES.put("ecs-run-task", "EcsRunTask");
  }

  /**
   * Result keys of steps whose {@code dev.berth.step.<Name>.Result} record does not exist yet (from the
   * issues). Once the record exists its Jackson properties are the keys and this list is not used.
   */
  static final Map<String, List<String>> PLANNED_RESULT_KEYS = Map.of(
      "ecr-push", List.of("repository", "repositoryUri", "tags", "digest", "image", "created", "pushed"),
      "ecs-register-task", List.of("taskDefinitionArn", "family", "revision", "registered", "containers"),
      "ecs-deploy-service", List.of("clusterArn", "serviceArn", "taskDefinitionArn", "deploymentId", "rolloutState",
          "desiredCount", "runningCount", "created", "loadBalancerDnsName", "targetGroupArn", "autoscaling"),
      "ecs-scale", List.of("previousDesiredCount", "desiredCount", "runningCount", "autoscaling"),
      "ecs-force-redeploy", List.of("deploymentId", "previousDeploymentId", "taskDefinitionArn",
          "previousTaskDefinitionArn", "rolloutState"));

  /** Keys every result has when a step fails (StepCommand adds them), and the outputs the reporter adds. */
  static final List<String> FAILURE_KEYS = List.of("ok", "error", "outcome", "exitCode", "violations");

  /** Descriptions of result keys; a key not listed here gets a generic one. */
  static final Map<String, String> KEY_DESCRIPTIONS = new LinkedHashMap<>();

  static {
    Map<String, String> d = KEY_DESCRIPTIONS;
    d.put("repository", "ECR repository name.");
    d.put("repositoryUri", "ECR repository URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME).");
    d.put("tags", "Tags pushed, as a JSON array.");
    d.put("digest", "Image manifest digest (sha256:...).");
    d.put("image", "Pinned image reference repositoryUri@digest, the value to put in a task definition.");
    d.put("created", "true when this run created the resource (repository, or service).");
    d.put("pushed", "false when the tag already held the same digest and nothing was pushed.");
    d.put("taskDefinitionArn", "Task definition ARN (family:revision) registered, reused or deployed.");
    d.put("family", "Task definition family.");
    d.put("revision", "Task definition revision number.");
    d.put("registered", "false when an identical revision was reused and nothing was registered.");
    d.put("containers", "Container name -> image, as a JSON object.");
    d.put("clusterArn", "Cluster ARN.");
    d.put("serviceArn", "Service ARN.");
    d.put("deploymentId", "Id of the deployment this run started or watched.");
    d.put("rolloutState", "Verdict of the rollout: COMPLETED, FAILED, ROLLED_BACK or TIMED_OUT.");
    d.put("desiredCount", "Desired task count afterwards.");
    d.put("runningCount", "Running task count at the end.");
    d.put("loadBalancerDnsName", "DNS name of the service's Application Load Balancer (the endpoint).");
    d.put("targetGroupArn", "Target group ARN of the service.");
    d.put("autoscaling", "Autoscaling range and policies, as a JSON object.");
    d.put("previousDesiredCount", "Desired task count before the change.");
    d.put("previousDeploymentId", "Id of the deployment that was primary before this run.");
    d.put("previousTaskDefinitionArn", "Task definition ARN deployed before this run.");
    d.put("mediaType", "Media type of the pushed manifest (image manifest or multi-platform index).");
    d.put("tagsPushed", "Tags this run wrote, as a JSON array (tags already holding the digest are left out).");
    d.put("source", "The image source that was pushed (registry reference, layout, archive or build).");
    d.put("blobsUploaded", "Blobs uploaded to the registry.");
    d.put("blobsMounted", "Blobs mounted from another repository of the registry (no upload).");
    d.put("blobsSkipped", "Blobs the registry already had.");
    d.put("bytesUploaded", "Bytes uploaded.");
    d.put("message", "A one-line account of what the step did.");
    d.put("warnings", "Warnings about the input, as a JSON array.");
    d.put("deregistered", "Task definition revisions deregistered by --keep-revisions, as a JSON array.");
    d.put("keptInUse", "Old revisions kept because a service still uses them, as a JSON array.");
    d.put("pendingCount", "Pending task count at the end.");
    d.put("previousAutoscaling", "Autoscaling range before the change, as a JSON object.");
    d.put("changed", "What this run changed: true/false (ecs-scale), or a JSON array of changes, empty when nothing "
        + "changed (ecs-deploy-service).");
    d.put("dryRun", "true when --dry-run made only read calls and changed nothing (absent otherwise).");
    d.put("changes", "What the step changed or, with --dry-run, would change, as a JSON array of {resource, name, "
        + "action (create, update, delete), fields: [{field, before, after}]}.");
    d.put("plan", "The changes as a person reads them (one line each: + create, ~ update old -> new, - delete), "
        + "for a step summary or a Jenkins input.");
    d.put("taskArn", "ARN of the task ecs-run-task started.");
    d.put("exitCode", "berth's exit code (0 ok, 1 failed, 2 usage, 3 invalid input, 4 access, 5 timed out); for "
        + "ecs-run-task, the exit code of the task's container.");
    d.put("stoppedReason", "Why ECS stopped the task (ecs-run-task).");
    d.put("logStream", "CloudWatch Logs stream of the container whose exit code is the verdict (ecs-run-task).");
    d.put("logs", "The last lines of that container's log stream, as a JSON array (ecs-run-task).");
    d.put("container", "The container whose exit code is the verdict (ecs-run-task).");
    d.put("lastStatus", "The task's last status: STOPPED once it stopped (ecs-run-task).");
    d.put("stopCode", "ECS's stop code of the task, such as EssentialContainerExited (ecs-run-task).");
    d.put("subnets", "Subnets the task ran in, as a JSON array (ecs-run-task).");
    d.put("securityGroups", "Security groups of the task, as a JSON array (ecs-run-task).");
    d.put("command", "The command override, as a JSON array (ecs-run-task; absent: the image's command).");
    d.put("supersededBy", "Id of the deployment that replaced ours before it finished, if one did.");
    d.put("waited", "true when the step waited for the service to settle.");
    d.put("verdict", "Verdict of the watched deployment: COMPLETED, FAILED, ROLLED_BACK, SUPERSEDED or TIMED_OUT.");
    d.put("reasons", "Why a rollout did not complete (stopped tasks, unhealthy targets), as a JSON array.");
    d.put("taskDefinitionRegistered", "true when --image registered a new task definition revision.");
    d.put("rollbackSource", "Where --rollback found the task definition to go back to.");
    d.put("ok", "true when the step succeeded.");
    d.put("error", "Why the step failed (only on failure).");
    d.put("outcome", "How the step failed: FAILED, USAGE, INVALID_INPUT, ACCESS or TIMED_OUT (only on failure).");
    d.put("exitCode", "berth's exit code: 0 ok, 1 failed, 2 usage, 3 invalid input, 4 access, 5 timed out.");
    d.put("violations", "Invalid-input problems as a JSON array of {where, message, warning} (exit 3 only).");
  }

  /** Option names that would carry a secret on the command line; none may become an input. */
  static final Pattern SECRET_OPTION = Pattern.compile(".*(password|passwd|token|secret-access-key|private-key).*");

  /** How the entry point passes one input to the CLI. */
  enum Kind {
    /** one value: {@code --opt=VALUE}. */
    VALUE,
    /** repeatable: one {@code --opt=LINE} per non-blank line. */
    LIST,
    /** repeatable K=V: one {@code --opt=K=V} per non-blank line. */
    MAP,
    /** boolean: true gives {@code --opt}, false gives the negated form when there is one. */
    FLAG,
    /** repeatable flag (-v): true once, or a number of times. */
    COUNT;

    String tsv() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One CLI option of one step, as an input. */
  record Input(String step, String name, Kind kind, String option, String negated, String description,
      boolean required) {
    String envVar() {
      return envVarOf(name);
    }
  }

  static String envVarOf(String input) {
    return "INPUT_" + input.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The actions this repository uses, pinned by full commit SHA (GitHub's hardening guide) with the release the
   * SHA is, on the Node 24 runtime: uses-name -> "SHA # vX.Y.Z". Workflows use the same pins.
   */
  static final Map<String, String> PINNED_ACTIONS = new LinkedHashMap<>();

  static {
    PINNED_ACTIONS.put("actions/setup-java", "b6effb05e454b25005698d916606bdc6ffcbf961 # v5.7.0");
    PINNED_ACTIONS.put("actions/cache/restore", "27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5");
    PINNED_ACTIONS.put("actions/cache/save", "27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5");
  }

  static String uses(String action) {
    return action + "@" + PINNED_ACTIONS.get(action);
  }

  /** Inputs of the action itself (not CLI options): name -> {description, default}. */
  static Map<String, String[]> actionInputs() {
    Map<String, String[]> m = new LinkedHashMap<>();
    m.put("step", new String[] {"The berth step to run: " + String.join(", ", STEP_CLASSES.keySet())
        + " (required; no default).", null});
    m.putAll(jarInputs());
    return m;
  }

  /** Inputs that say where the berth jar comes from (every action has them). */
  static Map<String, String[]> jarInputs() {
    Map<String, String[]> m = new LinkedHashMap<>();
    m.put("berth-jar", new String[] {"Path of a berth jar to run, e.g. one built earlier in the job (default: "
        + "empty: at a release tag the release's jar, downloaded once, verified against the SHA-256 the release "
        + "recorded and cached; at any other commit berth is built from the action's own source with Maven, once "
        + "per source, and cached).", ""});
    m.put("berth-version", new String[] {"Download this berth version from a Maven repository instead "
        + "(default: empty, see berth-jar).", ""});
    m.put("berth-sha256", new String[] {"Expected SHA-256 of the berth-version jar; pins the download and a "
        + "cached copy to these bytes (default: empty, the repository's published .sha256 is verified).", ""});
    m.put("maven-repository", new String[] {"Maven repository to download berth-version from, e.g. an in-house "
        + "mirror, https (default: empty, Maven on the runner fetches it with its own settings: Maven Central "
        + "unless settings.xml names a mirror).", ""});
    return m;
  }

  static String version() {
    String v = Main.version();
    return v.endsWith("-SNAPSHOT") ? v.substring(0, v.length() - "-SNAPSHOT".length()) : v;
  }

  /** Every step's inputs, in CLI order: each step's own options, then the common ones. */
  static List<Input> inputs() {
    CommandLine root = Main.commandLine();
    List<Input> all = new ArrayList<>();
    for (String step : STEP_CLASSES.keySet()) {
      CommandLine sub = root.getSubcommands().get(step);
      if (sub == null) {
        throw new IllegalStateException("berth has no subcommand " + step);
      }
      CommandSpec spec = sub.getCommandSpec();
      for (OptionSpec o : spec.options()) {
        if (o.usageHelp() || o.versionHelp() || o.hidden()) {
          continue;
        }
        String option = o.longestName();
        String name = option.replaceFirst("^-+", "");
        if (SECRET_OPTION.matcher(name).matches()) {
          throw new IllegalStateException(step + " " + option + " looks like it carries a secret: the action never "
              + "puts secrets on the command line; read it from an environment variable instead");
        }
        Kind kind;
        String negated = "";
        Class<?> type = o.type();
        if (o.arity().max() == 0 && type == boolean[].class) {
          kind = Kind.COUNT;
        } else if (o.arity().max() == 0 || ((type == boolean.class || type == Boolean.class) && o.arity().min() == 0)) {
          kind = Kind.FLAG;
          if (o.negatable()) {
            negated = spec.negatableOptionTransformer().makeNegative(option, spec);
          }
        } else if (o.typeInfo().isMap()) {
          kind = Kind.MAP;
        } else if (o.isMultiValue()) {
          kind = Kind.LIST;
        } else {
          kind = Kind.VALUE;
        }
        all.add(new Input(step, name, kind, option, negated, description(o), o.required()));
      }
    }
    return all;
  }

  private static String description(OptionSpec o) {
    String d = String.join(" ", o.description()).replaceAll("\\s+", " ").trim();
    if (!d.toLowerCase(Locale.ROOT).contains("default") && !d.toLowerCase(Locale.ROOT).contains("required")) {
      String def = o.defaultValue();
      if (o.required()) {
        d += " (required)";
      } else if (def != null && !def.isEmpty()) {
        d += " (default: " + def + ")";
      } else if (o.arity().max() == 0) {
        d += " (default: false)";
      } else {
        d += " (default: not set)";
      }
    }
    return d;
  }

  /** Result keys per step: the step's Result record when it exists, else the planned list. */
  static Map<String, List<String>> resultKeys() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : STEP_CLASSES.entrySet()) {
      List<String> fromRecord = recordKeys(e.getValue());
      List<String> keys = new ArrayList<>(fromRecord != null ? fromRecord : PLANNED_RESULT_KEYS.get(e.getKey()));
      if (keys.contains("changes")) {
        keys.add(keys.indexOf("changes") + 1, "plan"); // StepCommand renders the changes as text beside them
      }
      m.put(e.getKey(), keys);
    }
    return m;
  }

  /** The JSON property names of {@code dev.berth.step.NAME.Result}, or null when there is no such record. */
  static List<String> recordKeys(String stepClass) {
    Class<?> result;
    try {
      result = Class.forName("dev.berth.step." + stepClass + "$Result");
    } catch (ClassNotFoundException e) {
      return null;
    }
    BeanDescription bd = Json.mapper().getSerializationConfig().introspect(Json.mapper().constructType(result));
    List<String> names = new ArrayList<>();
    for (BeanPropertyDefinition p : bd.findProperties()) {
      if (p.couldSerialize()) {
        names.add(p.getName());
      }
    }
    if (result.isRecord()) {
      // records serialize in component order
      List<String> ordered = new ArrayList<>();
      for (var c : result.getRecordComponents()) {
        if (names.contains(c.getName())) {
          ordered.add(c.getName());
        }
      }
      for (String n : names) {
        if (!ordered.contains(n)) {
          ordered.add(n);
        }
      }
      return ordered;
    }
    return names;
  }

  // ---- rendering --------------------------------------------------------------------------------------------

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** One description for an input several steps share. */
  static String inputDescription(List<Input> same) {
    Map<String, List<String>> byText = new LinkedHashMap<>();
    for (Input i : same) {
      byText.computeIfAbsent(i.description(), k -> new ArrayList<>()).add(i.step());
    }
    if (byText.size() == 1 && same.size() == STEP_CLASSES.size()) {
      return "All steps: " + same.get(0).description();
    }
    return byText.entrySet().stream()
        .map(e -> String.join(", ", e.getValue()) + ": " + e.getKey())
        .collect(Collectors.joining(" | "));
  }

  /** Inputs by name: each step's own options in step order first, then those every step takes. */
  static Map<String, List<Input>> inputsByName() {
    Map<String, List<Input>> all = new LinkedHashMap<>();
    for (Input i : inputs()) {
      all.computeIfAbsent(i.name(), k -> new ArrayList<>()).add(i);
    }
    Map<String, List<Input>> ordered = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      if (v.size() < STEP_CLASSES.size()) {
        ordered.put(k, v);
      }
    });
    all.forEach((k, v) -> {
      if (v.size() == STEP_CLASSES.size()) {
        ordered.put(k, v);
      }
    });
    return ordered;
  }

  static String actionYml() {
    Map<String, List<Input>> byName = inputsByName();
    Map<String, String[]> own = actionInputs();
    for (String n : own.keySet()) {
      if (byName.containsKey(n)) {
        throw new IllegalStateException("action input " + n + " collides with a CLI option of "
            + byName.get(n).get(0).step());
      }
    }
    Map<String, String[]> inputs = new LinkedHashMap<>();
    own.forEach((n, v) -> inputs.put(n, new String[] {v[0], v[1], String.valueOf(n.equals("step"))}));
    byName.forEach((n, v) -> inputs.put(n, new String[] {inputDescription(v), null, "false"}));

    Map<String, Set<String>> outputSteps = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : resultKeys().entrySet()) {
      for (String key : e.getValue()) {
        outputSteps.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(e.getKey());
      }
    }
    for (String key : FAILURE_KEYS) {
      outputSteps.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(STEP_CLASSES.keySet());
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    for (Map.Entry<String, Set<String>> e : outputSteps.entrySet()) {
      String steps = e.getValue().size() == STEP_CLASSES.size() ? "all steps" : String.join(", ", e.getValue());
      outputs.put(e.getKey(), KEY_DESCRIPTIONS.getOrDefault(e.getKey(), "Result key " + e.getKey() + ".")
          + " (result key " + e.getKey() + "; " + steps + ")");
    }
    String header = "# Regenerate after changing a step's options or result: " + REGENERATE + "\n"
        + "# Inputs are named like the CLI options (kebab-case); repeatable options take one value per line,\n"
        + "# maps take K=V lines, booleans take true/false. An empty input means \"not given\" (the CLI default).\n"
        + "# One action per step too: uses: OWNER/berth/<step>@VERSION (a folder per step), with only its inputs.\n";
    return render(header, "berth", "Ship a container to Amazon ECS on Fargate: push to ECR without Docker, "
        + "register the task definition, deploy behind an ALB and watch the rollout to a verdict.",
        inputs, outputs, null, "");
  }

  /** The action of one step ({@code STEP/action.yml}): that step's inputs and outputs only. */
  static String stepActionYml(String step) {
    Map<String, String[]> inputs = new LinkedHashMap<>();
    jarInputs().forEach((n, v) -> inputs.put(n, new String[] {v[0], v[1], "false"}));
    for (Input i : inputs()) {
      if (i.step().equals(step)) {
        if (inputs.containsKey(i.name())) {
          throw new IllegalStateException("action input " + i.name() + " collides with a CLI option of " + step);
        }
        inputs.put(i.name(), new String[] {i.description(), null, String.valueOf(i.required())});
      }
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(resultKeys().get(step));
    for (String k : FAILURE_KEYS) {
      if (!keys.contains(k)) {
        keys.add(k);
      }
    }
    for (String k : keys) {
      outputs.put(k, KEY_DESCRIPTIONS.getOrDefault(k, "Result key " + k + ".") + " (result key " + k + ")");
    }
    String summary = Main.commandLine().getSubcommands().get(step).getCommandSpec().usageMessage().header().length > 0
        ? String.join(" ", Main.commandLine().getSubcommands().get(step).getCommandSpec().usageMessage().header())
        : step;
    String header = "# Regenerate after changing the step's options or result: " + REGENERATE + "\n"
        + "# The berth action for " + step + " alone (the root action.yml runs every step with a step input).\n"
        + "# Inputs are named like the CLI options; an empty input means \"not given\" (the CLI default).\n";
    return render(header, "berth " + step, summary.replaceAll("\\s+", " ").trim(), inputs, outputs, step, "/..");
  }

  /**
   * One composite action: inputs (name -> {description, default or null, required}), outputs (result key ->
   * description), the step it runs (null: the step input) and where the repository root is from the action.
   */
  private static String render(String header, String name, String description, Map<String, String[]> inputs,
      Map<String, String> outputs, String step, String toRoot) {
    Map<String, String> outputNames = new LinkedHashMap<>();
    for (String key : outputs.keySet()) {
      String clash = outputNames.put(GithubActions.kebab(key), key);
      if (clash != null) {
        throw new IllegalStateException("result keys " + clash + " and " + key + " give the same output "
            + GithubActions.kebab(key));
      }
    }
    StringBuilder y = new StringBuilder();
    y.append("# GENERATED from berth's picocli model by src/test/java/dev/berth/cli/ActionYaml.java: do not edit.\n");
    y.append(header);
    y.append("name: ").append(q(name)).append('\n');
    y.append("description: ").append(q(description)).append('\n');
    y.append("author: berth\n");
    y.append("branding:\n  icon: anchor\n  color: blue\n");
    y.append("inputs:\n");
    for (Map.Entry<String, String[]> e : inputs.entrySet()) {
      y.append("  ").append(e.getKey()).append(":\n");
      y.append("    description: ").append(q(e.getValue()[0])).append('\n');
      y.append("    required: ").append(e.getValue()[2]).append('\n');
      if (e.getValue()[1] != null) {
        y.append("    default: ").append(q(e.getValue()[1])).append('\n');
      }
    }
    y.append("outputs:\n");
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      String out = GithubActions.kebab(e.getKey());
      y.append("  ").append(out).append(":\n");
      y.append("    description: ").append(q(e.getValue())).append('\n');
      y.append("    value: ${{ steps.run.outputs.").append(out).append(" }}\n");
    }
    y.append("  result:\n");
    y.append("    description: ").append(q("The whole result object as one line of JSON")).append('\n');
    y.append("    value: ${{ steps.run.outputs.result }}\n");

    String scripts = "$GITHUB_ACTION_PATH" + toRoot + "/.github/action/";
    y.append("runs:\n  using: composite\n  steps:\n");
    y.append("    - id: prepare\n");
    y.append("      shell: bash\n");
    y.append("      env:\n");
    for (String n : jarInputs().keySet()) {
      y.append("        ").append(envVarOf(n)).append(": ${{ inputs.").append(n).append(" }}\n");
    }
    y.append("      run: bash \"").append(scripts).append("prepare.sh\"\n");
    y.append("    - id: setup-java\n");
    y.append("      if: steps.prepare.outputs.java == ''\n");
    y.append("      uses: ").append(uses("actions/setup-java")).append('\n');
    y.append("      with:\n        distribution: temurin\n        java-version: '25'\n");
    y.append("    - id: restore\n");
    y.append("      if: steps.prepare.outputs.cache-path != ''\n");
    y.append("      uses: ").append(uses("actions/cache/restore")).append('\n');
    y.append("      with:\n");
    y.append("        path: ${{ steps.prepare.outputs.cache-path }}\n");
    y.append("        key: ${{ steps.prepare.outputs.cache-key }}\n");
    // the launcher's start-up caches (one per step, jar and java), on GitHub-hosted runners running a released jar
    y.append("    - id: restore-startup\n");
    y.append("      if: steps.prepare.outputs.startup-cache-key != ''\n");
    y.append("      uses: ").append(uses("actions/cache/restore")).append('\n');
    y.append("      with:\n");
    y.append("        path: ${{ steps.prepare.outputs.startup-cache-path }}\n");
    y.append("        key: ${{ steps.prepare.outputs.startup-cache-key }}\n");
    y.append("        restore-keys: ${{ steps.prepare.outputs.startup-cache-key }}-\n");
    y.append("    - id: run\n");
    y.append("      shell: bash\n");
    y.append("      env:\n");
    y.append("        BERTH_ACTION_JAVA: ${{ steps.prepare.outputs.java || format('{0}/bin/java', "
        + "steps.setup-java.outputs.path) }}\n");
    y.append("        BERTH_ACTION_CACHE_DIR: ${{ steps.prepare.outputs.cache-dir }}\n");
    y.append("        BERTH_ACTION_STARTUP_CACHE: ${{ steps.prepare.outputs.startup-cache-path }}\n");
    if (step != null) {
      y.append("        INPUT_STEP: ").append(step).append('\n');
    }
    for (String n : inputs.keySet()) {
      y.append("        ").append(envVarOf(n)).append(": ${{ inputs.").append(n).append(" }}\n");
    }
    y.append("      run: bash \"").append(scripts).append("entrypoint.sh\"\n");
    y.append("    - id: save\n");
    y.append("      if: ${{ !cancelled() && steps.prepare.outputs.cache-path != '' "
        + "&& steps.restore.outputs.cache-hit != 'true' && steps.run.outputs.berth-jar-downloaded == 'true' }}\n");
    y.append("      uses: ").append(uses("actions/cache/save")).append('\n');
    y.append("      with:\n");
    y.append("        path: ${{ steps.prepare.outputs.cache-path }}\n");
    y.append("        key: ${{ steps.prepare.outputs.cache-key }}\n");
    // a new entry only when this step recorded a start-up cache: the key ends with the folder's listing
    y.append("    - id: startup-cache-id\n");
    y.append("      if: ${{ !cancelled() && steps.prepare.outputs.startup-cache-key != '' }}\n");
    y.append("      shell: bash\n");
    y.append("      env:\n");
    y.append("        STARTUP_CACHE: ${{ steps.prepare.outputs.startup-cache-path }}\n");
    y.append("      run: if [ -d \"$STARTUP_CACHE\" ]; then echo \"id=$(cd \"$STARTUP_CACHE\" && printf '%s\\n' * | cksum "
        + "| cut -d' ' -f1)\" >> \"$GITHUB_OUTPUT\"; fi\n");
    y.append("    - id: save-startup\n");
    y.append("      if: ${{ !cancelled() && steps.startup-cache-id.outputs.id != '' "
        + "&& steps.restore-startup.outputs.cache-matched-key != format('{0}-{1}', "
        + "steps.prepare.outputs.startup-cache-key, steps.startup-cache-id.outputs.id) }}\n");
    y.append("      uses: ").append(uses("actions/cache/save")).append('\n');
    y.append("      with:\n");
    y.append("        path: ${{ steps.prepare.outputs.startup-cache-path }}\n");
    y.append("        key: ${{ steps.prepare.outputs.startup-cache-key }}-${{ steps.startup-cache-id.outputs.id }}\n");
    return y.toString();
  }

  static Path stepActionYmlPath(String step) {
    return Path.of(step, "action.yml");
  }

  /** The entry point's table: step, input, kind, option, negated option, environment variable. */
  static String inputsTsv() {
    StringBuilder t = new StringBuilder();
    t.append("# GENERATED with action.yml by src/test/java/dev/berth/cli/ActionYaml.java: do not edit.\n");
    t.append("# step\tinput\tkind\toption\tnegated\tvariable\n");
    for (Input i : inputs()) {
      t.append(i.step()).append('\t').append(i.name()).append('\t').append(i.kind().tsv()).append('\t')
          .append(i.option()).append('\t').append(i.negated().isEmpty() ? "-" : i.negated()).append('\t')
          .append(i.envVar()).append('\n');
    }
    return t.toString();
  }

  /** Writes action.yml, the steps' actions and inputs.tsv under the given project folder. */
  static void write(Path root) throws IOException {
    Files.writeString(root.resolve(ACTION_YML), actionYml(), StandardCharsets.UTF_8);
    for (String step : STEP_CLASSES.keySet()) {
      Files.createDirectories(root.resolve(stepActionYmlPath(step)).getParent());
      Files.writeString(root.resolve(stepActionYmlPath(step)), stepActionYml(step), StandardCharsets.UTF_8);
    }
    Files.createDirectories(root.resolve(INPUTS_TSV).getParent());
    Files.writeString(root.resolve(INPUTS_TSV), inputsTsv(), StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws IOException {
    write(Path.of(args.length > 0 ? args[0] : "."));
  }

  private ActionYaml() {}
}
