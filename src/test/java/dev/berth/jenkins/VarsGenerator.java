package dev.berth.jenkins;

import dev.berth.jenkins.StepKeys.Key;
import dev.berth.jenkins.StepKeys.Kind;
import dev.berth.jenkins.StepKeys.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes vars/STEP.groovy and vars/STEP.txt for every step from the picocli model, so the vars' keys and their
 * help pages cannot drift from the CLI options. {@link VarsInSyncTest} fails when the files differ from what
 * this generates and rewrites them when run with {@code -Dberth.regenerate=true}:
 * <pre>mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true</pre>
 */
public final class VarsGenerator {
  static final String REGENERATE = "mvn -o -q -B test -Dtest=VarsInSyncTest -Dberth.regenerate=true";

  private VarsGenerator() {}

  /** File name (relative to the repository root) -> content. */
  public static Map<String, String> generate() {
    Map<String, String> files = new LinkedHashMap<>();
    for (Step s : StepKeys.steps()) {
      files.put("vars/" + s.var() + ".groovy", groovy(s));
      files.put("vars/" + s.var() + ".txt", help(s));
    }
    return files;
  }

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    for (Map.Entry<String, String> e : generate().entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
    }
  }

  // ---------------------------------------------------------------------------------------------------- .groovy

  static String groovy(Step s) {
    StringBuilder b = new StringBuilder();
    b.append("// GENERATED from the options of `berth ").append(s.command())
        .append("` by src/test/java/dev/berth/jenkins/VarsGenerator.java:\n")
        .append("// do not edit. When the CLI options change, regenerate with\n")
        .append("//   ").append(REGENERATE).append('\n')
        .append('\n')
        .append("/**\n")
        .append(" * ").append(s.var()).append("(key: value, ...): runs `berth ").append(s.command())
        .append("` on this agent and returns its result as a Map.\n")
        .append(" * Keys, types and defaults: vars/").append(s.var()).append(".txt (Pipeline Syntax > Global Variables).\n")
        .append(" */\n")
        .append("def call(Map args = [:]) {\n")
        .append("  return berth.runStep('").append(s.var()).append("', '").append(s.command())
        .append("', keys(), args)\n")
        .append("}\n\n")
        .append("/** The keys of ").append(s.var()).append(": the options of `berth ").append(s.command())
        .append("` (see berth.runStep for the kinds). */\n")
        .append("Map keys() {\n")
        .append("  return [\n");
    for (Key k : s.keys()) {
      b.append("    ").append(q(k.name())).append(": [option: ").append(q(k.option()))
          .append(", kind: ").append(q(k.kind().name()));
      if (k.required()) {
        b.append(", required: true");
      }
      if (k.common()) {
        b.append(", common: true");
      }
      if (k.negated() != null) {
        b.append(", negated: ").append(q(k.negated()));
      }
      if (k.split() != null) {
        b.append(", split: ").append(q(k.split()));
      }
      if (!k.choices().isEmpty()) {
        b.append(", choices: [");
        for (int i = 0; i < k.choices().size(); i++) {
          b.append(i > 0 ? ", " : "").append(q(k.choices().get(i)));
        }
        b.append(']');
      }
      b.append("],\n");
    }
    if (s.keys().isEmpty()) {
      b.append("    :\n");
    }
    b.append("  ]\n}\n");
    return b.toString();
  }

  static String q(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  // ------------------------------------------------------------------------------------------------------- .txt

  /** Hand-written examples (the sample Jenkinsfile's calls); used when every key they name exists. */
  static final Map<String, String> EXAMPLES = Map.of(
      "ecrPush", """
          def img = ecrPush(credentialsId: 'aws-opensourceapi', region: 'us-east-2',
                            repository: 'opensourceapirepo', image: 'node:20',
                            tag: ["my-node-container-${env.BUILD_NUMBER}"])
          echo "pushed ${img.image}\"""",
      "ecsRegisterTask", """
          def td = ecsRegisterTask(credentialsId: 'aws-opensourceapi', region: 'us-east-2',
                                   family: 'gantt-exporter-ecs-task', containerName: 'gantt-exporter-container',
                                   image: img.image, cpu: '1024', memory: '2048', containerMemory: 2048,
                                   port: ['80/tcp'], volume: ['export-service'],
                                   mount: ['export-service:/sites/export-service'])
          echo "task definition ${td.taskDefinitionArn} (registered: ${td.registered})\"""",
      "ecsDeployService", """
          def svc = ecsDeployService(credentialsId: 'aws-opensourceapi', region: 'us-east-2',
                                     cluster: 'gantt', service: 'gantt-exporter',
                                     taskDefinition: td.taskDefinitionArn, desiredCount: 2,
                                     subnets: ['subnet-1', 'subnet-2'], vpcId: 'vpc-1', createLoadBalancer: true,
                                     containerName: 'gantt-exporter-container', containerPort: 80,
                                     healthCheckGracePeriod: 120, autoscalingMin: 1, autoscalingMax: 4,
                                     cpuTarget: 60)
          echo "http://${svc.loadBalancerDnsName}/ (${svc.rolloutState})\"""",
      "ecsScale", """
          def scaled = ecsScale(credentialsId: 'aws-opensourceapi', region: 'us-east-2',
                                cluster: 'gantt', service: 'gantt-exporter', desiredCount: 3)
          echo "desired count ${scaled.previousDesiredCount} -> ${scaled.desiredCount}\"""",
      "ecsForceRedeploy", """
          def promoted = ecsForceRedeploy(credentialsId: 'aws-opensourceapi', region: 'us-east-2',
                                          cluster: 'gantt', service: 'gantt-exporter')
          echo "deployment ${promoted.deploymentId} ${promoted.rolloutState}\"""");

  static final Pattern EXAMPLE_KEY = Pattern.compile("[(,]\\s*([A-Za-z]+):");

  /** The keys a snippet uses as named arguments. */
  static List<String> exampleKeys(String snippet) {
    List<String> keys = new ArrayList<>();
    int echo = snippet.indexOf("\necho");
    Matcher m = EXAMPLE_KEY.matcher(echo < 0 ? snippet : snippet.substring(0, echo));
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  static String example(Step s) {
    String hand = EXAMPLES.get(s.var());
    if (hand != null) {
      boolean allKnown = true;
      for (String k : exampleKeys(hand)) {
        allKnown &= s.key(k) != null || StepKeys.libraryKeys(s.var()).containsKey(k);
      }
      if (allKnown) {
        return hand;
      }
    }
    StringBuilder b = new StringBuilder("def result = ").append(s.var()).append("(");
    List<String> parts = new ArrayList<>();
    for (Key k : s.keys()) {
      if (k.required()) {
        parts.add(k.name() + ": " + sampleValue(k));
      }
    }
    parts.add("region: 'us-east-2'");
    b.append(String.join(", ", parts)).append(")\necho \"${result}\"");
    return b.toString();
  }

  static String sampleValue(Key k) {
    return switch (k.kind()) {
      case INT -> "1";
      case BOOLEAN, NEGATABLE, COUNT -> "true";
      case LIST, CSV -> "['" + k.paramLabel() + "']";
      case MAP -> "[KEY: 'VALUE']";
      case CHOICE -> "'" + k.choices().get(0) + "'";
      case STRING -> "'" + k.paramLabel() + "'";
    };
  }

  static String help(Step s) {
    StringBuilder b = new StringBuilder();
    b.append(s.var()).append("(key: value, ...) runs `berth ").append(s.command())
        .append("` on the agent and returns its result as a Map.\n\n");
    if (!s.description().isBlank()) {
      b.append(wrap(plain(s.description()), "")).append('\n');
    }
    b.append("A failure stops the build with error(\"").append(s.var())
        .append(" failed: REASON\"); an unknown key fails before anything runs, naming the closest key.\n\n")
        .append("Example:\n\n").append(indent(example(s), "    ")).append("\n\n")
        .append("Keys (the options of `berth ").append(s.command())
        .append(" --help`, in camelCase; null or '' means not given):\n\n");
    for (Key k : s.keys()) {
      if (!k.common()) {
        entry(b, s, k);
      }
    }
    b.append("\nAWS access (every step):\n\n");
    for (Key k : s.keys()) {
      if (k.common()) {
        entry(b, s, k);
      }
    }
    for (Map.Entry<String, String> e : StepKeys.libraryKeys(s.var()).entrySet()) {
      int colon = e.getValue().indexOf(": ");
      b.append("  ").append(e.getKey()).append(" (").append(e.getValue(), 0, colon).append(")\n")
          .append(wrap(e.getValue().substring(colon + 2), "      "));
    }
    b.append("\nCredentials are bound for this step only and reach the runner as environment variables,\n")
        .append("never in the shell script text. roleArn: assumes the role with a session name made of\n")
        .append("JOB_NAME and BUILD_NUMBER. See docs/jenkins.md in the berth repository.\n");
    return b.toString();
  }

  static void entry(StringBuilder b, Step s, Key k) {
    b.append("  ").append(k.name()).append(" (").append(StepKeys.typeText(k))
        .append(k.required() ? ", required" : "").append(")  ").append(k.option());
    if (k.kind() == Kind.NEGATABLE) {
      b.append(" / ").append(k.negated());
    } else if (k.kind() != Kind.BOOLEAN && k.kind() != Kind.COUNT) {
      b.append(' ').append(k.paramLabel());
    }
    b.append('\n');
    String d = k.description().isBlank() ? "(no description)" : k.description();
    if (k.kind() == Kind.NEGATABLE) {
      d += " Groovy: " + k.name() + ": true gives " + k.option() + ", false gives " + k.negated() + ".";
    }
    b.append(wrap(plain(d), "      "));
    b.append("      e.g. ").append(k.name()).append(": ").append(exampleValue(s, k)).append('\n');
  }

  /** Example values in the story's vocabulary, for the help pages: "key" or "var.key" -> Groovy value. */
  static final Map<String, String> EXAMPLE_VALUES = new java.util.HashMap<>();

  static {
    String[][] values = {
        {"repository", "'opensourceapirepo'"}, {"cluster", "'gantt'"}, {"service", "'gantt-exporter'"},
        {"family", "'gantt-exporter-ecs-task'"}, {"containerName", "'gantt-exporter-container'"},
        {"containerPort", "80"}, {"containerMemory", "2048"}, {"containerMemoryReservation", "1024"},
        {"cpu", "'1024'"}, {"memory", "'2048'"}, {"desiredCount", "2"}, {"healthCheckGracePeriod", "120"},
        {"autoscalingMin", "1"}, {"autoscalingMax", "4"}, {"cpuTarget", "60"}, {"memoryTarget", "70"},
        {"requestsPerTarget", "1000"}, {"scaleInCooldown", "300"}, {"scaleOutCooldown", "60"},
        {"minHealthyPercent", "100"}, {"maxPercent", "200"}, {"healthyThreshold", "3"}, {"unhealthyThreshold", "3"},
        {"deregistrationDelay", "30"}, {"keepImages", "10"}, {"keepRevisions", "5"}, {"parallel", "4"},
        {"healthCheckRetries", "3"}, {"taskDefinition", "td.taskDefinitionArn"}, {"timeout", "'15m'"},
        {"region", "'us-east-2'"}, {"profile", "'opensourceapi'"},
        {"roleArn", "'arn:aws:iam::123456789012:role/deployer'"}, {"externalId", "'deployer-external-id'"},
        {"roleSessionName", "'gantt-deploy-42'"}, {"vpcId", "'vpc-0abc'"},
        {"subnets", "['subnet-0aaa', 'subnet-0bbb']"}, {"securityGroups", "['sg-0abc']"},
        {"port", "['80/tcp']"}, {"volume", "['export-service']"},
        {"mount", "['export-service:/sites/export-service']"}, {"env", "[NODE_ENV: 'production']"},
        {"secret", "[DB_PASSWORD: 'arn:aws:ssm:us-east-2:123456789012:parameter/db-password']"},
        {"efsVolume", "['export-service': 'fs-0abc']"}, {"tag", "[team: 'gantt']"},
        {"ecrPush.tag", "[\"my-node-container-${env.BUILD_NUMBER}\"]"}, {"ecrPush.image", "'node:20'"},
        {"ecsRegisterTask.image", "img.image"}, {"ecsForceRedeploy.image", "['gantt-exporter-container': img.image]"},
        {"dockerfile", "'Dockerfile'"}, {"context", "'.'"}, {"buildArg", "[NODE_VERSION: '20']"},
        {"tar", "'build/image.tar'"}, {"dockerDaemon", "'gantt-exporter:dev'"}, {"ociLayout", "'build/oci'"},
        {"ociLayoutRef", "'latest'"}, {"registryId", "'123456789012'"}, {"sourceUsername", "'ci-reader'"},
        {"registryEndpoint", "'http://127.0.0.1:5000'"}, {"endpointUrl", "'http://127.0.0.1:5000'"},
        {"file", "'taskdef.json'"}, {"executionRoleArn", "'arn:aws:iam::123456789012:role/ecsTaskExecutionRole'"},
        {"taskRoleArn", "'arn:aws:iam::123456789012:role/gantt-exporter-task'"}, {"cpuArchitecture", "'ARM64'"},
        {"logGroup", "'/ecs/gantt-exporter'"}, {"healthCheckPath", "'/health'"},
        {"healthCheck", "'curl -f http://localhost/ || exit 1'"}, {"healthCheckInterval", "'30s'"},
        {"healthCheckTimeout", "'5s'"}, {"healthCheckStartPeriod", "'10s'"}, {"platformVersion", "'LATEST'"},
        {"capacityProvider", "['FARGATE_SPOT:1']"}, {"propagateTags", "'SERVICE'"},
        {"targetGroupArn", "'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/gantt/0abc'"},
        {"certificateArn", "'arn:aws:acm:us-east-2:123456789012:certificate/0abc'"},
    };
    for (String[] v : values) {
      EXAMPLE_VALUES.put(v[0], v[1]);
    }
  }

  static String exampleValue(Step s, Key k) {
    String v = EXAMPLE_VALUES.getOrDefault(s.var() + "." + k.name(), EXAMPLE_VALUES.get(k.name()));
    if (v != null) {
      return v;
    }
    return switch (k.kind()) {
      case INT -> "5";
      case BOOLEAN, NEGATABLE, COUNT -> "true";
      case LIST, CSV -> "['" + k.paramLabel() + "']";
      case MAP -> "[KEY: 'VALUE']";
      case CHOICE -> "'" + k.choices().get(0) + "'";
      case STRING -> "'" + k.paramLabel() + "'";
    };
  }

  /**
   * Text that reads the same under Jenkins' plain-text markup formatter and under Safe HTML, which decides how the
   * Global Variable Reference shows a var's .txt page: a {@code <NAME>} placeholder would be taken for a tag and
   * dropped by Safe HTML, so it is written NAME; an ampersand is written "and".
   */
  static String plain(String text) {
    return text.replaceAll("<([A-Za-z_]+)>", "$1").replace(" & ", " and ");
  }

  static String indent(String text, String prefix) {
    return prefix + text.replace("\n", "\n" + prefix);
  }

  static String wrap(String text, String prefix) {
    StringBuilder b = new StringBuilder();
    StringBuilder line = new StringBuilder(prefix);
    for (String word : text.split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (line.length() > prefix.length() && line.length() + 1 + word.length() > 110) {
        b.append(line).append('\n');
        line = new StringBuilder(prefix);
      }
      if (line.length() > prefix.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > prefix.length()) {
      b.append(line).append('\n');
    }
    return b.toString();
  }
}
