package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.aws.AwsSettings;
import dev.berth.report.BerthException;
import dev.berth.report.Outcome;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.FaultProxy.Fault;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.TestEcr;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The fault proxy in front of moto, driven by berth's own client factory: at a 20% fault rate every call
 * succeeds thanks to the standard retries; at 100% each call fails within the configured timeouts, with a
 * message that names the service and the error, and never hangs.
 */
class FaultProxyIT {
  private final MotoServer moto = MotoServer.shared();

  @BeforeEach
  void reset() {
    moto.reset();
  }

  private AwsClients clients(FaultProxy proxy, Map<String, String> env) {
    AwsSettings s = AwsSettings.defaults().withRegion(MotoServer.REGION).withEndpointUrl(proxy.endpoint());
    return AwsClients.create(s, env);
  }

  /** One call of each protocol family: JSON (ECS, ECR, autoscaling), query (ELBv2), EC2's query dialect. */
  private static final Map<String, Consumer<AwsClients>> CALLS = Map.of(
      "ecs", aws -> aws.ecs().listClusters(),
      "ecr", aws -> TestEcr.of(aws).describeRepositories(),
      "application-autoscaling", aws -> aws.autoscaling().describeScalableTargets(b -> b.serviceNamespace("ecs")),
      "elasticloadbalancing", aws -> aws.elb().describeLoadBalancers(),
      "ec2", aws -> aws.ec2().describeVpcs());

  @Test
  void calls_at20PercentFaults_allSucceedThanksToRetries() {
    try (FaultProxy proxy = FaultProxy.to(moto.endpoint()).rate(0.2)
        .faults(Fault.THROTTLE, Fault.ERROR_500, Fault.ERROR_503, Fault.RESET).seed(7).start();
        AwsClients aws = clients(proxy, Map.of())) {
      for (int i = 0; i < 12; i++) {
        String name = "c" + i;
        aws.ecs().createCluster(b -> b.clusterName(name));
        TestEcr.of(aws).createRepository(b -> b.repositoryName("repo" + name));
        aws.elb().createTargetGroup(b -> b.name("tg" + name).protocol("HTTP").port(80).targetType("ip")
            .vpcId(aws.ec2().describeVpcs().vpcs().get(0).vpcId()));
        CALLS.values().forEach(c -> c.accept(aws));
      }
      assertEquals(12, aws.ecs().listClusters().clusterArns().size());
      assertEquals(12, TestEcr.of(aws).describeRepositories().repositories().size());
      assertEquals(12, aws.elb().describeTargetGroups().targetGroups().size());
      Map<Fault, Integer> injected = proxy.injected();
      assertTrue(proxy.injectedTotal() >= 15, proxy.toString());
      for (Fault f : List.of(Fault.THROTTLE, Fault.ERROR_500, Fault.ERROR_503, Fault.RESET)) {
        assertTrue(injected.get(f) > 0, f + " never injected: " + proxy);
      }
      System.out.println("20% faults: " + proxy);
    }
  }

  @Test
  void throttling_at100Percent_failsFastNamingServiceAndCode() {
    Map<String, String> expectedCode = Map.of("ecs", "ThrottlingException", "ecr", "ThrottlingException",
        "application-autoscaling", "ThrottlingException", "elasticloadbalancing", "Throttling",
        "ec2", "RequestLimitExceeded");
    Map<String, String> env = Map.of("BERTH_AWS_MAX_ATTEMPTS", "3", "BERTH_AWS_CALL_TIMEOUT", "30s");
    try (FaultProxy proxy = FaultProxy.to(moto.endpoint()).rate(1.0).faults(Fault.THROTTLE).start();
        AwsClients aws = clients(proxy, env)) {
      warmUp(aws);
      for (Map.Entry<String, Consumer<AwsClients>> call : CALLS.entrySet()) {
        long t0 = System.nanoTime();
        BerthException e = failure(call.getValue(), aws);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Outcome.FAILED, e.outcome(), e.getMessage());
        assertTrue(e.getMessage().contains(expectedCode.get(call.getKey())), e.getMessage());
        assertTrue(ms < 30_000, call.getKey() + " took " + ms + " ms");
        System.out.println("100% throttling, " + call.getKey() + ": " + ms + " ms: " + e.getMessage());
      }
      // 3 attempts per call, 5 calls
      assertEquals(15, proxy.injected().get(Fault.THROTTLE), proxy.toString());
    }
  }

  @Test
  void serverErrors_at100Percent_failNamingServiceAndCode() {
    Map<String, String> env = Map.of("BERTH_AWS_MAX_ATTEMPTS", "2");
    for (Fault f : List.of(Fault.ERROR_500, Fault.ERROR_503)) {
      try (FaultProxy proxy = FaultProxy.to(moto.endpoint()).rate(1.0).faults(f).start();
          AwsClients aws = clients(proxy, env)) {
        for (Map.Entry<String, Consumer<AwsClients>> call : CALLS.entrySet()) {
          BerthException e = failure(call.getValue(), aws);
          String code = call.getKey().equals("ec2") ? (f == Fault.ERROR_500 ? "InternalError" : "Unavailable")
              : (f == Fault.ERROR_500 ? "InternalFailure" : "ServiceUnavailable");
          assertTrue(e.getMessage().contains(code), e.getMessage());
          assertTrue(e.getMessage().contains("HTTP " + (f == Fault.ERROR_500 ? 500 : 503)), e.getMessage());
        }
        assertEquals(10, proxy.injected().get(f), proxy.toString());
      }
    }
  }

  @Test
  void resets_at100Percent_failNamingTheCall() {
    Map<String, String> env = Map.of("BERTH_AWS_MAX_ATTEMPTS", "2");
    try (FaultProxy proxy = FaultProxy.to(moto.endpoint()).rate(1.0).faults(Fault.RESET).start();
        AwsClients aws = clients(proxy, env)) {
      Map<String, String> action = Map.of("ecs", "ecs:ListClusters", "ecr", "ecr:DescribeRepositories",
          "application-autoscaling", "application-autoscaling:DescribeScalableTargets",
          "elasticloadbalancing", "elasticloadbalancing:DescribeLoadBalancers", "ec2", "ec2:DescribeVpcs");
      for (Map.Entry<String, Consumer<AwsClients>> call : CALLS.entrySet()) {
        BerthException e = failure(call.getValue(), aws);
        assertTrue(e.getMessage().contains(action.get(call.getKey())), e.getMessage());
        System.out.println("100% resets, " + call.getKey() + ": " + e.getMessage());
      }
      assertTrue(proxy.injected().get(Fault.RESET) >= 10, proxy.toString());
    }
  }

  @Test
  void delays_beyondTheAttemptTimeout_timeOutWithinTheCallDeadline() {
    Map<String, String> env = new HashMap<>();
    env.put("BERTH_AWS_ATTEMPT_TIMEOUT", "500ms");
    env.put("BERTH_AWS_CALL_TIMEOUT", "3s");
    try (FaultProxy proxy = FaultProxy.to(moto.endpoint()).rate(1.0).faults(Fault.DELAY)
        .delay(Duration.ofSeconds(20)).start();
        AwsClients aws = clients(proxy, env)) {
      warmUp(aws);
      for (Map.Entry<String, Consumer<AwsClients>> call : CALLS.entrySet()) {
        long t0 = System.nanoTime();
        BerthException e = failure(call.getValue(), aws);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Outcome.TIMED_OUT, e.outcome(), e.getMessage());
        assertTrue(e.getMessage().contains(call.getKey() + ":"), e.getMessage());
        assertTrue(ms < 4_000, call.getKey() + " took " + ms + " ms");
        System.out.println("100% delays, " + call.getKey() + ": " + ms + " ms: " + e.getMessage());
      }
    }
  }

  /** Builds the clients, so that timings measure calls, not class loading. */
  private static void warmUp(AwsClients aws) {
    aws.ecs();
    TestEcr.of(aws);
    aws.autoscaling();
    aws.elb();
    aws.ec2();
  }

  private static BerthException failure(Consumer<AwsClients> call, AwsClients aws) {
    SdkException e = assertThrows(SdkException.class, () -> call.accept(aws));
    return AwsErrors.translate("AWS call", e);
  }
}
