package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.aws.AwsClients;
import dev.berth.image.RegistryClient;
import dev.berth.image.Sleeper;
import dev.berth.image.TestImages;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * The promotion and rollback sample jobs end to end, as JenkinsfileIT runs the main sample: the sample
 * Jenkinsfile deploys staging (cluster gantt) and archives its results; production (cluster gantt-production)
 * runs an older image; jenkins/promote.Jenkinsfile copies staging's ecs-deploy-service result and promotes its
 * image digest into production after approval; jenkins/rollback.Jenkinsfile rolls production back. Everything
 * through the harness under groovy-cps with a real sh, the real runner against moto; the state read back
 * through the AWS APIs after each job.
 */
class PromotionJenkinsfileIT {
  @TempDir Path tmp;

  @Test
  void promotionAndRollbackJobs_realRunner_promoteStagingsDigestIntoProduction_andRollItBack() throws Exception {
    MotoServer moto = MotoServer.shared();
    moto.reset();
    Registry registry = Registry.shared();
    RegistryClient client = new RegistryClient(registry.url(), null, RegistryClient.Settings.defaults(), Sleeper.REAL);
    TestImages.Image node20 = TestImages.image(new Random(20), 2, 4096, false, "amd64");
    TestImages.push(client, "library/node", node20, "20");
    TestImages.Image node18 = TestImages.image(new Random(18), 2, 4096, false, "amd64");
    TestImages.push(client, "library/node", node18, "18");

    try (AwsClients aws = moto.clients()) {
      String vpc = aws.ec2().createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
      String subnetA = aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-2a"))
          .subnet().subnetId();
      String subnetB = aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.2.0/24").availabilityZone("us-east-2b"))
          .subnet().subnetId();

      // staging: the main sample pipeline, its results archived
      PipelineHarness staging = JenkinsfileIT.realHarness(tmp, "staging", moto, registry);
      staging.params.put("SOURCE_IMAGE", registry.host() + "/library/node:20");
      staging.params.put("VPC_ID", vpc);
      staging.params.put("SUBNETS", subnetA + "," + subnetB);
      run(staging, "Jenkinsfile");
      TaskDefinition stagingTd = aws.ecs().describeTaskDefinition(b -> b.taskDefinition("gantt-exporter-ecs-task"))
          .taskDefinition();
      String stagingImage = stagingTd.containerDefinitions().get(0).image();
      assertTrue(stagingImage.endsWith("/opensourceapirepo@" + node20.manifest().digest()), stagingImage);

      // production: the same service in another cluster, on the older image
      Map<String, String> env = Map.of("BERTH_REGISTRY_ENDPOINT", registry.url().toString(),
          "DOCKER_CONFIG", tmp.resolve("no-docker-config").toString());
      Berth.Run push = cli(env, moto, "ecr-push", "--repository", "opensourceapirepo", "--image",
          registry.host() + "/library/node:18", "--tag", "prod-v1");
      String oldImage = push.json().path("image").asText();
      Berth.Run register = cli(env, moto, "ecs-register-task", "--family", "gantt-exporter-production",
          "--container-name", "gantt-exporter-container", "--image", oldImage, "--cpu", "1024", "--memory", "2048",
          "--port", "80/tcp");
      String prodTd1 = register.json().path("taskDefinitionArn").asText();
      cli(env, moto, "ecs-deploy-service", "--cluster", "gantt-production", "--service", "gantt-exporter",
          "--task-definition", prodTd1, "--subnets", subnetA + "," + subnetB, "--desired-count", "2");

      // the promotion job: staging's digest into production's own task definition, after approval
      PipelineHarness promote = JenkinsfileIT.realHarness(tmp, "promote", moto, registry);
      promote.otherJobs.put("gantt/deploy-staging", staging.artifacts);
      promote.params.put("SOURCE_JOB", "gantt/deploy-staging");
      run(promote, "jenkins/promote.Jenkinsfile");
      assertEquals(List.of("Parameters", "What to promote", "Approve", "Promote"), promote.stagesRun);
      assertEquals("release-managers", promote.calls("input").get(0).arg("submitter"));
      assertEquals(List.of(), promote.inputsHoldingAnExecutor);
      Service prod = service(aws, "gantt-production");
      TaskDefinition promoted = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(prod.taskDefinition()))
          .taskDefinition();
      assertEquals("gantt-exporter-production", promoted.family(), "production's own task definition");
      assertEquals(2, promoted.revision());
      assertEquals(stagingImage, promoted.containerDefinitions().get(0).image(), "staging's image, by digest");
      Map<String, Object> promotion = JenkinsfileIT.callResult(promote, "ecs-force-redeploy");
      assertEquals(prodTd1, promotion.get("previousTaskDefinitionArn"));
      assertNotEquals(promotion.get("previousDeploymentId"), promotion.get("deploymentId"), "a new deployment");
      assertEquals(stagingTd.taskDefinitionArn(), service(aws, "gantt").taskDefinition(), "staging unchanged");

      // the rollback job: production back to the task definition it ran before
      PipelineHarness rollback = JenkinsfileIT.realHarness(tmp, "rollback", moto, registry);
      rollback.params.put("CLUSTER", "gantt-production");
      rollback.params.put("SERVICE", "gantt-exporter");
      run(rollback, "jenkins/rollback.Jenkinsfile");
      assertEquals(prodTd1, service(aws, "gantt-production").taskDefinition(), "rolled back");
      Map<String, Object> back = JenkinsfileIT.callResult(rollback, "ecs-force-redeploy");
      assertEquals(prodTd1, back.get("taskDefinitionArn"));
      assertEquals("COMPLETED", back.get("rolloutState"));
      for (PipelineHarness h : List.of(staging, promote, rollback)) {
        String log = String.join("\n", h.log);
        assertFalse(log.contains(JenkinsfileIT.SECRET_KEY), "no secret in the build log");
        for (String script : h.shScripts()) {
          assertEquals("sh \"$BERTH_LAUNCHER\"", script);
        }
      }
    }
  }

  static void run(PipelineHarness h, String pipeline) {
    try {
      h.runJenkinsfile(pipeline);
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(pipeline + " failed: " + e.getMessage() + "\n--- log\n" + String.join("\n", h.log), e);
    }
    assertEquals("SUCCESS", h.currentBuild.get("result"), pipeline + "\n" + String.join("\n", h.log));
  }

  static Berth.Run cli(Map<String, String> env, MotoServer moto, String... args) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()))
        .toArray(String[]::new);
    Berth.Run r = Berth.inProcess(env, all);
    assertEquals(0, r.exitCode(), r.toString());
    return r;
  }

  static Service service(AwsClients aws, String cluster) {
    return aws.ecs().describeServices(b -> b.cluster(cluster).services("gantt-exporter")).services().get(0);
  }
}
