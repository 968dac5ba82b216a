package dev.berth.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.jenkins.PipelineHarness.AwsKeys;
import dev.berth.jenkins.PipelineHarness.ShResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample Jenkinsfile through the harness with a stand-in runner: the five steps in the story's order with
 * the story's values, credentials bound per step, the promotion gated by its parameter and input, the endpoint
 * printed at the end. (JenkinsfileIT runs it against the test bed with the real runner.)
 */
class JenkinsfileTest {
  static final String SECRET = "jenkinsfile-test-secret-key-0123456789";

  @TempDir Path tmp;
  PipelineHarness h;
  final List<List<String>> commands = new ArrayList<>();

  /** JenkinsfileCpsTest runs the same tests under groovy-cps. */
  PipelineHarness newHarness(Path workspace) {
    return new PipelineHarness(workspace);
  }

  @BeforeEach
  void setUp() {
    h = newHarness(tmp.resolve("ws"));
    h.credentials.put("aws-opensourceapi", new AwsKeys("AKIAJENKINSFILETEST", SECRET));
    h.params.put("VPC_ID", "vpc-0123");
    h.params.put("SUBNETS", "subnet-a,subnet-b");
    h.onSh = sh -> {
      List<String> argv = sh.berthArgs();
      commands.add(sh.command());
      assertEquals(SECRET, sh.env().get("AWS_SECRET_ACCESS_KEY"), "credentials bound for " + argv.get(0));
      String result = switch (argv.get(0)) {
        case "ecr-push" -> "{\"ok\":true,\"image\":\"123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo"
            + "@sha256:abc\",\"pushed\":true}";
        case "ecs-register-task" -> "{\"ok\":true,\"taskDefinitionArn\":\"arn:aws:ecs:us-east-2:123456789012:"
            + "task-definition/gantt-exporter-ecs-task:1\",\"registered\":true}";
        case "ecs-deploy-service" -> "{\"ok\":true,\"serviceArn\":\"arn:svc\",\"rolloutState\":\"COMPLETED\","
            + "\"runningCount\":2,\"desiredCount\":2,\"loadBalancerDnsName\":\"gantt-alb-1.us-east-2.elb.amazonaws.com\"}";
        case "ecs-force-redeploy" -> argv.contains("--dry-run")
            ? "{\"ok\":true,\"dryRun\":true,\"plan\":\"plan (dry run, nothing was changed): 1 change\\n"
                + "  ~ update ecs:service gantt/gantt-exporter\"}"
            : "{\"ok\":true,\"deploymentId\":\"ecs-svc/2\",\"previousDeploymentId\":\"ecs-svc/1\","
                + "\"rolloutState\":\"COMPLETED\"}";
        case "ecs-scale" -> "{\"ok\":true,\"previousDesiredCount\":2,\"desiredCount\":3}";
        default -> throw new AssertionError("unexpected command " + argv);
      };
      try {
        Files.writeString(sh.resultFile(), result);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ShResult(0, "");
    };
  }

  @Test
  void sampleJenkinsfile_withPromotion_runsTheStoryInOrder() {
    h.params.put("PROMOTE", true);
    h.runJenkinsfile();
    assertEquals(List.of("Parameters", "Push image", "Register task definition", "Deploy service", "Promotion plan",
        "Approve promotion", "Promote", "Scale", "Endpoint"), h.stagesRun);
    assertEquals(List.of(
        List.of("ecr-push", "--repository=opensourceapirepo", "--tag=my-node-container-42", "--image=node:20",
            "--region=us-east-2"),
        List.of("ecs-register-task", "--family=gantt-exporter-ecs-task", "--container-name=gantt-exporter-container",
            "--image=123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:abc", "--cpu=1024",
            "--memory=2048", "--container-memory=2048", "--port=80/tcp", "--volume=export-service",
            "--mount=export-service:/sites/export-service", "--region=us-east-2"),
        List.of("ecs-deploy-service", "--cluster=gantt", "--service=gantt-exporter",
            "--task-definition=arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-exporter-ecs-task:1",
            "--subnets=subnet-a,subnet-b", "--desired-count=2", "--container-name=gantt-exporter-container",
            "--container-port=80", "--create-load-balancer", "--vpc-id=vpc-0123", "--health-check-grace-period=120",
            "--autoscaling-min=1", "--autoscaling-max=4", "--cpu-target=60", "--region=us-east-2"),
        List.of("ecs-force-redeploy", "--cluster=gantt", "--service=gantt-exporter", "--dry-run", "--region=us-east-2"),
        List.of("ecs-force-redeploy", "--cluster=gantt", "--service=gantt-exporter", "--region=us-east-2"),
        List.of("ecs-scale", "--cluster=gantt", "--service=gantt-exporter", "--desired-count=3", "--region=us-east-2")),
        commands);
    // the approval shows the plan of the dry run, before the real run
    assertEquals("Force a new deployment of gantt-exporter?\nplan (dry run, nothing was changed): 1 change\n"
        + "  ~ update ecs:service gantt/gantt-exporter", String.valueOf(h.calls("input").get(0).arg("message")));
    assertEquals("deployers", String.valueOf(h.calls("input").get(0).arg("submitter")), "approval names who may give it");
    assertEquals(List.of(), h.inputsHoldingAnExecutor, "no executor is held while the approval waits");
    assertEquals(List.of("Push image", "Register task definition", "Deploy service", "Promotion plan", "Promote", "Scale"),
        h.stagesWithAgent, "an agent per stage that runs a step, none for the pipeline");
    assertTrue(h.log.contains("gantt-exporter is served at http://gantt-alb-1.us-east-2.elb.amazonaws.com/"), h.log.toString());
    assertEquals("http://gantt-alb-1.us-east-2.elb.amazonaws.com/", String.valueOf(h.currentBuild.get("description")));
    assertEquals("SUCCESS", h.currentBuild.get("result"));
    for (String script : h.shScripts()) {
      assertEquals("sh \"$BERTH_LAUNCHER\"", script);
    }
    assertEquals(6, h.calls("withCredentials").size(), "credentials bound per step");
    for (String step : List.of("ecr-push", "ecs-register-task", "ecs-deploy-service", "ecs-force-redeploy-dry-run",
        "ecs-force-redeploy", "ecs-scale")) {
      Path archived = h.artifacts.resolve("berth-results/42/" + step + ".json");
      assertTrue(Files.isRegularFile(archived), "archived: " + archived);
    }
  }

  @Test
  void sampleJenkinsfile_endpointInTheDescription_assoonAsTheDeployKnowsIt() {
    h.onSh = h.onSh.andThen(r -> {
      if (h.stagesRun.get(h.stagesRun.size() - 1).equals("Scale")) {
        assertEquals("http://gantt-alb-1.us-east-2.elb.amazonaws.com/", String.valueOf(h.currentBuild.get("description")),
            "set by the deploy stage, before the later stages");
      }
      return r;
    });
    h.runJenkinsfile();
    assertEquals("SUCCESS", h.currentBuild.get("result"));
  }

  @Test
  void sampleJenkinsfile_withoutVpcAndSubnets_aPushOrScan_deploysNothing() {
    h.params.remove("VPC_ID");
    h.params.remove("SUBNETS");
    h.credentials.clear();
    h.runJenkinsfile();
    assertEquals(List.of("Parameters"), h.stagesRun);
    assertEquals(List.of("Push image", "Register task definition", "Deploy service", "Promotion plan",
        "Approve promotion", "Promote", "Scale", "Endpoint"), h.stagesSkipped);
    assertEquals(List.of(), h.calls("sh"));
    assertEquals(List.of(), h.calls("withCredentials"));
    assertEquals(List.of(), h.stagesWithAgent, "no agent taken");
    assertEquals("NOT_BUILT", h.currentBuild.get("result"));
    assertTrue(String.valueOf(h.currentBuild.get("description")).startsWith("nothing deployed"),
        String.valueOf(h.currentBuild.get("description")));
  }

  @Test
  void sampleJenkinsfile_aFailedStep_archivesItsResult() {
    h.onSh = sh -> {
      try {
        Files.writeString(sh.resultFile(), "{\"ok\":false,\"error\":\"access denied\",\"outcome\":\"ACCESS\",\"exitCode\":4}");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ShResult(4, "");
    };
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(PipelineHarness.PipelineError.class, h::runJenkinsfile);
    assertEquals("ecrPush failed: access denied", e.getMessage());
    assertTrue(Files.isRegularFile(h.artifacts.resolve("berth-results/42/ecr-push.json")), "the failed step's result");
    assertEquals("FAILURE", h.currentBuild.get("result"));
  }

  @Test
  void sampleJenkinsfile_withoutPromotion_skipsThePromoteStageAndItsInput() {
    h.runJenkinsfile();
    assertEquals(List.of("Promotion plan", "Approve promotion", "Promote"), h.stagesSkipped);
    assertEquals(List.of("Push image", "Register task definition", "Deploy service", "Scale"), h.stagesWithAgent);
    assertEquals(List.of(), h.calls("input"));
    assertEquals(List.of("ecr-push", "ecs-register-task", "ecs-deploy-service", "ecs-scale"),
        commands.stream().map(c -> c.get(0)).toList());
  }

  @Test
  void sampleJenkinsfile_emptyCredentialsId_usesTheAgentsOwnCredentials() {
    h.params.put("AWS_CREDENTIALS_ID", "");
    h.onSh = sh -> {
      assertEquals(null, sh.env().get("AWS_SECRET_ACCESS_KEY"));
      return new ShResult(4, "");
    };
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(PipelineHarness.PipelineError.class, h::runJenkinsfile);
    assertEquals("ecrPush failed: no result (exit code 4); see the step log above", e.getMessage());
    assertEquals(List.of(), h.calls("withCredentials"));
  }
}
