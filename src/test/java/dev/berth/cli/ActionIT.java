package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.image.TestImages;
import dev.berth.report.Json;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import dev.berth.testbed.TestEcr;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Service;

/**
 * The GitHub Action's entry point (.github/action/entrypoint.sh) as a job step runs it: INPUT_* variables,
 * GITHUB_ACTIONS=true, temporary GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the real jar (BERTH_JAR, so
 * nothing is downloaded), against moto and a docker-registry. Asserts the outputs and the summary, and the
 * state in moto and the registry afterwards.
 */
class ActionIT {
  static final Path ENTRYPOINT = Path.of(".github/action/entrypoint.sh").toAbsolutePath();
  static final String ECR_HOST = MotoServer.ACCOUNT + ".dkr.ecr." + MotoServer.REGION + ".amazonaws.com";
  static final String CLUSTER = "gantt";
  static final String SERVICE = "gantt-exporter";
  static final String FAMILY = "gantt-exporter-ecs-task";
  static final String CONTAINER = "gantt-exporter-container";

  @TempDir Path tmp;
  MotoServer moto;
  Registry registry;
  AwsClients aws;
  int runs;

  /** One run of the action's step: exit code, the outputs it wrote, its summary, its log. */
  record Step(int code, Map<String, String> outputs, String summary, String stdout, String stderr) {
    JsonNode result() throws Exception {
      return Json.mapper().readTree(outputs.get("result"));
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- outputs\n" + outputs + "\n--- stderr\n" + stderr + "\n--- summary\n" + summary;
    }
  }

  @BeforeEach
  void setUp() {
    moto = MotoServer.shared();
    moto.reset();
    registry = Registry.shared();
    aws = moto.clients();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  Step action(String... inputs) throws Exception {
    return action(Map.of("BERTH_JAR", Berth.jar().toString()), inputs);
  }

  /** Runs the entry point with these launcher variables (BERTH_JAR, BERTH_ACTION_CACHE_DIR, ...) added. */
  Step action(Map<String, String> launcher, String... inputs) throws Exception {
    int n = ++runs;
    Path output = tmp.resolve("output-" + n);
    Path summary = tmp.resolve("summary-" + n + ".md");
    Files.writeString(output, "");
    ProcessBuilder pb = new ProcessBuilder("bash", ENTRYPOINT.toString());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("INPUT_") || k.startsWith("BERTH_") || k.startsWith("GITHUB_")
        || k.startsWith("AWS_"));
    env.putAll(moto.env());
    // a fresh jar in every build: recording each step's start-up cache would only cost time here
    env.put("BERTH_CDS", "off");
    env.putAll(launcher);
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_OUTPUT", output.toString());
    env.put("GITHUB_STEP_SUMMARY", summary.toString());
    env.put("DOCKER_CONFIG", tmp.resolve("no-docker-config").toString());
    Map<String, String> in = new LinkedHashMap<>();
    for (int i = 0; i < inputs.length; i += 2) {
      in.put(inputs[i], inputs[i + 1]);
    }
    in.forEach((name, value) -> env.put(ActionYaml.envVarOf(name), value));
    Path out = tmp.resolve("stdout-" + n);
    Path err = tmp.resolve("stderr-" + n);
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the action step did not finish: " + in);
    }
    return new Step(p.exitValue(), GithubActionsTest.parseOutputFile(Files.readString(output)),
        Files.exists(summary) ? Files.readString(summary) : "", Files.readString(out), Files.readString(err));
  }

  static String manifestDigest(Registry registry, String repository, String tag) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create(registry.url() + "/v2/" + repository + "/manifests/" + tag)
        .toURL().openConnection();
    c.setRequestMethod("HEAD");
    c.setRequestProperty("Accept", "application/vnd.oci.image.manifest.v1+json,"
        + "application/vnd.docker.distribution.manifest.v2+json");
    assertEquals(200, c.getResponseCode(), repository + ":" + tag);
    return c.getHeaderField("Docker-Content-Digest");
  }

  @Test
  void storyThroughTheAction_outputsAndSummaryOfEachStep() throws Exception {
    // ecr-push: an OCI layout built here stands in for `docker pull node`
    TestImages.Image image = TestImages.image(new Random(7), 2, 200_000, true, "amd64");
    Path layout = tmp.resolve("layout");
    TestImages.writeLayout(layout, image, "node");
    String digest = image.manifest().digest();
    Step push = action("step", "ecr-push", "repository", "opensourceapirepo", "tag", "my-node-container\n",
        "oci-layout", layout.toString(), "registry-endpoint", registry.url().toString());
    assertEquals(0, push.code(), push.toString());
    assertEquals(digest, push.outputs().get("digest"));
    assertEquals(ECR_HOST + "/opensourceapirepo@" + digest, push.outputs().get("image"));
    assertEquals("[\"my-node-container\"]", push.outputs().get("tags"));
    assertEquals("true", push.outputs().get("created"));
    assertEquals("true", push.outputs().get("pushed"));
    assertEquals("true", push.outputs().get("ok"));
    assertEquals("0", push.outputs().get("exit-code"));
    assertEquals(push.stdout().strip(), push.outputs().get("result"), "the result output is the stdout object");
    assertTrue(push.summary().startsWith("### ✅ berth ecr-push: succeeded"), push.summary());
    assertTrue(push.summary().contains("| Image digest | <code>" + digest + "</code> |"), push.summary());
    // the ECR token is announced to the runner (which never shows add-mask lines), and appears nowhere else
    assertTrue(push.stderr().contains("::add-mask::" + MotoServer.ACCOUNT + "-auth-token\n"), push.stderr());
    String withoutMasks = push.stderr().replaceAll("(?m)^::add-mask::.*$", "");
    assertFalse(withoutMasks.contains(MotoServer.ACCOUNT + "-auth-token"), push.stderr());
    assertFalse(push.stdout().contains(MotoServer.ACCOUNT + "-auth-token"), push.stdout());
    assertFalse(push.summary().contains(MotoServer.ACCOUNT + "-auth-token"), push.summary());
    Repository repo = TestEcr.of(aws).describeRepositories(b -> b.repositoryNames("opensourceapirepo")).repositories().get(0);
    assertEquals("IMMUTABLE", repo.imageTagMutabilityAsString());
    assertEquals(digest, manifestDigest(registry, "opensourceapirepo", "my-node-container"));

    // ecs-register-task with the pushed image (as a workflow passes steps.push.outputs.image)
    Step register = action("step", "ecs-register-task", "family", FAMILY, "container-name", CONTAINER,
        "image", push.outputs().get("image"), "cpu", "1024", "memory", "4096", "container-memory", "2048",
        "port", "80/tcp", "volume", "export", "mount", "export:/sites/export-service",
        "env", "NODE_ENV=production\nEXPORT_DIR=/sites/export-service");
    assertEquals(0, register.code(), register.toString());
    assertEquals("1", register.outputs().get("revision"));
    assertEquals("true", register.outputs().get("registered"));
    String taskDef = register.outputs().get("task-definition-arn");
    assertTrue(taskDef.endsWith(":task-definition/" + FAMILY + ":1"), taskDef);
    assertEquals("{\"" + CONTAINER + "\":\"" + push.outputs().get("image") + "\"}", register.outputs().get("containers"));
    assertTrue(register.summary().contains("| Task definition | <code>" + FAMILY + ":1</code> revision 1 (new revision) |"),
        register.summary());
    ContainerDefinition c = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(taskDef)).taskDefinition()
        .containerDefinitions().get(0);
    assertEquals(push.outputs().get("image"), c.image());
    assertEquals(2048, c.memory());
    assertEquals("/sites/export-service", c.mountPoints().get(0).containerPath());
    assertEquals(2, c.environment().size());

    // the same inputs again: no new revision
    Step again = action("step", "ecs-register-task", "family", FAMILY, "container-name", CONTAINER,
        "image", push.outputs().get("image"), "cpu", "1024", "memory", "4096", "container-memory", "2048",
        "port", "80/tcp", "volume", "export", "mount", "export:/sites/export-service",
        "env", "NODE_ENV=production\nEXPORT_DIR=/sites/export-service");
    assertEquals(0, again.code(), again.toString());
    assertEquals("false", again.outputs().get("registered"));
    assertEquals(taskDef, again.outputs().get("task-definition-arn"));

    // ecs-deploy-service: the story's service behind a new ALB in a two-subnet VPC, autoscaled 1-4 on CPU 60%
    String vpc = aws.ec2().createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
    String subnetA = aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-2a"))
        .subnet().subnetId();
    String subnetB = aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.2.0/24").availabilityZone("us-east-2b"))
        .subnet().subnetId();
    Step deploy = action("step", "ecs-deploy-service", "cluster", CLUSTER, "service", SERVICE,
        "task-definition", taskDef, "subnets", subnetA + "\n" + subnetB, "create-load-balancer", "true",
        "vpc-id", vpc, "desired-count", "2", "health-check-grace-period", "60", "autoscaling-min", "1",
        "autoscaling-max", "4", "cpu-target", "60", "timeout", "2m", "tag", "team=exports");
    System.out.println(deploy);
    assertEquals(0, deploy.code(), deploy.toString());
    assertEquals("true", deploy.outputs().get("created"));
    assertEquals("COMPLETED", deploy.outputs().get("rollout-state"));
    assertEquals(taskDef, deploy.outputs().get("task-definition-arn"));
    String dns = deploy.outputs().get("load-balancer-dns-name");
    assertTrue(dns.contains("elb.amazonaws.com"), deploy.toString());
    JsonNode autoscaling = Json.mapper().readTree(deploy.outputs().get("autoscaling"));
    assertEquals(1, autoscaling.path("min").asInt());
    assertEquals(4, autoscaling.path("max").asInt());
    assertTrue(deploy.summary().startsWith("### ✅ berth ecs-deploy-service: succeeded"), deploy.summary());
    assertTrue(deploy.summary().contains("| Verdict | <b>COMPLETED</b> |"), deploy.summary());
    assertTrue(deploy.summary().contains("| Endpoint | http://" + dns + " |"), deploy.summary());
    assertTrue(deploy.summary().contains("| Task definition | <code>" + FAMILY + ":1</code> revision 1 |"),
        deploy.summary());
    assertTrue(deploy.summary().contains("<details><summary>Events ("), deploy.summary());
    Service created = service();
    assertEquals(60, created.healthCheckGracePeriodSeconds());
    assertEquals(2, created.desiredCount());
    assertEquals(deploy.outputs().get("target-group-arn"), created.loadBalancers().get(0).targetGroupArn());
    assertEquals(dns, aws.elb().describeLoadBalancers().loadBalancers().get(0).dnsName());

    String before = primaryDeployment();

    // ecs-force-redeploy: a new deployment, watched to a verdict
    Step redeploy = action("step", "ecs-force-redeploy", "cluster", CLUSTER, "service", SERVICE, "timeout", "2m");
    assertEquals(0, redeploy.code(), redeploy.toString());
    assertEquals(before, redeploy.outputs().get("previous-deployment-id"));
    assertNotEquals(before, redeploy.outputs().get("deployment-id"));
    assertEquals(primaryDeployment(), redeploy.outputs().get("deployment-id"));
    assertEquals("COMPLETED", redeploy.outputs().get("rollout-state"));
    assertEquals(taskDef, redeploy.outputs().get("task-definition-arn"));
    assertTrue(redeploy.summary().contains("| Verdict | <b>COMPLETED</b> |"), redeploy.summary());
    assertTrue(redeploy.summary().contains("| Deployment | <code>" + redeploy.outputs().get("deployment-id")),
        redeploy.summary());

    // ecs-scale
    Step scale = action("step", "ecs-scale", "cluster", CLUSTER, "service", SERVICE, "desired-count", "3",
        "wait", "false");
    assertEquals(0, scale.code(), scale.toString());
    assertEquals("2", scale.outputs().get("previous-desired-count"));
    assertEquals("3", scale.outputs().get("desired-count"));
    assertEquals(3, service().desiredCount());
    assertTrue(scale.summary().startsWith("### ✅ berth ecs-scale: succeeded"), scale.summary());
  }

  @Test
  void failingStep_errorAnnotationOutputsAndSummary_exitCodePassedThrough() throws Exception {
    Step s = action("step", "ecs-scale", "cluster", "no-such-cluster", "service", SERVICE, "desired-count", "3");
    assertEquals(ExitCodes.INVALID_INPUT, s.code(), s.toString());
    assertEquals("false", s.outputs().get("ok"));
    assertEquals("3", s.outputs().get("exit-code"));
    assertEquals("INVALID_INPUT", s.outputs().get("outcome"));
    assertTrue(s.outputs().get("error").contains("no-such-cluster"), s.toString());
    assertTrue(s.stderr().contains("::error title=berth ecs-scale::"), s.stderr());
    assertTrue(s.summary().startsWith("### ❌ berth ecs-scale: failed (exit 3, INVALID_INPUT)"), s.summary());
  }

  @Test
  void badInputValue_isAUsageErrorAnnotation_beforeAnyAwsCall() throws Exception {
    Step s = action("step", "ecs-scale", "cluster", CLUSTER, "service", SERVICE, "desired-count", "three");
    assertEquals(ExitCodes.USAGE, s.code(), s.toString());
    assertTrue(s.stderr().startsWith("::error title=berth ecs-scale::"), s.stderr());
    assertTrue(s.stderr().contains("three"), s.stderr());
  }

  @Test
  void berthVersion_isDownloadedFromTheMavenRepositoryVerifiedAndCached_andAPinIsChecked() throws Exception {
    String version = "9.9.9-it";
    byte[] jar = Files.readAllBytes(Berth.jar());
    String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(jar));
    String base = "/maven2/dev/berth/berth/" + version + "/berth-" + version + ".jar";
    Map<String, byte[]> files = Map.of(base, jar, base + ".sha256", (sha256 + "  berth-" + version + ".jar\n").getBytes());
    Map<String, Integer> hits = new java.util.concurrent.ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      hits.merge(path, 1, Integer::sum);
      byte[] body = files.get(path);
      if (body == null) {
        ex.sendResponseHeaders(404, -1);
      } else {
        ex.sendResponseHeaders(200, body.length);
        try (var o = ex.getResponseBody()) {
          o.write(body);
        }
      }
      ex.close();
    });
    server.start();
    try {
      Path cache = tmp.resolve("tool-cache").resolve("berth");
      Map<String, String> launcher = Map.of("BERTH_ACTION_CACHE_DIR", cache.toString());
      String[] inputs = {"step", "ecs-scale", "berth-version", version,
          "maven-repository", "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2",
          "cluster", "no-such-cluster", "service", SERVICE, "desired-count", "1"};

      Step first = action(launcher, inputs);
      assertEquals(ExitCodes.INVALID_INPUT, first.code(), "the downloaded jar ran the step: " + first);
      assertEquals("true", first.outputs().get("berth-jar-downloaded"), first.toString());
      assertEquals("3", first.outputs().get("exit-code"));
      assertTrue(Files.isRegularFile(cache.resolve(version).resolve("berth-" + version + ".jar")));
      assertEquals(1, hits.get(base));

      Step second = action(launcher, inputs);
      assertEquals(ExitCodes.INVALID_INPUT, second.code(), second.toString());
      assertEquals(null, second.outputs().get("berth-jar-downloaded"), "nothing to save again");
      assertEquals(1, hits.get(base), "the cached jar is used: no second download");

      String[] pinned = java.util.stream.Stream.concat(java.util.Arrays.stream(inputs),
          java.util.stream.Stream.of("berth-sha256", "0".repeat(64))).toArray(String[]::new);
      Step wrongPin = action(launcher, pinned);
      assertEquals(4, wrongPin.code(), wrongPin.toString());
      assertTrue(wrongPin.stderr().contains("::error title=berth action::cached "), wrongPin.stderr());
      assertTrue(wrongPin.stderr().contains("does not match berth-sha256"), wrongPin.stderr());
      assertFalse(Files.exists(cache.resolve(version).resolve("berth-" + version + ".jar")),
          "a jar that does not match the pin is removed");
      assertEquals("4", wrongPin.outputs().get("exit-code"), "berth did not run, and the outputs say so");
      assertEquals("false", wrongPin.outputs().get("ok"));
      assertTrue(wrongPin.outputs().get("error").contains("does not match berth-sha256"), wrongPin.toString());

      String[] rightPin = java.util.stream.Stream.concat(java.util.Arrays.stream(inputs),
          java.util.stream.Stream.of("berth-sha256", sha256.toUpperCase())).toArray(String[]::new);
      Step pinnedRun = action(launcher, rightPin);
      assertEquals(ExitCodes.INVALID_INPUT, pinnedRun.code(), pinnedRun.toString());
      assertEquals("true", pinnedRun.outputs().get("berth-jar-downloaded"));
      assertEquals(2, hits.get(base));
    } finally {
      server.stop(0);
    }
  }

  String primaryDeployment() {
    return service().deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst().orElseThrow().id();
  }

  Service service() {
    return aws.ecs().describeServices(b -> b.cluster(CLUSTER).services(SERVICE)).services().get(0);
  }
}
