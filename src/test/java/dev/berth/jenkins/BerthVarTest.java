package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.jenkins.PipelineHarness.AwsKeys;
import dev.berth.jenkins.PipelineHarness.Call;
import dev.berth.jenkins.PipelineHarness.PipelineError;
import dev.berth.jenkins.PipelineHarness.SecretFile;
import dev.berth.jenkins.PipelineHarness.Sh;
import dev.berth.jenkins.PipelineHarness.ShResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vars/berth.groovy (the launcher var every step calls) through the harness: the exact command line and
 * environment per credential style, key checking, the failure path, and no secret in any sh script text.
 * Uses a key table with one key of each kind, so it does not depend on which steps have landed.
 */
class BerthVarTest {
  static final String ACCESS = "AKIAEXAMPLEACCESS01";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
  static final String FILE_SECRET = "[opensourceapi]\naws_access_key_id = AKIAFILEKEY\naws_secret_access_key = filesecret123\n";

  @TempDir Path tmp;
  PipelineHarness h;
  final List<Sh> shCalls = new ArrayList<>();
  final List<Map<String, Object>> bindingsSeen = new ArrayList<>();
  String nextResult = "{\"ok\":true,\"serviceArn\":\"arn:aws:ecs:us-east-2:123456789012:service/gantt/gantt-exporter\","
      + "\"desiredCount\":2,\"autoscaling\":{\"min\":1,\"max\":4}}";
  int nextStatus = 0;

  /** One key of each kind, as the generator writes them. */
  static final String KEYS = """
      [
        cluster: [option: '--cluster', kind: 'STRING', required: true],
        desiredCount: [option: '--desired-count', kind: 'INT'],
        platformVersion: [option: '--platform-version', kind: 'CHOICE', choices: ['LATEST', 'V1_4_0']],
        createLoadBalancer: [option: '--create-load-balancer', kind: 'BOOLEAN'],
        wait: [option: '--wait', kind: 'NEGATABLE', negated: '--no-wait'],
        subnets: [option: '--subnets', kind: 'CSV', split: ','],
        port: [option: '--port', kind: 'LIST'],
        tag: [option: '--tag', kind: 'MAP'],
        region: [option: '--region', kind: 'STRING', common: true],
        profile: [option: '--profile', kind: 'STRING', common: true],
        roleArn: [option: '--role-arn', kind: 'STRING', common: true],
        roleSessionName: [option: '--role-session-name', kind: 'STRING', common: true],
        verbose: [option: '--verbose', kind: 'COUNT', common: true],
      ]""";

  /** The harness these tests run in; BerthVarCpsTest runs them all again under groovy-cps. */
  PipelineHarness newHarness(Path workspace) {
    return new PipelineHarness(workspace);
  }

  @BeforeEach
  void setUp() {
    h = newHarness(tmp.resolve("ws"));
    h.credentials.put("aws-prod", new AwsKeys(ACCESS, SECRET));
    h.credentials.put("aws-file", new SecretFile("credentials", FILE_SECRET));
    h.credentials.put("aws-config", new SecretFile("config", "[profile opensourceapi]\nregion = us-east-2\n"));
    h.onSh = sh -> {
      shCalls.add(sh);
      try {
        String f = sh.env().get("AWS_SHARED_CREDENTIALS_FILE");
        if (f != null) {
          assertEquals(FILE_SECRET, Files.readString(Path.of(f)), "the secret file is there while the step runs");
        }
        if (sh.resultFile() != null && nextResult != null) {
          Files.writeString(sh.resultFile(), nextResult + "\n");
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return new ShResult(nextStatus, "");
    };
  }

  Object runStep(String argsGroovy) {
    return h.run("berth.runStep('ecsDeployService', 'ecs-deploy-service', " + KEYS + ", " + argsGroovy + ")");
  }

  List<String> argv() {
    assertEquals(1, shCalls.size(), "one sh call");
    Sh sh = shCalls.get(0);
    assertTrue(sh.resultFile() != null, "--result-file=PATH comes last: " + sh.berthArgs());
    String file = sh.resultFile().toString();
    assertTrue(file.startsWith(h.workspace + "@tmp/berth/ecsDeployService-") && file.endsWith(".json"), file);
    return sh.command();
  }

  Map<String, String> shEnv() {
    return shCalls.get(0).env();
  }

  void assertNoSecretInScripts() {
    for (String script : h.shScripts()) {
      assertEquals("sh \"$BERTH_LAUNCHER\"", script, "the sh text is constant");
      for (String secret : List.of(ACCESS, SECRET, "filesecret123", "AKIAFILEKEY")) {
        assertFalse(script.contains(secret));
      }
    }
  }

  /**
   * The I-th sh call's arguments without --result-file, each --name=value word split in two, so the
   * assertions below hold whichever of the two forms the vars pass.
   */
  List<String> words(int i) {
    List<String> w = new ArrayList<>();
    List<String> a = shCalls.get(i).berthArgs();
    for (int j = 0; j < a.size(); j++) {
      String s = a.get(j);
      if (s.equals("--result-file")) {
        j++;
        continue;
      }
      if (s.startsWith("--result-file=")) {
        continue;
      }
      int eq = s.indexOf('=');
      if (s.startsWith("--") && eq > 0) {
        w.add(s.substring(0, eq));
        w.add(s.substring(eq + 1));
      } else {
        w.add(s);
      }
    }
    return w;
  }

  @Test
  void withBerth_givesCredentialsAndRegionToEveryStepInItsBlock() {
    h.run("withBerth(credentialsId: 'aws-prod', region: 'eu-west-1') {\n"
        + "  berth.runStep('ecsDeployService', 'ecs-deploy-service', " + KEYS + ", [cluster: 'gantt'])\n"
        + "  berth.runStep('ecsDeployService', 'ecs-deploy-service', " + KEYS + ", [cluster: 'other'])\n"
        + "}\n"
        + "berth.runStep('ecsDeployService', 'ecs-deploy-service', " + KEYS + ", [cluster: 'after'])");
    assertEquals(List.of("ecs-deploy-service", "--cluster", "gantt", "--region", "eu-west-1"), words(0));
    assertEquals(List.of("ecs-deploy-service", "--cluster", "other", "--region", "eu-west-1"), words(1));
    assertEquals(SECRET, shCalls.get(0).env().get("AWS_SECRET_ACCESS_KEY"));
    assertEquals(SECRET, shCalls.get(1).env().get("AWS_SECRET_ACCESS_KEY"));
    assertEquals(List.of("ecs-deploy-service", "--cluster", "after"), words(2), "outside the block: no defaults");
    assertNull(shCalls.get(2).env().get("AWS_SECRET_ACCESS_KEY"));
    assertEquals(2, h.calls("withCredentials").size());
    assertNoSecretInScripts();
  }

  @Test
  void withBerth_aCallsOwnKeysWin_andOwnCredentialsTakeNoDefaultCredentials() {
    h.run("withBerth(credentialsId: 'aws-prod', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/d') {\n"
        + "  berth.runStep('ecsDeployService', 'ecs-deploy-service', " + KEYS + ", [cluster: 'gantt', region: "
        + "'us-east-2', credentialsFileId: 'aws-file', profile: 'opensourceapi'])\n"
        + "}");
    assertEquals(List.of("ecs-deploy-service", "--cluster", "gantt", "--region", "us-east-2", "--profile",
        "opensourceapi", "--role-arn", "arn:aws:iam::123456789012:role/d"), words(0));
    assertNull(shEnv().get("AWS_SECRET_ACCESS_KEY"), "the call's secret file, not the default's AWS keys");
    assertTrue(shEnv().get("AWS_SHARED_CREDENTIALS_FILE").endsWith("/credentials"));
  }

  @Test
  void withBerth_nested_innerKeysOverride_andAnEmptyValueClearsADefault() {
    h.run("withBerth(credentialsId: 'aws-prod', region: 'eu-west-1') {\n"
        + "  withBerth(region: 'us-east-2', credentialsId: '') {\n"
        + "    berth.runStep('ecsDeployService', 'ecs-deploy-service', " + KEYS + ", [cluster: 'gantt'])\n"
        + "  }\n"
        + "}");
    assertEquals(List.of("ecs-deploy-service", "--cluster", "gantt", "--region", "us-east-2"), words(0));
    assertEquals(List.of(), h.calls("withCredentials"), "cleared: the agent's own credentials");
  }

  @Test
  void withBerth_unknownKeyOrWrongType_failsBeforeTheBlockRuns() {
    PipelineError e = assertThrows(PipelineError.class, () -> h.run(
        "withBerth(credentialId: 'aws-prod', region: 2, cluster: 'gantt') { echo 'ran' }"));
    assertEquals("withBerth: unknown key 'credentialId' (did you mean 'credentialsId'?); key 'region' takes a "
        + "String, got Integer 2; unknown key 'cluster'", e.getMessage());
    assertFalse(h.log.contains("ran"));
  }

  @Test
  void environmentDefaults_BERTH_variables_actLikeWithBerth() {
    h.baseEnv.put("BERTH_CREDENTIALS_ID", "aws-prod");
    h.baseEnv.put("BERTH_REGION", "eu-west-1");
    h.baseEnv.put("BERTH_ROLE_ARN", "arn:aws:iam::123456789012:role/deployer");
    runStep("[cluster: 'gantt']");
    assertEquals(List.of("ecs-deploy-service", "--cluster", "gantt", "--region", "eu-west-1", "--role-arn",
        "arn:aws:iam::123456789012:role/deployer"), words(0));
    assertEquals(ACCESS, shEnv().get("AWS_ACCESS_KEY_ID"));
    assertEquals("gantt-deploy-42", shEnv().get("BERTH_ROLE_SESSION_NAME"));
  }

  static final String ECR_KEYS = """
      [
        repository: [option: '--repository', kind: 'STRING', required: true],
        image: [option: '--image', kind: 'STRING'],
        sourceUsername: [option: '--source-username', kind: 'STRING'],
        region: [option: '--region', kind: 'STRING', common: true],
      ]""";

  @Test
  void ecrPush_sourceCredentialsId_bindsTheRegistryLoginAsEnvironmentOnly() {
    h.credentials.put("registry-reader", new PipelineHarness.UsernamePassword("puller", "s3cret-registry-password"));
    h.run("berth.runStep('ecrPush', 'ecr-push', " + ECR_KEYS + ", [repository: 'opensourceapirepo', "
        + "image: 'registry.example.com/team/app:1', sourceCredentialsId: 'registry-reader'])");
    assertEquals(List.of("ecr-push", "--repository", "opensourceapirepo", "--image", "registry.example.com/team/app:1"),
        words(0));
    assertEquals(List.of(Map.of("$symbol", "usernamePassword", "credentialsId", "registry-reader", "usernameVariable",
        "BERTH_SOURCE_USERNAME", "passwordVariable", "BERTH_SOURCE_PASSWORD")),
        h.calls("withCredentials").get(0).args().get(0));
    assertEquals("puller", shEnv().get("BERTH_SOURCE_USERNAME"));
    assertEquals("s3cret-registry-password", shEnv().get("BERTH_SOURCE_PASSWORD"));
    for (String arg : shCalls.get(0).berthArgs()) {
      assertFalse(arg.contains("s3cret-registry-password"), arg);
    }
    assertNoSecretInScripts();
  }

  @Test
  void sourceCredentialsId_onlyOnEcrPush_andNotWithSourceUsername() {
    PipelineError other = assertThrows(PipelineError.class, () -> runStep("[cluster: 'gantt', sourceCredentialsId: 'r']"));
    assertTrue(other.getMessage().startsWith("ecsDeployService: unknown key 'sourceCredentialsId'"), other.getMessage());
    PipelineError both = assertThrows(PipelineError.class, () -> h.run("berth.runStep('ecrPush', 'ecr-push', "
        + ECR_KEYS + ", [repository: 'r', sourceUsername: 'u', sourceCredentialsId: 'r'])"));
    assertEquals("ecrPush: sourceCredentialsId (user name and password) cannot be combined with sourceUsername: the "
        + "credential gives the user name", both.getMessage());
    assertEquals(List.of(), h.calls("sh"));
  }

  @Test
  void everyKind_becomesTheExactCommandLine_inKeyOrder() {
    Object result = runStep("""
        [tag: [team: 'gantt', env: 'prod'], port: ['80/tcp', 8080], subnets: ['subnet-a', 'subnet-b'],
         wait: false, createLoadBalancer: true, platformVersion: 'latest', desiredCount: 2, cluster: 'gantt',
         verbose: 2, region: 'us-east-2']""");
    assertEquals(List.of("ecs-deploy-service", "--cluster=gantt", "--desired-count=2", "--platform-version=latest",
        "--create-load-balancer", "--no-wait", "--subnets=subnet-a,subnet-b", "--port=80/tcp", "--port=8080",
        "--tag=team=gantt", "--tag=env=prod", "--region=us-east-2", "--verbose", "--verbose"), argv());
    assertEquals(Map.of("ok", true, "serviceArn", "arn:aws:ecs:us-east-2:123456789012:service/gantt/gantt-exporter",
        "desiredCount", 2, "autoscaling", Map.of("min", 1, "max", 4)), result, "the result file as a Map");
    Call sh = h.calls("sh").get(0);
    assertEquals(true, sh.arg("returnStatus"));
    assertEquals("berth ecs-deploy-service", sh.arg("label"));
    assertEquals(h.workspace + "@tmp/berth/berth.sh", shEnv().get("BERTH_LAUNCHER"));
    assertEquals(Files.exists(Path.of(shEnv().get("BERTH_LAUNCHER"))), true, "launcher written from libraryResource");
    assertEquals(List.of(), h.calls("withCredentials"), "no credentials given: none bound (the agent's own)");
    assertNull(shEnv().get("AWS_ACCESS_KEY_ID"));
    assertNull(shEnv().get("BERTH_ROLE_SESSION_NAME"));
    assertNoSecretInScripts();
  }

  @Test
  void result_isPlainSerializableMapsAndLists_notTheSlurpersLazyMaps() throws Exception {
    nextResult = "{\"ok\":true,\"containers\":{\"app\":\"nginx@sha256:abc\"},\"warnings\":[{\"where\":\"x\"}],"
        + "\"n\":1.5,\"none\":null}";
    Object result = runStep("[cluster: 'gantt']");
    assertEquals(java.util.LinkedHashMap.class, result.getClass());
    Map<?, ?> map = (Map<?, ?>) result;
    assertEquals(java.util.LinkedHashMap.class, map.get("containers").getClass());
    assertEquals(java.util.ArrayList.class, map.get("warnings").getClass());
    assertEquals(java.util.LinkedHashMap.class, ((List<?>) map.get("warnings")).get(0).getClass());
    assertTrue(map.containsKey("none"));
    try (var out = new java.io.ObjectOutputStream(java.io.OutputStream.nullOutputStream())) {
      out.writeObject(result); // what CPS does with a var's result at the next step
    }
  }

  @Test
  void booleansAndEmptyValues_trueFlagsFalseNegatedAndNullOrEmptyOmitted() {
    runStep("[cluster: 'gantt', wait: true, createLoadBalancer: false, region: '', profile: null, desiredCount: '3']");
    assertEquals(List.of("ecs-deploy-service", "--cluster=gantt", "--desired-count=3", "--wait"), argv());
  }

  @Test
  void valuesStartingWithAtOrDash_areOneWordEach_soTheyStayValues() {
    runStep("[cluster: '@VERSION', region: '--endpoint-url=http://evil.example', port: ['@ports'], tag: [v: '@x']]");
    assertEquals(List.of("ecs-deploy-service", "--cluster=@VERSION", "--port=@ports", "--tag=v=@x",
        "--region=--endpoint-url=http://evil.example"), argv());
  }

  @Test
  void credentialsId_bindsAwsKeysAsEnvironmentOnly() {
    runStep("[cluster: 'gantt', credentialsId: 'aws-prod', region: 'us-east-2']");
    assertEquals(List.of("ecs-deploy-service", "--cluster=gantt", "--region=us-east-2"), argv());
    Call wc = h.calls("withCredentials").get(0);
    assertEquals(List.of(Map.of("$symbol", "aws", "credentialsId", "aws-prod", "accessKeyVariable", "AWS_ACCESS_KEY_ID",
        "secretKeyVariable", "AWS_SECRET_ACCESS_KEY")), wc.args().get(0));
    assertEquals(ACCESS, shEnv().get("AWS_ACCESS_KEY_ID"));
    assertEquals(SECRET, shEnv().get("AWS_SECRET_ACCESS_KEY"));
    for (String arg : shCalls.get(0).berthArgs()) {
      assertFalse(arg.contains(ACCESS) || arg.contains(SECRET), "no secret in the arguments: " + arg);
    }
    assertNoSecretInScripts();
    assertNull(h.effectiveEnv().get("AWS_SECRET_ACCESS_KEY"), "bound for the step only");
  }

  @Test
  void secretFile_withProfile_bindsTheFilesAndPassesTheProfile() {
    runStep("[cluster: 'gantt', credentialsFileId: 'aws-file', configFileId: 'aws-config', profile: 'opensourceapi']");
    assertEquals(List.of("ecs-deploy-service", "--cluster=gantt", "--profile=opensourceapi"), argv());
    Call wc = h.calls("withCredentials").get(0);
    assertEquals(List.of(
        Map.of("$symbol", "file", "credentialsId", "aws-file", "variable", "AWS_SHARED_CREDENTIALS_FILE"),
        Map.of("$symbol", "file", "credentialsId", "aws-config", "variable", "AWS_CONFIG_FILE")), wc.args().get(0));
    assertTrue(shEnv().get("AWS_SHARED_CREDENTIALS_FILE").endsWith("/credentials"));
    assertTrue(shEnv().get("AWS_CONFIG_FILE").endsWith("/config"));
    assertFalse(Files.exists(Path.of(shEnv().get("AWS_SHARED_CREDENTIALS_FILE"))), "removed after the step");
    assertNull(shEnv().get("AWS_ACCESS_KEY_ID"));
    assertNoSecretInScripts();
  }

  @Test
  void roleArn_passesTheRoleAndASessionNameFromJobAndBuild() {
    h.baseEnv.put("JOB_NAME", "gantt/deploy pipeline");
    runStep("[cluster: 'gantt', credentialsId: 'aws-prod', roleArn: 'arn:aws:iam::123456789012:role/deployer']");
    assertEquals(List.of("ecs-deploy-service", "--cluster=gantt", "--role-arn=arn:aws:iam::123456789012:role/deployer"),
        argv());
    assertEquals("gantt-deploy-pipeline-42", shEnv().get("BERTH_ROLE_SESSION_NAME"));
    assertEquals(ACCESS, shEnv().get("AWS_ACCESS_KEY_ID"), "base credentials for the assume-role call");
    assertNoSecretInScripts();
  }

  @Test
  void roleArn_sessionName_isShortenedToStsLimits_keepingTheBuildNumber() {
    h.baseEnv.put("JOB_NAME", "folder/" + "very-long-job-name-".repeat(6));
    h.baseEnv.put("BUILD_NUMBER", "1234");
    runStep("[cluster: 'gantt', roleArn: 'arn:aws:iam::123456789012:role/deployer']");
    String name = shEnv().get("BERTH_ROLE_SESSION_NAME");
    assertTrue(name.length() <= 64 && name.endsWith("-1234") && name.matches("[\\w+=,.@-]+"), name);
  }

  @Test
  void berthJar_isPassedAsBerthJar() {
    runStep("[cluster: 'gantt', berthJar: '/opt/berth/berth.jar']");
    assertEquals("/opt/berth/berth.jar", shEnv().get("BERTH_JAR"));
    assertEquals(List.of("ecs-deploy-service", "--cluster=gantt"), argv());
  }

  @Test
  void unknownKey_failsNamingItAndTheClosestKey_beforeAnythingRuns() {
    PipelineError e = assertThrows(PipelineError.class,
        () -> runStep("[cluster: 'gantt', desiredCont: 2, credentialId: 'aws-prod']"));
    assertEquals("ecsDeployService: unknown key 'desiredCont' (did you mean 'desiredCount'?); "
        + "unknown key 'credentialId' (did you mean 'credentialsId'?)", e.getMessage());
    assertEquals(List.of(), h.calls("sh"));
    assertEquals(List.of(), h.calls("withCredentials"));
  }

  @Test
  void unknownKey_farFromEveryKey_isNamedWithoutAGuess() {
    PipelineError e = assertThrows(PipelineError.class, () -> runStep("[cluster: 'gantt', zzzzzzzzzzzzzzzzzzzz: 1]"));
    assertEquals("ecsDeployService: unknown key 'zzzzzzzzzzzzzzzzzzzz'", e.getMessage());
  }

  @Test
  void mapKey_whenGivenATextWithoutItsName_failsWithoutShowingTheText() {
    for (String tag : List.of("['s3cr3t-Tag-Value']", "'s3cr3t-Tag-Value'", "['': 's3cr3t-Tag-Value']",
        "['team=a', 's3cr3t-Tag-Value']")) {
      PipelineError e = assertThrows(PipelineError.class, () -> runStep(
          "[cluster: 'gantt', tag: " + tag + "]"), tag);
      assertTrue(e.getMessage().contains("key 'tag' takes a map"), e.getMessage());
      assertTrue(e.getMessage().contains("(not shown)"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
      assertFalse(String.join("\n", h.log).contains("s3cr3t"), String.join("\n", h.log));
    }
    assertEquals(List.of(), h.calls("sh"));
  }

  @Test
  void wrongTypesAndMissingRequired_areAllReportedAtOnce() {
    PipelineError e = assertThrows(PipelineError.class, () -> runStep(
        "[desiredCount: 'two', wait: 'no', subnets: [a: 1], tag: 'x', platformVersion: 'V9', port: [[1]]]"));
    String m = e.getMessage();
    for (String expected : List.of("missing required key 'cluster' (--cluster)",
        "key 'desiredCount' takes a whole number, got 'two'", "key 'wait' takes true or false, got 'no'",
        "key 'subnets' takes a list of strings, got a Map", "key 'tag' takes a map (--tag K=V), got a text (not shown)",
        "key 'platformVersion' takes one of LATEST, V1_4_0, got 'V9'",
        "key 'port' takes a list of strings, got an element a List")) {
      assertTrue(m.contains(expected), "missing «" + expected + "» in: " + m);
    }
    assertEquals(List.of(), h.calls("sh"));
  }

  @Test
  void credentialsId_withProfile_isRefused() {
    PipelineError e = assertThrows(PipelineError.class,
        () -> runStep("[cluster: 'gantt', credentialsId: 'aws-prod', profile: 'opensourceapi']"));
    assertTrue(e.getMessage().contains("credentialsId (AWS keys) cannot be combined"), e.getMessage());
  }

  @Test
  void failure_becomesErrorWithTheVerdictAndReason() {
    nextStatus = 1;
    nextResult = "{\"ok\":false,\"error\":\"deployment ecs-svc/123 was rolled back by the circuit breaker: "
        + "task stopped: CannotPullContainerError\",\"outcome\":\"FAILED\",\"exitCode\":1,"
        + "\"rolloutState\":\"ROLLED_BACK\"}";
    PipelineError e = assertThrows(PipelineError.class, () -> runStep("[cluster: 'gantt']"));
    assertEquals("ecsDeployService failed: rollout ROLLED_BACK: deployment ecs-svc/123 was rolled back by the "
        + "circuit breaker: task stopped: CannotPullContainerError", e.getMessage());
  }

  @Test
  void invalidInput_failureListsTheViolations() {
    nextStatus = 3;
    nextResult = "{\"ok\":false,\"error\":\"invalid input\",\"outcome\":\"INVALID_INPUT\",\"exitCode\":3,"
        + "\"violations\":[{\"where\":\"--desired-count\",\"message\":\"must be 0 or more\",\"warning\":false},"
        + "{\"where\":\"--env\",\"message\":\"looks like a secret\",\"warning\":true}]}";
    PipelineError e = assertThrows(PipelineError.class, () -> runStep("[cluster: 'gantt']"));
    assertEquals("ecsDeployService failed: invalid input (--desired-count: must be 0 or more)", e.getMessage());
  }

  @Test
  void failure_withoutAResult_saysWhereToLook() {
    nextStatus = 2;
    nextResult = null;
    PipelineError e = assertThrows(PipelineError.class, () -> runStep("[cluster: 'gantt']"));
    assertEquals("ecsDeployService failed: usage error (exit code 2); see the step log above", e.getMessage());
  }

  @Test
  void windowsAgent_failsClearly() {
    h.unix = false;
    PipelineError e = assertThrows(PipelineError.class, () -> runStep("[cluster: 'gantt']"));
    assertTrue(e.getMessage().contains("Unix agents"), e.getMessage());
    assertEquals(List.of(), h.calls("sh"));
  }

  @Test
  void berthItself_isNotAStep() {
    PipelineError e = assertThrows(PipelineError.class, () -> h.run("berth(cluster: 'x')"));
    assertTrue(e.getMessage().contains("call ecrPush"), e.getMessage());
  }

  /**
   * The real chain: var -> real sh -> berth.sh -> a stand-in java that records its argv and writes the result
   * file. Hostile values reach the runner verbatim and nothing is evaluated by a shell.
   */
  @Test
  void realShell_hostileValuesReachTheRunnerVerbatim() throws Exception {
    Path fakeJava = tmp.resolve("java");
    Path argsOut = tmp.resolve("argv.txt");
    Files.writeString(fakeJava, "#!/bin/sh\n"
        + ": > '" + argsOut + "'\n"
        + "for a in \"$@\"; do printf '<%s>\\n' \"$a\" >> '" + argsOut + "'; done\n"
        + "for a in \"$@\"; do case \"$a\" in --result-file=*) printf '{\"ok\":true,\"key\":\"%s\"}' "
        + "\"$AWS_ACCESS_KEY_ID\" > \"${a#--result-file=}\";; esac; done\n");
    fakeJava.toFile().setExecutable(true);
    Files.writeString(tmp.resolve("berth.jar"), "stand-in");
    h.realShell = true;
    h.baseEnv.put("BERTH_JAVA", fakeJava.toString());
    h.baseEnv.put("BERTH_JAVA_OPTS", "");
    String hostile = "x'; touch " + tmp.resolve("pwned") + "; echo '$(id)`id`\\\"";
    h.params.put("HOSTILE", hostile);
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) h.run("berth.runStep('ecsDeployService', 'ecs-deploy-service', "
        + KEYS + ", [cluster: params.HOSTILE, credentialsId: 'aws-prod', berthJar: '" + tmp.resolve("berth.jar")
        + "', tag: [note: \"${params.HOSTILE}\"]])");
    assertEquals(Map.of("ok", true, "key", ACCESS), result, "credentials reached the runner's environment");
    List<String> lines = Files.readAllLines(argsOut);
    assertEquals("<-jar>", lines.get(0));
    assertEquals("<" + tmp.resolve("berth.jar") + ">", lines.get(1));
    assertEquals(List.of("<ecs-deploy-service>", "<--cluster=" + hostile + ">", "<--tag=note=" + hostile + ">"),
        lines.subList(2, 5));
    assertTrue(lines.get(5).startsWith("<--result-file=") && lines.size() == 6, lines.toString());
    assertFalse(Files.exists(tmp.resolve("pwned")), "a value was evaluated by a shell");
    String log = String.join("\n", h.log);
    assertFalse(log.contains(SECRET) || log.contains(ACCESS), "no secret in the sh trace: " + log);
    assertNoSecretInScripts();
  }
}
