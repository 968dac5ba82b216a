package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.aws.AwsClients;
import dev.berth.image.RegistryClient;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.Sleeper;
import dev.berth.image.TestImages;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;

/**
 * Every step, succeeding and failing, at the highest verbosity ({@code -v -v}), as a real subprocess, with
 * sentinel values for every secret it can meet: the AWS secret key and session token (moto accepts any),
 * the ECR token (moto's fixed token is replaced by a sentinel on its way through a proxy, and the target
 * registry wants exactly that password), the source registry's password, a wrong password, and the values
 * behind {@code --secret} ARNs (a Secrets Manager secret and an SSM SecureString in moto). None of them may
 * appear in stdout, stderr, the result file or the API log.
 */
class SecretsIT {
  static final String AWS_SECRET = "SENTINELawsSecretKey0000000000000000000001";
  static final String SESSION_TOKEN = "SENTINELsessionToken000000000000000000000002";
  static final String ECR_TOKEN_PASSWORD = "SENTINELecrToken0000000000003";
  static final String SOURCE_PASSWORD = "SENTINELsourcePassword0004";
  static final String WRONG_PASSWORD = "SENTINELwrongPassword0005";
  static final String SECRETS_MANAGER_VALUE = "SENTINELsecretsManagerValue0006";
  static final String SSM_VALUE = "SENTINELssmValue0007";
  /** An {@code ecs-run-task --env} value: on the command line by the user's choice, nowhere else. */
  static final String ENV_VALUE = "SENTINELenvValue0008";
  static final String MOTO_TOKEN = Base64.getEncoder().encodeToString(
      ("AWS:" + MotoServer.ACCOUNT + "-auth-token").getBytes(StandardCharsets.UTF_8));
  static final String SENTINEL_TOKEN = Base64.getEncoder().encodeToString(
      ("AWS:" + ECR_TOKEN_PASSWORD).getBytes(StandardCharsets.UTF_8));

  /** Every value that must never be printed, with the encodings it could leak in. */
  static final Map<String, String> SENTINELS = new LinkedHashMap<>();

  static {
    SENTINELS.put("AWS secret key", AWS_SECRET);
    SENTINELS.put("AWS session token", SESSION_TOKEN);
    SENTINELS.put("ECR token password", ECR_TOKEN_PASSWORD);
    SENTINELS.put("ECR authorization token (base64)", SENTINEL_TOKEN);
    SENTINELS.put("source registry password", SOURCE_PASSWORD);
    SENTINELS.put("source registry basic auth (base64)", Base64.getEncoder().encodeToString(
        ("puller:" + SOURCE_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    SENTINELS.put("wrong password", WRONG_PASSWORD);
    SENTINELS.put("Secrets Manager secret value", SECRETS_MANAGER_VALUE);
    SENTINELS.put("SSM SecureString value", SSM_VALUE);
  }

  static MotoServer moto;
  static FaultProxy tokenProxy;
  static Registry source;
  static Registry target;
  static Registry otherTarget;
  static String secretArn;
  static String parameterArn;
  static final List<String> report = new ArrayList<>();

  @TempDir
  Path tmp;

  @BeforeAll
  static void bed() {
    moto = MotoServer.shared();
    moto.reset();
    tokenProxy = FaultProxy.to(moto.endpoint()).rate(0).rewrite((ex, body) -> {
      if (!ex.operation().equals("GetAuthorizationToken")) {
        return body;
      }
      return new String(body, StandardCharsets.UTF_8).replace(MOTO_TOKEN, SENTINEL_TOKEN)
          .getBytes(StandardCharsets.UTF_8);
    }).start();
    source = Registry.start("puller", SOURCE_PASSWORD);
    target = Registry.start("AWS", ECR_TOKEN_PASSWORD);
    otherTarget = Registry.start("AWS", "a-password-berth-does-not-have");
    RegistryClient src = new RegistryClient(source.url(),
        RegistryCredentials.Source.of(new RegistryCredentials("puller", SOURCE_PASSWORD)),
        RegistryClient.Settings.defaults(), Sleeper.REAL);
    Random random = new Random(8);
    TestImages.push(src, "upstream/app", TestImages.image(random, 2, 50_000, false, "amd64"), "1.0");
    TestImages.push(src, "upstream/app", TestImages.image(random, 2, 50_000, false, "amd64"), "2.0");
    String created = TestBed.jsonCall(moto.endpoint(), "secretsmanager", "secretsmanager.CreateSecret",
        "{\"Name\":\"gantt/db-password\",\"SecretString\":\"" + SECRETS_MANAGER_VALUE + "\"}");
    secretArn = created.replaceAll(".*\"ARN\":\\s*\"([^\"]+)\".*", "$1");
    TestBed.jsonCall(moto.endpoint(), "ssm", "AmazonSSM.PutParameter",
        "{\"Name\":\"/gantt/api-key\",\"Value\":\"" + SSM_VALUE + "\",\"Type\":\"SecureString\"}");
    parameterArn = "arn:aws:ssm:" + MotoServer.REGION + ":" + MotoServer.ACCOUNT + ":parameter/gantt/api-key";
  }

  @AfterAll
  static void stop() {
    System.out.println(String.join("\n", report));
    tokenProxy.close();
    source.close();
    target.close();
    otherTarget.close();
  }

  private Map<String, String> env(Path apiLog) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", "AKIASENTINELACCESSKEY");
    env.put("AWS_SECRET_ACCESS_KEY", AWS_SECRET);
    env.put("AWS_SESSION_TOKEN", SESSION_TOKEN);
    env.put("AWS_REGION", MotoServer.REGION);
    env.put("AWS_ENDPOINT_URL", tokenProxy.endpoint().toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("DOCKER_CONFIG", "/nonexistent-docker-config");
    env.put("BERTH_SOURCE_PASSWORD", SOURCE_PASSWORD);
    env.put("BERTH_API_LOG", apiLog.toString());
    return env;
  }

  /** Runs berth -v -v as a subprocess and checks every output for every sentinel. */
  private Berth.Run run(String name, int expectedExit, Map<String, String> extraEnv, String... args) throws IOException {
    return run(name, expectedExit, extraEnv, Map.of(), args);
  }

  /**
   * As {@link #run(String, int, Map, String...)}, and the {@code given} values (which the caller passes as
   * arguments, so they are on the command line) must appear in no output either.
   */
  private Berth.Run run(String name, int expectedExit, Map<String, String> extraEnv, Map<String, String> given,
      String... args) throws IOException {
    Path resultFile = tmp.resolve(name + ".json");
    Path apiLog = tmp.resolve(name + ".api.log");
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-v", "-v", "--result-file", resultFile.toString()));
    Map<String, String> env = env(apiLog);
    env.putAll(extraEnv);
    Berth.Run run = Berth.subprocess(env, all.toArray(String[]::new));
    assertEquals(expectedExit, run.exitCode(), name + ": " + run);
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("stdout", run.stdout());
    outputs.put("stderr", run.stderr());
    outputs.put("result file", Files.exists(resultFile) ? Files.readString(resultFile) : "");
    outputs.put("api log", Files.exists(apiLog) ? Files.readString(apiLog) : "");
    outputs.put("command line", String.join(" ", all));
    assertTrue(!outputs.get("result file").isEmpty(), name + ": no result file");
    for (Map.Entry<String, String> out : outputs.entrySet()) {
      for (Map.Entry<String, String> g : given.entrySet()) {
        if (!out.getKey().equals("command line") && out.getValue().contains(g.getValue())) {
          fail(name + ": the " + g.getKey() + " appears in " + out.getKey() + ":\n" + run);
        }
      }
    }
    for (Map.Entry<String, String> out : outputs.entrySet()) {
      for (Map.Entry<String, String> s : SENTINELS.entrySet()) {
        if (out.getValue().contains(s.getValue())) {
          fail(name + ": the " + s.getKey() + " appears in " + out.getKey() + ":\n" + run);
        }
      }
    }
    int masked = count(run.stdout() + run.stderr(), "***");
    report.add(String.format("%-40s exit %d, stderr %5d lines, %d masked", name, run.exitCode(),
        run.stderr().split("\n").length, masked));
    return run;
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  private String[] push(Registry registry, String... args) {
    List<String> all = new ArrayList<>(List.of("ecr-push", "--registry-endpoint", registry.url().toString()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void ecrPush_successAndFailures_leakNoSecret() throws IOException {
    String src1 = source.host() + "/upstream/app:1.0";
    String src2 = source.host() + "/upstream/app:2.0";
    run("ecr-push copy", 0, Map.of(), push(target, "--repository", "leak/app", "--image", src1,
        "--source-username", "puller", "--tag", "v1"));
    run("ecr-push rerun same digest", 0, Map.of(), push(target, "--repository", "leak/app", "--image", src1,
        "--source-username", "puller", "--tag", "v1"));
    run("ecr-push immutable tag, other digest", 1, Map.of(), push(target, "--repository", "leak/app",
        "--image", src2, "--source-username", "puller", "--tag", "v1"));
    run("ecr-push wrong source password", 4, Map.of("BERTH_SOURCE_PASSWORD", WRONG_PASSWORD),
        push(target, "--repository", "leak/app", "--image", src2, "--source-username", "puller", "--tag", "v2"));
    run("ecr-push registry rejects the ECR token", 4, Map.of(), push(otherTarget, "--repository", "leak/other",
        "--image", src1, "--source-username", "puller"));
    run("ecr-push invalid input", 3, Map.of(), push(target, "--repository", "Bad Name!", "--image", src1,
        "--source-username", "puller"));
  }

  @Test
  void ecsRegisterTask_withSecrets_successAndFailure_leakNoSecret() throws IOException {
    String[] base = {"ecs-register-task", "--family", "leak-task", "--container-name", "app",
        "--image", "123456789012.dkr.ecr.us-east-2.amazonaws.com/leak/app:v1", "--cpu", "256", "--memory", "512",
        "--port", "80", "--secret", "DB_PASSWORD=" + secretArn, "--secret", "API_KEY=" + parameterArn};
    run("ecs-register-task with --secret", 0, Map.of(), base);
    run("ecs-register-task rerun (reused)", 0, Map.of(), base);
    List<String> bad = new ArrayList<>(List.of(base));
    bad.set(bad.indexOf("512"), "100000");
    run("ecs-register-task invalid size", 3, Map.of(), bad.toArray(String[]::new));
  }

  @Test
  void ecsDeployServiceAndForceRedeploy_successAndFailure_leakNoSecret() throws IOException {
    String vpc;
    String a;
    String b;
    try (AwsClients aws = TestBed.aws(moto.endpoint())) {
      vpc = aws.ec2().createVpc(r -> r.cidrBlock("10.1.0.0/16")).vpc().vpcId();
      a = aws.ec2().createSubnet(r -> r.vpcId(vpc).cidrBlock("10.1.1.0/24").availabilityZone("us-east-2a"))
          .subnet().subnetId();
      b = aws.ec2().createSubnet(r -> r.vpcId(vpc).cidrBlock("10.1.2.0/24").availabilityZone("us-east-2b"))
          .subnet().subnetId();
      aws.ecs().registerTaskDefinition(r -> r.family("leak-web").networkMode("awsvpc").cpu("256").memory("512")
          .requiresCompatibilitiesWithStrings("FARGATE")
          .containerDefinitions(c -> c.name("web").image("nginx").essential(true)
              .portMappings(p -> p.containerPort(80))));
    }
    String[] deploy = {"ecs-deploy-service", "--cluster", "leakc", "--service", "web", "--task-definition",
        "leak-web", "--subnets", a + "," + b, "--create-load-balancer", "--vpc-id", vpc, "--container-name", "web",
        "--container-port", "80", "--desired-count", "2", "--autoscaling-min", "1", "--autoscaling-max", "3",
        "--cpu-target", "50", "--timeout", "60s"};
    run("ecs-deploy-service create", 0, Map.of(), deploy);
    run("ecs-deploy-service rerun", 0, Map.of(), deploy);
    run("ecs-deploy-service unknown task definition", 3, Map.of(), "ecs-deploy-service", "--cluster", "leakc",
        "--service", "web", "--task-definition", "nope");
    run("ecs-deploy-service rollout timeout", 5, Map.of(), "ecs-deploy-service", "--cluster", "leakc", "--service",
        "web3", "--task-definition", "leak-web", "--subnets", a + "," + b, "--desired-count", "3", "--timeout",
        "3s");
    run("ecs-force-redeploy", 0, Map.of(), "ecs-force-redeploy", "--cluster", "leakc", "--service", "web",
        "--timeout", "60s");
    run("ecs-force-redeploy --image", 0, Map.of(), "ecs-force-redeploy", "--cluster", "leakc", "--service", "web",
        "--image", "web=nginx:1.27", "--timeout", "60s");
    run("ecs-force-redeploy unknown container", 3, Map.of(), "ecs-force-redeploy", "--cluster", "leakc",
        "--service", "web", "--image", "nope=nginx:1");
  }

  @Test
  void ecsRunTask_successAndFailure_leakNoSecret() throws IOException {
    String subnet;
    String group;
    try (AwsClients aws = TestBed.aws(moto.endpoint())) {
      String vpc = aws.ec2().createVpc(r -> r.cidrBlock("10.2.0.0/16")).vpc().vpcId();
      // moto's RunTask (awsvpc) names the task's ENI by its private DNS name
      aws.ec2().modifyVpcAttribute(r -> r.vpcId(vpc).enableDnsHostnames(d -> d.value(true)));
      subnet = aws.ec2().createSubnet(r -> r.vpcId(vpc).cidrBlock("10.2.1.0/24").availabilityZone("us-east-2a"))
          .subnet().subnetId();
      group = aws.ec2().createSecurityGroup(r -> r.vpcId(vpc).groupName("leak-tasks").description("tasks"))
          .groupId();
      aws.ecs().createCluster(r -> r.clusterName("leakrun"));
      // the task definition names both planted secrets (valueFrom): berth must run it without reading them; a
      // container memory limit, as moto's RunTask fails without one
      aws.ecs().registerTaskDefinition(r -> r.family("leak-migrate").networkMode("awsvpc").cpu("256").memory("512")
          .requiresCompatibilitiesWithStrings("FARGATE")
          .executionRoleArn("arn:aws:iam::" + MotoServer.ACCOUNT + ":role/ecsTaskExecutionRole")
          .containerDefinitions(c -> c.name("migrate").image("node:20").memory(512).essential(true).secrets(
              sec -> sec.name("DB_PASSWORD").valueFrom(secretArn), sec -> sec.name("API_KEY").valueFrom(parameterArn))));
      aws.ecs().createService(r -> r.cluster("leakrun").serviceName("app").taskDefinition("leak-migrate")
          .desiredCount(1).launchType("FARGATE").networkConfiguration(n -> n.awsvpcConfiguration(a -> a
              .subnets(subnet).securityGroups(group).assignPublicIp("DISABLED"))));
    }
    String[] fromService = {"ecs-run-task", "--cluster", "leakrun", "--service", "app", "--command",
        "npm run migrate", "--env", "MIGRATE_ONLY=1"};
    List<String> dry = new ArrayList<>(List.of(fromService));
    dry.add("--dry-run");
    run("ecs-run-task --dry-run", 0, Map.of(), dry.toArray(String[]::new));
    List<String> noWait = new ArrayList<>(List.of(fromService));
    noWait.add("--no-wait");
    run("ecs-run-task --no-wait", 0, Map.of(), noWait.toArray(String[]::new));
    run("ecs-run-task does not stop in time", 5, Map.of(), "ecs-run-task", "--cluster", "leakrun",
        "--task-definition", "leak-migrate", "--subnets", subnet, "--security-groups", group, "--timeout", "2s");
    run("ecs-run-task unknown container", 3, Map.of(), "ecs-run-task", "--cluster", "leakrun", "--service", "app",
        "--container", "web", "--command", "migrate");
    run("ecs-run-task unknown task definition", 3, Map.of(), "ecs-run-task", "--cluster", "leakrun",
        "--task-definition", "nope", "--subnets", subnet);
    // an --env value is on berth's command line because the user put it there; berth itself must not repeat it
    // (the plan names the variable, a bad --env is refused without echoing its value)
    Map<String, String> envValue = Map.of("--env value", ENV_VALUE);
    List<String> withValue = new ArrayList<>(List.of(fromService));
    withValue.addAll(List.of("--env", "DATABASE_PASSWORD=" + ENV_VALUE, "--no-wait"));
    run("ecs-run-task --env with a secret value", 0, Map.of(), envValue, withValue.toArray(String[]::new));
    withValue.add("--dry-run");
    run("ecs-run-task --dry-run --env secret", 0, Map.of(), envValue, withValue.toArray(String[]::new));
    run("ecs-run-task --env without a name", 3, Map.of(), envValue, "ecs-run-task", "--cluster", "leakrun",
        "--service", "app", "--env", "=" + ENV_VALUE);
  }

  /** The harness itself: a sentinel that reaches the output through a channel no masker knows is caught. */
  @Test
  void harness_sentinelInOutput_isReported() {
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> run("control: sentinel as a family name", 3, Map.of(), "ecs-register-task", "--family",
            SECRETS_MANAGER_VALUE, "--cpu", "1", "--memory", "1"));
    assertTrue(e.getMessage().contains("Secrets Manager secret value appears in"), e.getMessage());
  }

  @Test
  void ecsScale_successAndFailure_leakNoSecret() throws IOException {
    try (AwsClients aws = TestBed.aws(moto.endpoint())) {
      aws.ecs().createCluster(b -> b.clusterName("leak"));
      aws.ecs().registerTaskDefinition(b -> b.family("leak-scale").networkMode("awsvpc").cpu("256").memory("512")
          .requiresCompatibilitiesWithStrings("FARGATE")
          .containerDefinitions(c -> c.name("app").image("nginx").essential(true)));
      aws.ecs().createService(b -> b.cluster("leak").serviceName("svc").taskDefinition("leak-scale")
          .desiredCount(2).launchType("FARGATE"));
      aws.autoscaling().registerScalableTarget(b -> b.serviceNamespace(ServiceNamespace.ECS)
          .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).resourceId("service/leak/svc")
          .minCapacity(1).maxCapacity(3));
    }
    run("ecs-scale", 0, Map.of(), "ecs-scale", "--cluster", "leak", "--service", "svc", "--desired-count", "3",
        "--timeout", "20s");
    run("ecs-scale outside the range", 3, Map.of(), "ecs-scale", "--cluster", "leak", "--service", "svc",
        "--desired-count", "9");
    run("ecs-scale unknown service", 3, Map.of(), "ecs-scale", "--cluster", "leak", "--service", "nope",
        "--desired-count", "1");
  }
}
