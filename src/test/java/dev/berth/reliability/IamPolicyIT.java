package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.Json;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege: runs every step the way the story does (first runs, reruns that change nothing, updates,
 * promotion with a new image, scaling with new bounds), records each step's AWS actions (berth's SDK
 * interceptor via BERTH_API_LOG, plus ECR's registry-API actions derived from the image traffic, which a
 * proxy in front of the registry sees), and compares them with {@code docs/iam/<step>.json}: an action called
 * but not allowed fails, and so does an allowed action never called. {@code docs/iam/flow.json} must be the
 * union of the five.
 */
class IamPolicyIT {
  static final List<String> STEPS = List.of("ecr-push", "ecs-register-task", "ecs-deploy-service", "ecs-scale",
      "ecs-force-redeploy", "ecs-run-task");

  @TempDir
  Path tmp;

  private final Map<String, TreeSet<String>> called = new LinkedHashMap<>();

  private Berth.Run step(Flow flow, int expectedExit, String... args) throws IOException {
    Path log = tmp.resolve("api-" + System.nanoTime() + ".log");
    Berth.Run run = flow.inProcess(Map.of("BERTH_API_LOG", log.toString()), args);
    assertEquals(expectedExit, run.exitCode(), String.join(" ", args) + "\n" + run);
    called.computeIfAbsent(args[0], k -> new TreeSet<>()).addAll(Flow.lines(log));
    return run;
  }

  /** The IAM actions ECR checks for registry API requests (ECR user guide, "Amazon ECR registry API"). */
  static String registryAction(FaultProxy.Exchange e) {
    String p = e.path().replaceAll("\\?.*", "");
    if (p.equals("/v2/") || p.equals("/v2")) {
      return "ecr:GetAuthorizationToken";
    }
    String action = dev.berth.image.RegistryClient.ecrAction(e.method(), p);
    return action != null ? action : "ecr:unknown " + e.method() + " " + p;
  }

  @Test
  void everyStep_callsExactlyTheActionsItsPolicyAllows() throws IOException {
    List<String> report = new ArrayList<>();
    try (Registry target = Flow.ecrRegistry();
        FaultProxy registryProxy = FaultProxy.to(target.url()).rate(0).start()) {
      Flow flow = new Flow(target);
      flow.registryEndpoint = registryProxy.endpoint();

      JsonNode pushed = step(flow, 0, flow.push("1.0", "v1")).json();
      step(flow, 0, flow.push("1.0", "v1"));
      step(flow, 1, flow.push("2.0", "v1"));
      JsonNode pushed2 = step(flow, 0, flow.push("2.0", "v2")).json();
      TreeSet<String> registryActions = new TreeSet<>();
      registryProxy.exchanges().forEach(e -> registryActions.add(registryAction(e)));
      called.get("ecr-push").addAll(registryActions);

      step(flow, 0, flow.register(pushed.get("image").asText()));
      step(flow, 0, flow.register(pushed.get("image").asText()));
      step(flow, 0, concat(flow.register(pushed2.get("image").asText()), "--keep-revisions", "5"));

      step(flow, 0, flow.deploy());
      step(flow, 0, flow.deploy());
      step(flow, 0, concat(Flow.with(flow.deploy(), "--autoscaling-max", "5"), "--requests-per-target", "100"));
      JsonNode deployed = step(flow, 0, flow.deploy("--force-new-deployment", "--tag", "team=export")).json();
      // a second service on the same target group, whose rollout never completes (moto runs 2 tasks, not 3):
      // the watcher's diagnosis (stopped tasks, target health) runs on the timeout
      step(flow, 5, "ecs-deploy-service", "--cluster", Flow.CLUSTER, "--service", "canary", "--task-definition",
          Flow.FAMILY, "--subnets", flow.subnetA + "," + flow.subnetB, "--target-group-arn",
          deployed.get("targetGroupArn").asText(), "--container-name", Flow.CONTAINER, "--container-port", "80",
          "--desired-count", "3", "--timeout", "5s");

      // --keep-revisions after the deploy: the revision the service runs is kept, an older one goes
      step(flow, 0, concat(flow.register(pushed.get("image").asText()), "--keep-revisions", "1"));

      step(flow, 0, flow.scale(3));
      step(flow, 0, concat(flow.scale(5), "--autoscaling-min", "2", "--autoscaling-max", "6"));
      // a service that is not there: DescribeClusters tells a missing cluster from a missing service (exit 3)
      step(flow, 3, "ecs-scale", "--cluster", Flow.CLUSTER, "--service", "no-such-service", "--desired-count", "1");
      step(flow, 3, "ecs-force-redeploy", "--cluster", "no-such-cluster", "--service", Flow.SERVICE);
      step(flow, 3, "ecs-run-task", "--cluster", Flow.CLUSTER, "--service", "no-such-service", "--command", "true",
          "--no-wait");

      step(flow, 0, flow.redeploy());
      step(flow, 0, flow.redeploy("--image", Flow.CONTAINER + "=" + pushed2.get("image").asText()));
      step(flow, 0, flow.redeploy("--rollback"));
      // promotion from another service: the images it runs (its task definition, and its running tasks' digests)
      step(flow, 0, flow.redeploy("--from-service", Flow.CLUSTER + "/canary"));

      // a migration with the service's network (moto never stops a task: one run returns at once, one times out)
      step(flow, 0, "ecs-run-task", "--cluster", Flow.CLUSTER, "--service", Flow.SERVICE, "--command", "npm run migrate",
          "--no-wait");
      step(flow, 5, "ecs-run-task", "--cluster", Flow.CLUSTER, "--service", Flow.SERVICE, "--timeout", "1s");
    }

    TreeSet<String> union = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (String step : STEPS) {
      TreeSet<String> actions = called.getOrDefault(step, new TreeSet<>());
      union.addAll(actions);
      Policy policy = allowed(Path.of("docs", "iam", step + ".json"));
      report.add(step + ": " + actions + (policy.untested().isEmpty() ? "" : "\n  untested here: "
          + policy.untested()));
      check(step, actions, policy, problems);
    }
    Policy flowPolicy = allowed(Path.of("docs", "iam", "flow.json"));
    check("flow", union, flowPolicy, problems);
    TreeSet<String> untestedUnion = new TreeSet<>();
    for (String step : STEPS) {
      untestedUnion.addAll(allowed(Path.of("docs", "iam", step + ".json")).untested());
    }
    untestedUnion.removeAll(union);
    if (!untestedUnion.equals(flowPolicy.untested())) {
      problems.add("docs/iam/flow.json's untested actions " + flowPolicy.untested() + " differ from the steps' "
          + untestedUnion);
    }
    System.out.println(String.join("\n", report));
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n\ncalled:\n" + String.join("\n", report));
  }

  private static void check(String name, TreeSet<String> called, Policy policy, List<String> problems) {
    TreeSet<String> allowed = new TreeSet<>(policy.tested());
    for (String a : called) {
      if (policy.untested().contains(a)) {
        problems.add("docs/iam/" + name + ".json marks " + a + " untested, but the step calls it: move it up");
      }
    }
    check(name, called, allowed, problems);
  }

  private static void check(String name, TreeSet<String> called, TreeSet<String> allowed, List<String> problems) {
    for (String a : called) {
      if (!allowed.contains(a)) {
        problems.add("docs/iam/" + name + ".json lacks " + a + ", which the step calls");
      }
    }
    for (String a : allowed) {
      if (!called.contains(a)) {
        problems.add("docs/iam/" + name + ".json allows " + a + ", which no run of the step called");
      }
    }
  }

  /**
   * A policy's actions: those the test bed exercises, and those in statements whose Sid starts with
   * "Untested" (paths moto cannot reach, or permissions AWS checks without a call of their own, such as
   * iam:PassRole); the latter are listed in the report and must not be called by the runs.
   */
  record Policy(TreeSet<String> tested, TreeSet<String> untested) {}

  static Policy allowed(Path policy) throws IOException {
    TreeSet<String> tested = new TreeSet<>();
    TreeSet<String> untested = new TreeSet<>();
    if (!Files.exists(policy)) {
      return new Policy(tested, untested);
    }
    JsonNode doc = Json.mapper().readTree(Files.readString(policy));
    for (JsonNode st : doc.get("Statement")) {
      if (!"Allow".equals(st.path("Effect").asText())) {
        continue;
      }
      TreeSet<String> out = st.path("Sid").asText().startsWith("Untested") ? untested : tested;
      JsonNode action = st.get("Action");
      if (action.isArray()) {
        action.forEach(a -> out.add(a.asText()));
      } else {
        out.add(action.asText());
      }
    }
    return new Policy(tested, untested);
  }

  private static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }
}
