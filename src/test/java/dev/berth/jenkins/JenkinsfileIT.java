package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.aws.AwsClients;
import dev.berth.image.RegistryClient;
import dev.berth.image.Sleeper;
import dev.berth.image.TestImages;
import dev.berth.jenkins.PipelineHarness.AwsKeys;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import dev.berth.testbed.StoryVpc;
import dev.berth.testbed.StrictAws;
import dev.berth.testbed.TestEcr;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * End to end: the sample Jenkinsfile through the harness with a real sh, so the vars run the launcher
 * (resources/dev/berth/berth.sh) and the real runner (target/berth.jar, via BERTH_JAR) pushes the story's node
 * image to the local registry and deploys against moto; the final state is read back through the AWS APIs. The
 * Jenkinsfile and the vars run under groovy-cps, the program serialized at every step as Jenkins persists it.
 */
class JenkinsfileIT {
  static final String ACCESS_KEY = "AKIAJENKINSFILEITKEY";
  static final String SECRET_KEY = "jenkinsfile-it-secret-access-key-0123456789";

  @TempDir Path tmp;

  @Test
  void sampleJenkinsfile_realRunner_shipsTheStoryToMoto() throws Exception {
    MotoServer moto = MotoServer.shared();
    moto.reset();
    Registry registry = Registry.shared();
    // the story's "docker pull node": a node:20 image in the source registry
    RegistryClient client = new RegistryClient(registry.url(), null, RegistryClient.Settings.defaults(), Sleeper.REAL);
    TestImages.Image node = TestImages.image(new Random(20), 2, 4096, false, "amd64");
    TestImages.push(client, "library/node", node, "20");

    // AWS's rules moto skips are enforced by the strict layer the pipeline talks to (docs/aws-rules.md)
    StrictAws strict = StrictAws.shared(moto.endpoint());
    strict.reset();
    try (AwsClients aws = moto.clients()) {
      StoryVpc network = StoryVpc.create(aws);
      String vpc = network.vpc();

      PipelineHarness h = realHarness(tmp, "workspace", moto, registry);
      h.baseEnv.put("AWS_ENDPOINT_URL", strict.endpoint().toString());
      h.baseEnv.put("BERTH_AWS_CONSISTENCY_BACKOFF", "10ms");
      h.params.put("SOURCE_IMAGE", registry.host() + "/library/node:20");
      h.params.put("VPC_ID", vpc);
      h.params.put("SUBNETS", String.join(",", network.taskSubnets()));
      h.params.put("PROMOTE", true);
      h.params.put("DESIRED_COUNT", "3");

      try {
        h.runJenkinsfile();
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("the pipeline failed: " + e.getMessage() + "\n--- log\n" + String.join("\n", h.log), e);
      }
      String log = String.join("\n", h.log);
      assertEquals(List.of("Parameters", "Push image", "Register task definition", "Deploy service", "Promotion plan",
          "Approve promotion", "Promote", "Scale", "Endpoint"), h.stagesRun, log);
      assertEquals(List.of(), h.inputsHoldingAnExecutor);
      assertEquals("SUCCESS", h.currentBuild.get("result"));
      assertFalse(log.contains(SECRET_KEY) || log.contains(ACCESS_KEY), "no secret in the build log");
      for (String script : h.shScripts()) {
        assertEquals("sh \"$BERTH_LAUNCHER\"", script);
      }

      // ecrPush: the repository with its settings, the tag in the registry with the source's exact digest
      Repository repo = TestEcr.of(aws).describeRepositories(b -> b.repositoryNames("opensourceapirepo")).repositories().get(0);
      assertEquals("IMMUTABLE", repo.imageTagMutabilityAsString());
      assertTrue(repo.imageScanningConfiguration().scanOnPush());
      assertEquals(node.manifest().digest(), client.manifestDigest("opensourceapirepo", "my-node-container-42").orElseThrow());

      // ecsRegisterTask: revision 1 of the story's task definition, image pinned by digest
      TaskDefinition td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition("gantt-exporter-ecs-task")).taskDefinition();
      assertEquals(1, td.revision());
      ContainerDefinition c = td.containerDefinitions().get(0);
      assertEquals("gantt-exporter-container", c.name());
      assertTrue(c.image().endsWith("/opensourceapirepo@" + node.manifest().digest()), c.image());
      assertEquals(2048, c.memory());
      assertEquals(80, c.portMappings().get(0).containerPort());
      assertEquals("/sites/export-service", c.mountPoints().get(0).containerPath());
      assertEquals("export-service", td.volumes().get(0).name());
      // no role given: the account's ecsTaskExecutionRole, created; awslogs to /ecs/FAMILY
      assertEquals("arn:aws:iam::" + MotoServer.ACCOUNT + ":role/ecsTaskExecutionRole", td.executionRoleArn());
      assertEquals("/ecs/gantt-exporter-ecs-task", c.logConfiguration().options().get("awslogs-group"));
      assertEquals(1, aws.logs().describeLogGroups(b -> b.logGroupNamePrefix("/ecs/gantt-exporter-ecs-task"))
          .logGroups().size());
      // the ALB got one public subnet per zone; every just-created refusal of the strict layer was survived
      var alb = aws.elb().describeLoadBalancers(b -> {}).loadBalancers().get(0);
      assertEquals(java.util.Set.of(network.publicA(), network.publicB()), alb.availabilityZones().stream()
          .map(z -> z.subnetId()).collect(java.util.stream.Collectors.toSet()));
      assertEquals(1, strict.refused("InvalidParameterException").size(), strict.refused().toString());
      assertTrue(strict.refused("InvalidGroup.NotFound").size() >= 1, strict.refused().toString());
      assertTrue(strict.refused("ObjectNotFoundException").size() >= 1, strict.refused().toString());

      // ecsDeployService + ecsForceRedeploy + ecsScale: the service behind the ALB, promoted, scaled to 3
      Service svc = aws.ecs().describeServices(b -> b.cluster("gantt").services("gantt-exporter")).services().get(0);
      assertEquals(td.taskDefinitionArn(), svc.taskDefinition());
      assertEquals(1, svc.loadBalancers().size());
      assertEquals("gantt-exporter-container", svc.loadBalancers().get(0).containerName());
      assertEquals(80, svc.loadBalancers().get(0).containerPort());
      assertEquals(120, svc.healthCheckGracePeriodSeconds());
      assertEquals(3, svc.desiredCount());
      Map<String, Object> promoted = callResult(h, "ecs-force-redeploy");
      assertNotNull(promoted, "results: " + h.results + "\n" + log);
      assertNotNull(promoted.get("deploymentId"));
      assertNotEquals(promoted.get("previousDeploymentId"), promoted.get("deploymentId"), "a new deployment");
      List<String> deploymentIds = svc.deployments().stream().map(Deployment::id).toList();
      assertTrue(deploymentIds.contains(String.valueOf(promoted.get("deploymentId"))), deploymentIds.toString());

      ScalableTarget target = aws.autoscaling().describeScalableTargets(b -> b
          .serviceNamespace(ServiceNamespace.ECS).resourceIds("service/gantt/gantt-exporter")).scalableTargets().get(0);
      assertEquals(1, target.minCapacity());
      assertEquals(4, target.maxCapacity());
      assertFalse(aws.autoscaling().describeScalingPolicies(b -> b.serviceNamespace(ServiceNamespace.ECS)
          .resourceId("service/gantt/gantt-exporter")).scalingPolicies().isEmpty(), "the CPU target policy");

      String dns = aws.elb().describeLoadBalancers().loadBalancers().get(0).dnsName();
      assertTrue(h.log.contains("gantt-exporter is served at http://" + dns + "/"), log);
    }
  }

  /**
   * A harness as Jenkins runs a pipeline (groovy-cps) with a real sh: the launcher and the real runner
   * (target/berth.jar) against moto and the local registry, the story's AWS Credentials entry bound.
   */
  static PipelineHarness realHarness(Path tmp, String workspace, MotoServer moto, Registry registry) {
    PipelineHarness h = new PipelineHarness(tmp.resolve(workspace), true);
    h.realShell = true;
    h.credentials.put("aws-opensourceapi", new AwsKeys(ACCESS_KEY, SECRET_KEY));
    h.baseEnv.put("PATH", System.getenv("PATH"));
    h.baseEnv.put("HOME", tmp.resolve("home").toString());
    h.baseEnv.put("BERTH_JAR", Berth.jar().toString());
    h.baseEnv.put("BERTH_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    h.baseEnv.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
    h.baseEnv.put("AWS_EC2_METADATA_DISABLED", "true");
    h.baseEnv.put("BERTH_REGISTRY_ENDPOINT", registry.url().toString());
    h.baseEnv.put("DOCKER_CONFIG", tmp.resolve("no-docker-config").toString());
    return h;
  }

  /** The result a step wrote, as the build archived it (BERTH_RESULT_DIR, archiveArtifacts). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> callResult(PipelineHarness h, String command) throws java.io.IOException {
    Path file = h.artifacts.resolve("berth-results/" + h.baseEnv.get("BUILD_NUMBER") + "/" + command + ".json");
    return dev.berth.report.Json.mapper().readValue(file.toFile(), Map.class);
  }
}
