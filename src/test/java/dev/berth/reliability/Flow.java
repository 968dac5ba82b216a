package dev.berth.reliability;

import dev.berth.aws.AwsClients;
import dev.berth.image.RegistryClient;
import dev.berth.image.Sleeper;
import dev.berth.image.TestImages;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import dev.berth.testbed.StoryVpc;
import dev.berth.testbed.StrictAws;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The user's story as the five steps, the way the sample Jenkinsfile runs it: push {@code opensourceapirepo},
 * register {@code gantt-exporter-ecs-task}, deploy {@code gantt-exporter} behind a new ALB with autoscaling,
 * scale, force a new deployment. The AWS side is moto (or a proxy in front of it), images go to a registry
 * that wants the ECR token moto hands out.
 */
final class Flow {
  static final String TOKEN = MotoServer.ACCOUNT + "-auth-token";
  static final String REPOSITORY = "opensourceapirepo";
  static final String FAMILY = "gantt-exporter-ecs-task";
  static final String CONTAINER = "gantt-exporter-container";
  static final String CLUSTER = "gantt";
  static final String SERVICE = "gantt-exporter";
  static final String SOURCE_IMAGE = "upstream/gantt";

  final MotoServer moto;
  /** The strict layer in front of moto: what AWS refuses is refused (docs/aws-rules.md). */
  final StrictAws strict;
  final Registry source;
  final Registry target;
  final StoryVpc network;
  final String vpc;
  /** Public subnets (route to the internet gateway), us-east-2a and us-east-2b. */
  final String subnetA;
  final String subnetB;
  URI awsEndpoint;
  URI registryEndpoint;

  /**
   * Resets moto and the strict layer, makes the story's VPC (public and private subnets, two per zone), and
   * puts the source image in the open registry. AWS calls go through the strict layer.
   */
  Flow(Registry target) {
    this(target, MotoServer.shared());
  }

  /** The same on another moto_server (the IAM-enforcing one). */
  Flow(Registry target, MotoServer moto) {
    this.moto = moto;
    moto.reset();
    this.strict = StrictAws.shared(moto.endpoint());
    strict.reset();
    this.source = Registry.shared();
    this.target = target;
    this.awsEndpoint = strict.endpoint();
    this.registryEndpoint = target.url();
    try (AwsClients aws = TestBed.aws(moto.endpoint())) {
      network = StoryVpc.create(aws);
      // as in a default VPC; moto's RunTask (awsvpc) needs it too: it names a task's ENI by its private DNS name
      String id = network.vpc();
      aws.ec2().modifyVpcAttribute(b -> b.vpcId(id).enableDnsHostnames(a -> a.value(true)));
    }
    vpc = network.vpc();
    subnetA = network.publicA();
    subnetB = network.publicB();
    RegistryClient src = new RegistryClient(source.url(), null, RegistryClient.Settings.defaults(), Sleeper.REAL);
    if (src.manifestDigest(SOURCE_IMAGE, "1.0").isEmpty()) {
      Random random = new Random(1);
      TestImages.push(src, SOURCE_IMAGE, TestImages.image(random, 3, 200_000, false, "amd64"), "1.0");
      TestImages.push(src, SOURCE_IMAGE, TestImages.image(random, 2, 100_000, false, "amd64"), "2.0");
    }
  }

  /** The registry with the ECR token moto hands out, as ECR would. */
  static Registry ecrRegistry() {
    return Registry.start("AWS", TOKEN);
  }

  AwsClients aws() {
    return TestBed.aws(moto.endpoint());
  }

  List<String> snapshot() {
    try (AwsClients aws = aws()) {
      return State.snapshot(aws, target.url(), "AWS", TOKEN);
    }
  }

  /** Environment of a berth subprocess. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
    env.put("AWS_REGION", MotoServer.REGION);
    env.put("AWS_ENDPOINT_URL", awsEndpoint.toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("DOCKER_CONFIG", "/nonexistent-docker-config");
    env.put("BERTH_REGISTRY_ENDPOINT", registryEndpoint.toString());
    // the strict layer plays AWS's just-created refusals; berth's bounded retry waits 10ms, not 1s, for them
    env.put("BERTH_AWS_CONSISTENCY_BACKOFF", "10ms");
    return env;
  }

  String[] push(String sourceTag, String tag) {
    return new String[] {"ecr-push", "--repository", REPOSITORY, "--image", source.host() + "/" + SOURCE_IMAGE + ":"
        + sourceTag, "--tag", tag, "--keep-images", "10"};
  }

  String[] register(String image) {
    return new String[] {"ecs-register-task", "--family", FAMILY, "--container-name", CONTAINER, "--image", image,
        "--cpu", "1024", "--memory", "4096", "--container-memory", "2048", "--port", "80", "--volume",
        "export-service", "--mount", "export-service:/sites/export-service"};
  }

  String[] deploy(String... extra) {
    List<String> a = new ArrayList<>(List.of("ecs-deploy-service", "--cluster", CLUSTER, "--service", SERVICE,
        "--task-definition", FAMILY, "--subnets", String.join(",", network.taskSubnets()), "--create-load-balancer",
        "--vpc-id", vpc,
        "--container-name", CONTAINER, "--container-port", "80", "--desired-count", "2",
        "--health-check-grace-period", "60", "--autoscaling-min", "1", "--autoscaling-max", "4", "--cpu-target", "60",
        "--memory-target", "70", "--timeout", "60s"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  String[] scale(int n) {
    return new String[] {"ecs-scale", "--cluster", CLUSTER, "--service", SERVICE, "--desired-count",
        String.valueOf(n), "--timeout", "60s"};
  }

  String[] redeploy(String... extra) {
    List<String> a = new ArrayList<>(List.of("ecs-force-redeploy", "--cluster", CLUSTER, "--service", SERVICE,
        "--timeout", "60s"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  /** In this JVM, with the flow's environment and the given extras (an API log, timeouts). */
  Berth.Run inProcess(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = env();
    env.putAll(extraEnv);
    // the SDK reads AWS_* from the real environment, not from berth's: name region and endpoint as options
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", awsEndpoint.toString()));
    return Berth.inProcess(env, all.toArray(String[]::new));
  }

  Berth.Run subprocess(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = env();
    env.putAll(extraEnv);
    return Berth.subprocess(env, args);
  }

  /** A copy of args with the value of option {@code name} replaced (or appended when absent). */
  static String[] with(String[] args, String name, String value) {
    List<String> l = new ArrayList<>(List.of(args));
    int i = l.indexOf(name);
    if (i >= 0) {
      l.set(i + 1, value);
    } else {
      l.add(name);
      l.add(value);
    }
    return l.toArray(String[]::new);
  }

  /** A copy of args without option {@code name} and its value. */
  static String[] without(String[] args, String name, boolean hasValue) {
    List<String> l = new ArrayList<>(List.of(args));
    int i = l.indexOf(name);
    if (i >= 0) {
      if (hasValue) {
        l.remove(i + 1);
      }
      l.remove(i);
    }
    return l.toArray(String[]::new);
  }

  /** Lines of an API log file (missing file: none). */
  static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
