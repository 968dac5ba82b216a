package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.Registry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dry-run} of ecr-push, ecs-register-task, ecs-scale and ecs-force-redeploy on moto and a registry: each
 * makes only read calls (BERTH_API_LOG lists no mutating action; the proxy in front of the registry sees no
 * upload), leaves moto and the registry as they were (State snapshot, and the service's deployments), and
 * returns {@code "dryRun": true} with the changes a real run makes — which the real run then makes.
 */
class DryRunIT {
  @TempDir
  Path tmp;

  record Dry(Berth.Run run, List<String> calls) {
    JsonNode json() {
      return run.json();
    }

    List<String> changes() {
      return changesOf(json());
    }

    /** "field: before -> after" of the change at {@code i}. */
    List<String> fields(int i) {
      List<String> out = new ArrayList<>();
      json().path("changes").get(i).path("fields").forEach(f -> out.add(f.get("field").asText() + ": "
          + text(f.get("before")) + " -> " + text(f.get("after"))));
      return out;
    }

    private static String text(JsonNode n) {
      return n == null || n.isNull() ? "(unset)" : n.isTextual() ? n.asText() : n.toString();
    }
  }

  /** "action resource name", one per change of a result. */
  static List<String> changesOf(JsonNode result) {
    List<String> out = new ArrayList<>();
    result.path("changes").forEach(c -> out.add(c.get("action").asText() + " " + c.get("resource").asText() + " "
        + c.get("name").asText()));
    return out;
  }

  static boolean mutating(String action) {
    String op = action.substring(action.indexOf(':') + 1);
    return !(op.startsWith("Describe") || op.startsWith("List") || op.startsWith("Get") || op.startsWith("BatchGet")
        || op.startsWith("BatchCheck"));
  }

  /** A dry run that must change nothing: no mutating AWS call, no registry write, the same state after. */
  private Dry dry(Flow flow, FaultProxy registry, int expectedExit, String... args) {
    List<String> before = flow.snapshot();
    List<String> deploymentsBefore = deployments(flow);
    int exchanges = registry.exchanges().size();
    Path log = tmp.resolve("api-" + System.nanoTime() + ".log");
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--dry-run");
    Berth.Run run = flow.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    System.out.println(String.join(" ", args) + " --dry-run\n" + run);
    assertEquals(expectedExit, run.exitCode(), run.toString());
    List<String> calls = Flow.lines(log);
    assertFalse(calls.isEmpty(), "the API log records the read calls");
    assertEquals(List.of(), calls.stream().filter(DryRunIT::mutating).toList(), "mutating calls in a dry run");
    List<FaultProxy.Exchange> seen = registry.exchanges().subList(exchanges, registry.exchanges().size());
    assertEquals(List.of(), seen.stream().filter(FaultProxy.Exchange::mutating).map(e -> e.method() + " " + e.path())
        .toList(), "registry writes in a dry run");
    assertEquals(before, flow.snapshot(), "a dry run changed the account or the registry");
    assertEquals(deploymentsBefore, deployments(flow), "a dry run started a deployment");
    JsonNode json = run.json();
    assertTrue(json.path("dryRun").asBoolean(), json.toString());
    assertTrue(json.path("changes").isArray(), json.toString());
    assertTrue(run.stderr().contains("plan (dry run, nothing was changed)"), run.stderr());
    return new Dry(run, calls);
  }

  private static List<String> deployments(Flow flow) {
    try (AwsClients aws = flow.aws()) {
      if (aws.ecs().listClusters().clusterArns().stream().noneMatch(a -> a.endsWith("/" + Flow.CLUSTER))) {
        return List.of();
      }
      List<String> ids = new ArrayList<>();
      aws.ecs().describeServices(b -> b.cluster(Flow.CLUSTER).services(Flow.SERVICE)).services()
          .forEach(s -> s.deployments().forEach(d -> ids.add(d.id() + " " + d.taskDefinition())));
      return ids;
    }
  }

  private static JsonNode ok(Berth.Run run) {
    assertEquals(0, run.exitCode(), run.toString());
    return run.json();
  }

  @Test
  void dryRun_ofEachStep_readsOnlyChangesNothingAndListsWhatTheRealRunChanges() {
    try (Registry target = Flow.ecrRegistry();
        FaultProxy registry = FaultProxy.to(target.url()).rate(0).start()) {
      Flow flow = new Flow(target);
      flow.registryEndpoint = registry.endpoint();

      // ecr-push into a repository that does not exist: it would be created, with its policy and the tag
      Dry push = dry(flow, registry, 0, flow.push("1.0", "v1"));
      assertEquals(List.of("create ecr:repository opensourceapirepo", "create ecr:lifecycle-policy opensourceapirepo",
          "create ecr:image-tag opensourceapirepo:v1"), push.changes());
      assertEquals(List.of("imageTagMutability: (unset) -> IMMUTABLE", "scanOnPush: (unset) -> true"), push.fields(0));
      String digest = push.json().get("digest").asText();
      assertTrue(digest.startsWith("sha256:"), push.json().toString());
      assertEquals(List.of("digest: (unset) -> " + digest), push.fields(2));
      assertNull(push.json().get("repositoryUri"), "no repository, no URI");
      assertTrue(push.run().stderr().contains("  + create ecr:repository opensourceapirepo"), push.run().stderr());

      JsonNode pushed = ok(flow.inProcess(Map.of(), flow.push("1.0", "v1")));
      assertEquals(digest, pushed.get("digest").asText(), "the dry run named the digest the push pushes");
      assertEquals(push.changes(), changesOf(pushed), "the real run made the changes the dry run listed");

      // the same push again: nothing to do; a new tag: one tag created, nothing else
      assertEquals(List.of(), dry(flow, registry, 0, flow.push("1.0", "v1")).changes());
      Dry newTag = dry(flow, registry, 0, flow.push("2.0", "v2"));
      assertEquals(List.of("create ecr:image-tag opensourceapirepo:v2"), newTag.changes());
      // an immutable tag that holds another digest fails the dry run as it would fail the push
      Dry conflict = dry(flow, registry, 1, flow.push("2.0", "v1"));
      assertTrue(conflict.json().get("error").asText().contains("tag v1"), conflict.json().toString());

      // ecs-register-task: first registration lists the definition's fields; then a change by field
      String image = pushed.get("image").asText();
      Dry firstRegister = dry(flow, registry, 0, flow.register(image));
      // no role given, none in the account: the task execution role is among the changes (it would be created)
      assertEquals(List.of("create iam:role ecsTaskExecutionRole", "create logs:log-group /ecs/" + Flow.FAMILY,
          "create ecs:task-definition " + Flow.FAMILY + ":(new revision)"), firstRegister.changes());
      assertTrue(firstRegister.fields(2).contains("cpu: (unset) -> 1024"), firstRegister.fields(2).toString());
      assertNull(firstRegister.json().get("taskDefinitionArn"));
      JsonNode registered = ok(flow.inProcess(Map.of(), flow.register(image)));
      assertEquals(List.of(), dry(flow, registry, 0, flow.register(image)).changes(), "identical revision: no change");
      Dry bigger = dry(flow, registry, 0, Flow.with(Flow.with(flow.register(image), "--cpu", "2048"), "--memory",
          "8192"));
      assertEquals(List.of("create ecs:task-definition " + Flow.FAMILY + ":(new revision)"), bigger.changes());
      assertEquals(List.of("cpu: 1024 -> 2048", "memory: 4096 -> 8192"), bigger.fields(0));
      assertTrue(bigger.run().stderr().contains("      cpu: 1024 -> 2048"), bigger.run().stderr());

      ok(flow.inProcess(Map.of(), flow.deploy()));

      // ecs-scale: the count, and the range when it moves
      Dry scale = dry(flow, registry, 0, flow.scale(3));
      assertEquals(List.of("update ecs:service gantt/gantt-exporter"), scale.changes());
      assertEquals(List.of("desiredCount: 2 -> 3"), scale.fields(0));
      assertEquals(3, scale.json().get("desiredCount").asInt());
      assertFalse(scale.json().get("changed").asBoolean());
      Dry scaleRange = dry(flow, registry, 0, Flow.with(flow.scale(6), "--autoscaling-max", "6"));
      assertEquals(List.of("update application-autoscaling:scalable-target service/gantt/gantt-exporter",
          "update ecs:service gantt/gantt-exporter"), scaleRange.changes());
      assertEquals(List.of("maxCapacity: 4 -> 6"), scaleRange.fields(0));
      assertEquals(List.of(), dry(flow, registry, 0, flow.scale(2)).changes(), "same count: no change");
      JsonNode scaled = ok(flow.inProcess(Map.of(), flow.scale(3)));
      assertEquals(scale.json().get("changes"), scaled.get("changes"), "the real scale made the planned change");

      // ecs-force-redeploy: a plain redeploy is a new deployment; a new image also a new revision, by field
      Dry redeploy = dry(flow, registry, 0, flow.redeploy());
      assertEquals(List.of("update ecs:service gantt/gantt-exporter"), redeploy.changes());
      assertEquals(1, redeploy.fields(0).size(), redeploy.fields(0).toString());
      assertTrue(redeploy.fields(0).get(0).startsWith("deployment: ecs-svc/"), redeploy.fields(0).toString());
      assertNull(redeploy.json().get("deploymentId"));
      JsonNode pushed2 = ok(flow.inProcess(Map.of(), flow.push("2.0", "v2")));
      String image2 = pushed2.get("image").asText();
      Dry promote = dry(flow, registry, 0, flow.redeploy("--image", Flow.CONTAINER + "=" + image2));
      assertEquals(List.of("create ecs:task-definition " + Flow.FAMILY + ":(new revision)",
          "update ecs:service gantt/gantt-exporter"), promote.changes());
      assertEquals(List.of("containerDefinitions[" + Flow.CONTAINER + "].image: " + image + " -> " + image2),
          promote.fields(0));
      assertEquals("taskDefinition: " + Flow.FAMILY + ":" + registered.get("revision").asInt() + " -> " + Flow.FAMILY
          + ":(new revision)", promote.fields(1).get(0));
      assertEquals("containers[" + Flow.CONTAINER + "].image: " + image + " -> " + image2, promote.fields(1).get(1));
      assertTrue(promote.run().stderr().contains("  ~ update ecs:service gantt/gantt-exporter"), promote.run().stderr());
      JsonNode promoted = ok(flow.inProcess(Map.of(), flow.redeploy("--image", Flow.CONTAINER + "=" + image2)));
      assertEquals(List.of("create ecs:task-definition " + Flow.FAMILY + ":2", "update ecs:service gantt/gantt-exporter"),
          changesOf(promoted), "the real promotion made the planned changes, named as registered");
    }
  }

  /** "action resource", one per change (names of berth's load-balancing resources carry a hash). */
  private static List<String> kinds(List<String> changes) {
    return changes.stream().map(c -> c.substring(0, c.lastIndexOf(' '))).toList();
  }

  @Test
  void dryRun_ofAFirstDeploy_listsEveryResource_thenTheRealRunMakesThem_aRerunListsNothing_anUpdateShowsOldToNew() {
    try (Registry target = Flow.ecrRegistry();
        FaultProxy registry = FaultProxy.to(target.url()).rate(0).start()) {
      Flow flow = new Flow(target);
      flow.registryEndpoint = registry.endpoint();
      String image = ok(flow.inProcess(Map.of(), flow.push("1.0", "v1"))).get("image").asText();
      ok(flow.inProcess(Map.of(), flow.register(image)));

      // the first deploy: everything the console's wizard makes, in the order it is made
      Dry first = dry(flow, registry, 0, flow.deploy());
      assertEquals(List.of("create ecs:cluster", "create ec2:security-group", "create ec2:security-group",
          "create elasticloadbalancing:load-balancer", "create elasticloadbalancing:target-group",
          "create elasticloadbalancing:listener", "create ecs:service",
          "create application-autoscaling:scalable-target", "create application-autoscaling:scaling-policy",
          "create application-autoscaling:scaling-policy"), kinds(first.changes()), first.changes().toString());
      List<String> names = first.changes().stream().map(c -> c.substring(c.lastIndexOf(' ') + 1)).toList();
      assertEquals(Flow.CLUSTER, names.get(0));
      assertTrue(names.get(1).matches("gantt-gantt-exporter-[0-9a-f]{6}-alb-sg"), names.toString());
      assertTrue(names.get(2).matches("gantt-gantt-exporter-[0-9a-f]{6}-svc-sg"), names.toString());
      assertTrue(names.get(3).matches("gantt-gantt-exporter-[0-9a-f]{6}-alb"), names.toString());
      assertTrue(names.get(4).matches("gantt-gantt-exporter-[0-9a-f]{6}-tg"), names.toString());
      assertEquals(names.get(3) + ":80", names.get(5));
      assertEquals(List.of(Flow.CLUSTER + "/" + Flow.SERVICE, "service/gantt/gantt-exporter", "berth-cpu",
          "berth-memory"), names.subList(6, 10));
      List<String> service = first.fields(6);
      assertTrue(service.contains("desiredCount: (unset) -> 2"), service.toString());
      assertTrue(service.contains("healthCheckGracePeriodSeconds: (unset) -> 60"), service.toString());
      assertTrue(service.contains("loadBalancers: (unset) -> [\"target group (new) " + names.get(4) + " -> "
          + Flow.CONTAINER + ":80\"]"), service.toString());
      assertTrue(service.stream().anyMatch(f -> f.startsWith("networkConfiguration.securityGroups: (unset) -> ")
          && f.contains("(new) " + names.get(2))), service.toString());
      assertEquals(List.of("minCapacity: (unset) -> 1", "maxCapacity: (unset) -> 4"), first.fields(7));
      assertTrue(first.fields(8).contains("targetValue: (unset) -> 60.0"), first.fields(8).toString());
      assertTrue(first.run().stderr().contains("  + create elasticloadbalancing:load-balancer " + names.get(3)),
          first.run().stderr());
      assertNull(first.json().get("serviceArn"), first.json().toString());
      assertNull(first.json().get("deploymentId"), first.json().toString());

      // the real run makes exactly those changes
      JsonNode deployed = ok(flow.inProcess(Map.of(), flow.deploy()));
      assertEquals(first.json().get("changes"), deployed.get("changes"), "the real deploy made the planned changes");

      // a rerun: nothing to change
      Dry again = dry(flow, registry, 0, flow.deploy());
      assertEquals(List.of(), again.changes());
      assertTrue(again.run().stderr().contains("plan (dry run, nothing was changed): no changes"),
          again.run().stderr());

      // an update: old -> new for each changed field, only the resources that change; a berth-* policy whose
      // target is no longer given is deleted
      String[] update = Flow.with(Flow.with(Flow.with(Flow.with(Flow.with(Flow.without(flow.deploy(),
          "--memory-target", true), "--desired-count", "3"), "--health-check-grace-period", "90"), "--cpu-target",
          "50"), "--health-check-path", "/health"), "--deregistration-delay", "10");
      Dry changed = dry(flow, registry, 0, update);
      assertEquals(List.of("update elasticloadbalancing:target-group " + names.get(4),
          "update ecs:service " + Flow.CLUSTER + "/" + Flow.SERVICE,
          "update application-autoscaling:scaling-policy berth-cpu",
          "delete application-autoscaling:scaling-policy berth-memory"), changed.changes());
      assertEquals(List.of("healthCheckPath: / -> /health", "deregistrationDelay: 30 -> 10"), changed.fields(0));
      assertEquals(List.of("desiredCount: 2 -> 3", "healthCheckGracePeriodSeconds: 60 -> 90"), changed.fields(1));
      assertEquals(List.of("targetValue: 60.0 -> 50.0"), changed.fields(2));
      assertTrue(changed.run().stderr().contains("  - delete application-autoscaling:scaling-policy berth-memory"),
          changed.run().stderr());
      assertTrue(changed.run().stderr().contains("      desiredCount: 2 -> 3"), changed.run().stderr());
      JsonNode updated = ok(flow.inProcess(Map.of(), Flow.with(update, "--timeout", "60s")));
      assertEquals(changed.json().get("changes"), updated.get("changes"), "the real update made the planned changes");
      assertEquals(List.of(), dry(flow, registry, 0, update).changes(), "after the update: nothing to change");
    }
  }
}
