package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.testbed.Berth;
import dev.berth.testbed.Registry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * {@code ecs-force-redeploy --from-service} between two services on moto: production ({@code gantt-exporter},
 * image v1) is promoted to exactly the digests staging ({@code gantt-exporter-staging}, image v2) runs; the dry
 * run's plan shows the image change first; a container that only one of the services has is exit 3 naming it.
 */
class PromotionIT {
  static final String STAGING = "gantt-exporter-staging";

  private static JsonNode ok(Berth.Run run) {
    assertEquals(0, run.exitCode(), run.toString());
    return run.json();
  }

  private static void service(AwsClients aws, Flow flow, String name, String family, List<ContainerDefinition> containers) {
    aws.ecs().registerTaskDefinition(b -> b.family(family).requiresCompatibilities(Compatibility.FARGATE)
        .networkMode("awsvpc").cpu("1024").memory("4096").containerDefinitions(containers));
    aws.ecs().createService(b -> b.cluster(Flow.CLUSTER).serviceName(name).taskDefinition(family).desiredCount(2)
        .launchType("FARGATE").networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(flow.subnetA)
            .securityGroups(aws.ec2().createSecurityGroup(g -> g.vpcId(flow.vpc).groupName(name + "-tasks")
                .description("tasks")).groupId()))));
  }

  private static ContainerDefinition container(String name, String image) {
    return ContainerDefinition.builder().name(name).image(image).memory(2048).essential(true).build();
  }

  @Test
  void fromService_deploysTheOtherServicesDigests_andRefusesAContainerMissingOnEitherSide() {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      String v1 = ok(flow.inProcess(Map.of(), flow.push("1.0", "v1"))).get("image").asText();
      String v2 = ok(flow.inProcess(Map.of(), flow.push("2.0", "v2"))).get("image").asText();
      ok(flow.inProcess(Map.of(), flow.register(v1)));
      ok(flow.inProcess(Map.of(), flow.deploy()));
      try (AwsClients aws = flow.aws()) {
        service(aws, flow, STAGING, STAGING, List.of(container(Flow.CONTAINER, v2)));
        service(aws, flow, "canary", "canary", List.of(container(Flow.CONTAINER, v2),
            container("metrics-sidecar", v2)));
      }

      // the plan: a new revision of production's family with staging's image, and the service's image change
      Berth.Run dry = flow.inProcess(Map.of(), flow.redeploy("--from-service", Flow.CLUSTER + "/" + STAGING,
          "--dry-run"));
      JsonNode plan = ok(dry);
      assertEquals(List.of("create ecs:task-definition " + Flow.FAMILY + ":(new revision)",
          "update ecs:service gantt/gantt-exporter"), DryRunIT.changesOf(plan));
      assertEquals("containers[" + Flow.CONTAINER + "].image", plan.at("/changes/1/fields/1/field").asText());
      assertEquals(v1, plan.at("/changes/1/fields/1/before").asText());
      assertEquals(v2, plan.at("/changes/1/fields/1/after").asText());
      assertTrue(dry.stderr().contains("containers[" + Flow.CONTAINER + "].image: " + v1 + " -> " + v2), dry.stderr());

      JsonNode promoted = ok(flow.inProcess(Map.of(), flow.redeploy("--from-service", Flow.CLUSTER + "/" + STAGING)));
      String td = promoted.get("taskDefinitionArn").asText();
      assertTrue(td.endsWith(Flow.FAMILY + ":2"), promoted.toString());
      assertEquals("COMPLETED", promoted.get("verdict").asText(), promoted.toString());
      try (AwsClients aws = flow.aws()) {
        TaskDefinition deployed = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(td)).taskDefinition();
        assertEquals(v2, deployed.containerDefinitions().get(0).image(), "production runs staging's digest");
        assertEquals(td, aws.ecs().describeServices(b -> b.cluster(Flow.CLUSTER).services(Flow.SERVICE)).services()
            .get(0).taskDefinition());
      }
      // promoting again changes nothing in the task definition: the identical revision is reused
      JsonNode again = ok(flow.inProcess(Map.of(), flow.redeploy("--from-service", STAGING)));
      assertEquals(td, again.get("taskDefinitionArn").asText());
      assertEquals(false, again.get("taskDefinitionRegistered").asBoolean());

      // a container only the other service has: exit 3 naming it, nothing registered or deployed
      List<String> before = flow.snapshot();
      Berth.Run missing = flow.inProcess(Map.of(), flow.redeploy("--from-service", Flow.CLUSTER + "/canary"));
      assertEquals(3, missing.exitCode(), missing.toString());
      assertTrue(missing.json().get("error").asText().contains("container 'metrics-sidecar' of gantt/canary's canary:1"
          + " is not in " + Flow.FAMILY + ":2"), missing.toString());
      Berth.Run unknown = flow.inProcess(Map.of(), flow.redeploy("--from-service", Flow.CLUSTER + "/nope"));
      assertEquals(3, unknown.exitCode(), unknown.toString());
      assertTrue(unknown.json().get("error").asText().contains("--from-service: service 'nope' not found"),
          unknown.toString());
      assertEquals(before, flow.snapshot());
    }
  }
}
