package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.FaultProxy.Fault;
import dev.berth.testbed.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The five-step flow of the story through the fault proxy, in front of moto and in front of the registry: at
 * a 20% fault rate (throttling, 500, 503, connection resets; and cut uploads on the registry side) it ends in
 * exactly the state of a fault-free run; at 100% each step fails within its timeout with a message that names
 * the service and the error.
 */
class TransientFaultsIT {

  /** The five steps; returns what each printed, for the report. */
  private static List<String> flow(Flow f) {
    List<String> out = new ArrayList<>();
    JsonNode pushed = ok(f.inProcess(Map.of(), f.push("1.0", "v1")), out);
    ok(f.inProcess(Map.of(), f.register(pushed.get("image").asText())), out);
    ok(f.inProcess(Map.of(), f.deploy()), out);
    ok(f.inProcess(Map.of(), f.scale(3)), out);
    ok(f.inProcess(Map.of(), f.redeploy()), out);
    return out;
  }

  private static JsonNode ok(Berth.Run run, List<String> out) {
    assertEquals(0, run.exitCode(), run.toString());
    out.add(run.json().toString());
    return run.json();
  }

  @Test
  void flow_at20PercentFaults_endsInTheStateOfAFaultFreeRun() {
    List<String> expected;
    try (Registry target = Flow.ecrRegistry()) {
      Flow clean = new Flow(target);
      long t0 = System.nanoTime();
      flow(clean);
      long cleanMs = (System.nanoTime() - t0) / 1_000_000;
      expected = clean.snapshot();
      System.out.println("fault-free flow: " + cleanMs + " ms");
    }
    // three seeds: three different sequences of faults
    int awsFaults = 0;
    int registryFaults = 0;
    for (long seed : new long[] {20, 21, 22}) {
      try (Registry target = Flow.ecrRegistry()) {
        Flow faulty = new Flow(target);
        try (FaultProxy aws = FaultProxy.to(faulty.moto.endpoint()).rate(0.2)
            .faults(Fault.THROTTLE, Fault.ERROR_500, Fault.ERROR_503, Fault.RESET).seed(seed).start();
            FaultProxy registry = FaultProxy.to(target.url()).rate(0.2)
                .faults(Fault.THROTTLE, Fault.ERROR_500, Fault.ERROR_503, Fault.RESET, Fault.CUT).seed(seed + 100)
                .start()) {
          faulty.awsEndpoint = aws.endpoint();
          faulty.registryEndpoint = registry.endpoint();
          long t0 = System.nanoTime();
          flow(faulty);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          faulty.awsEndpoint = faulty.moto.endpoint();
          List<String> state = faulty.snapshot();
          System.out.println("20% faults, seed " + seed + ": flow " + ms + " ms\n  AWS: " + aws + "\n  registry: "
              + registry);
          awsFaults += aws.injectedTotal();
          registryFaults += registry.injectedTotal();
          assertEquals(String.join("\n", expected), String.join("\n", state), "seed " + seed);
        }
      }
    }
    assertTrue(awsFaults >= 15, "AWS faults injected: " + awsFaults);
    assertTrue(registryFaults >= 3, "registry faults injected: " + registryFaults);
  }

  @Test
  void flow_withLostAnswers_endsInTheStateOfAFaultFreeRun() {
    // the nasty fault: the call is carried out, its answer lost, the SDK retries (creates meet "already exists")
    List<String> expected;
    try (Registry target = Flow.ecrRegistry()) {
      Flow clean = new Flow(target);
      flow(clean);
      expected = clean.snapshot();
    }
    try (Registry target = Flow.ecrRegistry()) {
      Flow faulty = new Flow(target);
      try (FaultProxy aws = FaultProxy.to(faulty.moto.endpoint()).rate(0.1).faults(Fault.LOST_ANSWER)
          .only(FaultProxy.Exchange::mutating).seed(5).start()) {
        faulty.awsEndpoint = aws.endpoint();
        flow(faulty);
        faulty.awsEndpoint = faulty.moto.endpoint();
        System.out.println("lost answers: " + aws);
        assertEquals(String.join("\n", expected), String.join("\n", faulty.snapshot()));
      }
    }
  }

  @Test
  void eachStep_at100PercentFaults_failsWithinItsTimeoutNamingServiceAndError() {
    List<String> report = new ArrayList<>();
    try (Registry target = Flow.ecrRegistry()) {
      Flow f = new Flow(target);
      // the state the later steps need, made without faults
      JsonNode pushed = f.inProcess(Map.of(), f.push("1.0", "v1")).json();
      String image = pushed.get("image").asText();
      assertEquals(0, f.inProcess(Map.of(), f.register(image)).exitCode());
      assertEquals(0, f.inProcess(Map.of(), f.deploy()).exitCode());
      List<String> before = f.snapshot();
      Map<String, String> env = Map.of("BERTH_AWS_CALL_TIMEOUT", "60s");
      List<Function<Flow, String[]>> steps = List.of(
          x -> x.push("2.0", "v2"), x -> Flow.with(x.register(image), "--cpu", "2048"), x -> x.deploy(),
          x -> x.scale(2), x -> x.redeploy());
      for (Fault fault : List.of(Fault.THROTTLE, Fault.ERROR_503, Fault.RESET)) {
        try (FaultProxy aws = FaultProxy.to(f.moto.endpoint()).rate(1.0).faults(fault).start()) {
          f.awsEndpoint = aws.endpoint();
          for (Function<Flow, String[]> step : steps) {
            String[] args = step.apply(f);
            long t0 = System.nanoTime();
            Berth.Run run = f.inProcess(env, args);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String error = run.json().path("error").asText();
            report.add(String.format("%-10s %-18s exit %d in %5d ms: %s", fault, args[0], run.exitCode(), ms,
                error));
            assertNotEquals(0, run.exitCode(), run.toString());
            assertTrue(ms < 70_000, args[0] + " took " + ms + " ms");
            String expectedText = switch (fault) {
              case THROTTLE -> "Throttling";
              case ERROR_503 -> "ServiceUnavailable";
              default -> "Connection reset";
            };
            assertTrue(error.contains(expectedText), args[0] + ": " + error);
            assertTrue(error.matches("(?s).*(ECS|ECR|ecs:|ecr:|Ecs|Ecr|logs:|Logs|CloudWatch|elasticloadbalancing|"
                + "application-autoscaling|ec2:|EC2).*"), args[0] + " names no service: " + error);
          }
        }
      }
      f.awsEndpoint = f.moto.endpoint();
      // the registry down: ecr-push fails naming the registry and the status
      try (FaultProxy registry = FaultProxy.to(target.url()).rate(1.0).faults(Fault.ERROR_503).start()) {
        f.registryEndpoint = registry.endpoint();
        long t0 = System.nanoTime();
        Berth.Run run = f.inProcess(env, f.push("2.0", "v2"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String error = run.json().path("error").asText();
        report.add(String.format("%-10s %-18s exit %d in %5d ms: %s", "REG 503", "ecr-push", run.exitCode(), ms,
            error));
        assertNotEquals(0, run.exitCode(), run.toString());
        assertTrue(error.contains("503"), error);
        assertTrue(ms < 120_000, "ecr-push took " + ms + " ms");
      }
      assertEquals(String.join("\n", before), String.join("\n", f.snapshot()), "failed steps changed something");
    }
    System.out.println(String.join("\n", report));
  }

  @Test
  void eachStep_whenAwsStopsAnswering_timesOutWithinTheCallDeadline() {
    List<String> report = new ArrayList<>();
    try (Registry target = Flow.ecrRegistry()) {
      Flow f = new Flow(target);
      JsonNode pushed = f.inProcess(Map.of(), f.push("1.0", "v1")).json();
      String image = pushed.get("image").asText();
      assertEquals(0, f.inProcess(Map.of(), f.register(image)).exitCode());
      assertEquals(0, f.inProcess(Map.of(), f.deploy()).exitCode());
      // every answer comes 5 minutes late; an attempt may take 1 s, a call (with its retries) 4 s
      Map<String, String> env = Map.of("BERTH_AWS_ATTEMPT_TIMEOUT", "1s", "BERTH_AWS_CALL_TIMEOUT", "4s");
      List<Function<Flow, String[]>> steps = List.of(
          x -> x.push("2.0", "v2"), x -> Flow.with(x.register(image), "--cpu", "2048"), x -> x.deploy(),
          x -> x.scale(2), x -> x.redeploy());
      try (FaultProxy aws = FaultProxy.to(f.moto.endpoint()).rate(1.0).faults(Fault.DELAY)
          .delay(java.time.Duration.ofMinutes(5)).start()) {
        f.awsEndpoint = aws.endpoint();
        for (Function<Flow, String[]> step : steps) {
          String[] args = step.apply(f);
          long t0 = System.nanoTime();
          Berth.Run run = f.inProcess(env, args);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          String error = run.json().path("error").asText();
          report.add(String.format("DELAY 5m   %-18s exit %d in %5d ms: %s", args[0], run.exitCode(), ms, error));
          assertEquals(5, run.exitCode(), run.toString());
          assertTrue(ms < 10_000, args[0] + " took " + ms + " ms");
          assertTrue(error.contains("timed out"), error);
          assertTrue(error.matches("(?s).*(ecs:|ecr:|ECR |logs:|elasticloadbalancing:|application-autoscaling:|ec2:).*"),
              args[0] + " names no call: " + error);
        }
      }
    }
    System.out.println(String.join("\n", report));
  }
}
