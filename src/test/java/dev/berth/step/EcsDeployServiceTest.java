package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of the deploy step that need no AWS: derived names, flag validation, the ALB resource label. */
class EcsDeployServiceTest {
  @Test
  void names_whenShort_areClusterServiceHashAndSuffix() {
    DeployNames n = new DeployNames("shop", "gantt-exporter");
    String h = n.loadBalancer().substring("shop-gantt-exporter-".length(), "shop-gantt-exporter-".length() + 6);
    assertTrue(h.matches("[0-9a-f]{6}"), n.loadBalancer());
    assertEquals("shop-gantt-exporter-" + h + "-alb", n.loadBalancer());
    assertEquals("shop-gantt-exporter-" + h + "-tg", n.targetGroup());
    assertEquals("shop-gantt-exporter-" + h + "-alb-sg", n.loadBalancerSecurityGroup());
    assertEquals("shop-gantt-exporter-" + h + "-svc-sg", n.serviceSecurityGroup());
  }

  @Test
  void names_whenClusterServiceSplitDiffers_doNotCollide() {
    DeployNames a = new DeployNames("prod", "api-web");
    DeployNames b = new DeployNames("prod-api", "web");
    assertNotEquals(a.loadBalancer(), b.loadBalancer());
    assertNotEquals(a.targetGroup(), b.targetGroup());
    assertTrue(a.loadBalancer().startsWith("prod-api-web-") && b.loadBalancer().startsWith("prod-api-web-"));
  }

  @Test
  void names_whenLong_fit32CharactersAndStayUniquePerClusterAndService() {
    DeployNames a = new DeployNames("production-eu-central", "gantt-exporter-service-v2");
    DeployNames b = new DeployNames("production-eu-central", "gantt-exporter-service-v3");
    for (String s : List.of(a.loadBalancer(), a.targetGroup(), b.loadBalancer(), b.targetGroup())) {
      assertTrue(s.length() <= 32, s + " is " + s.length());
      assertTrue(s.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?"), s);
    }
    assertNotEquals(a.loadBalancer(), b.loadBalancer());
    assertEquals(a.loadBalancer(), new DeployNames("production-eu-central", "gantt-exporter-service-v2").loadBalancer(),
        "a rerun derives the same name");
    assertTrue(a.targetGroup().startsWith("production-eu-central-"), a.targetGroup());
  }

  @Test
  void names_sanitizeUnderscoresAndTheInternalPrefix() {
    assertTrue(new DeployNames("My_Cluster", "web__api").targetGroup().matches("my-cluster-web-api-[0-9a-f]{6}-tg"));
    assertTrue(new DeployNames("internal", "x").targetGroup().matches("svc-internal-x-[0-9a-f]{6}-tg"));
  }

  @Test
  void resourceLabel_joinsLoadBalancerAndTargetGroupArns() {
    assertEquals("app/shop-alb/50dc6c495c0c9188/targetgroup/shop-tg/943f017f100becff",
        DeployAutoscaling.resourceLabel(
            "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/shop-tg/943f017f100becff"));
  }

  @Test
  void validateFlags_reportsEveryProblemWithItsFlag() {
    EcsDeployService.Request r = EcsDeployService.Request.builder("shop", "web", "fam")
        .autoscalingMin(5).autoscalingMax(2).cpuTarget(150.0).memoryTarget(0.0).requestsPerTarget(-1.0)
        .minHealthyPercent(101).maxPercent(99).desiredCount(-1).healthCheckPath("health")
        .createLoadBalancer(true).targetGroupArn("arn:x").platformVersion("1.4").propagateTags("ALL")
        .capacityProviders(List.of(new EcsDeployService.CapacityProvider("EC2", 1, 0),
            new EcsDeployService.CapacityProvider("FARGATE", 1, 1), new EcsDeployService.CapacityProvider("FARGATE", 1, 2)))
        .tags(Map.of("aws:x", "y")).healthyThreshold(11).deregistrationDelay(4000)
        .build();
    List<Violation> v = new ArrayList<>();
    EcsDeployService.validateFlags(r, v);
    List<String> flags = v.stream().map(Violation::where).distinct().toList();
    for (String flag : List.of("--autoscaling-min", "--cpu-target", "--memory-target", "--requests-per-target",
        "--min-healthy-percent", "--max-percent", "--desired-count", "--health-check-path", "--target-group-arn",
        "--platform-version", "--propagate-tags", "--capacity-provider", "--tag", "--healthy-threshold",
        "--deregistration-delay")) {
      assertTrue(flags.contains(flag), flag + " not in " + v);
    }
  }

  @Test
  void validateFlags_acceptsTheStory() {
    EcsDeployService.Request r = EcsDeployService.Request.builder("shop", "gantt-exporter", "gantt-exporter-ecs-task")
        .subnets(List.of("subnet-a", "subnet-b")).createLoadBalancer(true).vpcId("vpc-1").desiredCount(2)
        .healthCheckGracePeriod(60).autoscalingMin(1).autoscalingMax(4).cpuTarget(60.0).build();
    List<Violation> v = new ArrayList<>();
    EcsDeployService.validateFlags(r, v);
    assertEquals(List.of(), v);
  }
}
