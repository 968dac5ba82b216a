package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.aws.AwsClients;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;

/**
 * The deploy of the story (new ALB, target group, listener, security groups, service, autoscaling on CPU and
 * memory) is killed with SIGKILL right after each of its mutating AWS calls in turn: the proxy in front of
 * moto lets the call through, kills the berth process before it sees the answer, and swallows the answer.
 * A rerun with the same arguments must converge to exactly the state of an uninterrupted run: one ALB, one
 * target group, one listener, one service, one scalable target, one policy per metric, no new task-definition
 * revision.
 */
class InterruptedRunsIT {

  /** Starts berth as a subprocess (so that it can be SIGKILLed), through the proxy. */
  private static Process start(Flow flow, Path out, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", Berth.jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().remove("GITHUB_ACTIONS");
    pb.environment().putAll(flow.env());
    return pb.start();
  }

  @Test
  void deploy_killedAfterEachMutatingCall_rerunConverges() throws Exception {
    List<String> report = new ArrayList<>();
    try (Registry target = Flow.ecrRegistry()) {
      // the uninterrupted run: the state to converge to, and how many mutating calls it makes
      Flow ref = new Flow(target);
      String image = "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo:v1";
      assertEquals(0, ref.inProcess(Map.of(), ref.register(image)).exitCode());
      List<String> mutating;
      try (FaultProxy proxy = FaultProxy.to(ref.moto.endpoint()).rate(0).start()) {
        ref.awsEndpoint = proxy.endpoint();
        Berth.Run run = ref.inProcess(Map.of(), ref.deploy());
        assertEquals(0, run.exitCode(), run.toString());
        mutating = proxy.exchanges().stream().filter(FaultProxy.Exchange::mutating)
            .map(FaultProxy.Exchange::action).toList();
      }
      List<String> expected = ref.snapshot();
      report.add("uninterrupted deploy: " + mutating.size() + " mutating calls: " + mutating);
      assertTrue(mutating.size() >= 8, mutating.toString());

      for (int n = 1; n <= mutating.size(); n++) {
        Flow flow = new Flow(target);
        assertEquals(0, flow.inProcess(Map.of(), flow.register(image)).exitCode());
        AtomicReference<Process> berth = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger();
        AtomicReference<String> killedAfter = new AtomicReference<>();
        int killAt = n;
        Path out = Files.createTempFile("berth-killed", ".log");
        try (FaultProxy proxy = FaultProxy.to(flow.moto.endpoint()).rate(0).hook(ex -> {
          if (ex.mutating() && seen.incrementAndGet() == killAt) {
            killedAfter.set(ex.action() + " (HTTP " + ex.status() + ")");
            Process p = berth.get();
            p.destroyForcibly(); // SIGKILL on Unix
            try {
              p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return true;
          }
          return false;
        }).start()) {
          flow.awsEndpoint = proxy.endpoint();
          Process p;
          synchronized (berth) {
            p = start(flow, out, flow.deploy());
            berth.set(p);
          }
          assertTrue(p.waitFor(3, TimeUnit.MINUTES), "berth did not end");
          assertEquals(137, p.exitValue(), "killed after call " + n + ":\n" + Files.readString(out));
        }
        // the rerun, straight to moto
        flow.awsEndpoint = flow.moto.endpoint();
        Berth.Run rerun = flow.inProcess(Map.of(), flow.deploy());
        assertEquals(0, rerun.exitCode(), "rerun after a kill after " + killedAfter.get() + ":\n" + rerun);
        List<String> state = flow.snapshot();
        assertEquals(String.join("\n", expected), String.join("\n", state),
            "state after a kill after " + killedAfter.get() + " and a rerun");
        assertCounts(flow);
        report.add(String.format("killed after %2d: %-55s rerun exit 0, state = uninterrupted run", n,
            killedAfter.get()));
        Files.deleteIfExists(out);
      }
    }
    System.out.println(String.join("\n", report));
  }

  /** The explicit counts, on top of the state comparison. */
  private static void assertCounts(Flow flow) {
    try (AwsClients aws = flow.aws()) {
      assertEquals(1, aws.elb().describeLoadBalancers().loadBalancers().size(), "load balancers");
      assertEquals(1, aws.elb().describeTargetGroups().targetGroups().size(), "target groups");
      String lb = aws.elb().describeLoadBalancers().loadBalancers().get(0).loadBalancerArn();
      assertEquals(1, aws.elb().describeListeners(b -> b.loadBalancerArn(lb)).listeners().size(), "listeners");
      assertEquals(1, aws.ecs().listServices(b -> b.cluster(Flow.CLUSTER)).serviceArns().size(), "services");
      assertEquals(1, aws.autoscaling().describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS))
          .scalableTargets().size(), "scalable targets");
      var policies = aws.autoscaling().describeScalingPolicies(b -> b.serviceNamespace(ServiceNamespace.ECS))
          .scalingPolicies();
      assertEquals(2, policies.size(), "policies (one per metric: CPU, memory): " + policies);
      assertEquals(1, aws.ecs().listTaskDefinitions(b -> b.familyPrefix(Flow.FAMILY)).taskDefinitionArns().size(),
          "task-definition revisions");
    }
  }
}
