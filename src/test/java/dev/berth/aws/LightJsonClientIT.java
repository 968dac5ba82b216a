package dev.berth.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.berth.report.Json;
import dev.berth.testbed.MotoServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.CreateServiceRequest;
import software.amazon.awssdk.services.ecs.model.DeploymentLifecycleHook;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;

/**
 * berth's light JSON clients against the SDK's own clients: the same requests sent to moto give equal model
 * objects (timestamps, nested lists and maps included) and equal errors (class, code, message, status, the
 * exception's text); the same request objects are sent as equal JSON bodies; retries, timeouts and the fallback
 * to the SDK behave as the SDK's do.
 */
class LightJsonClientIT {
  final MotoServer moto = MotoServer.shared();

  @TempDir Path tmp;

  AwsClients clients(Map<String, String> env) {
    Map<String, String> e = new HashMap<>(env);
    e.putIfAbsent("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
    return AwsClients.create(AwsSettings.defaults().withRegion(MotoServer.REGION).withEndpointUrl(moto.endpoint()), e);
  }

  AwsClients sdk() {
    return clients(Map.of("BERTH_AWS_CLIENTS", "sdk"));
  }

  static RegisterTaskDefinitionRequest definition(String family) {
    return RegisterTaskDefinitionRequest.builder()
        .family(family)
        .networkMode(NetworkMode.AWSVPC)
        .requiresCompatibilitiesWithStrings("FARGATE")
        .cpu("256").memory("512")
        .executionRoleArn("arn:aws:iam::" + MotoServer.ACCOUNT + ":role/ecsTaskExecutionRole")
        .containerDefinitions(ContainerDefinition.builder()
            .name("app").image("public.ecr.aws/nginx/nginx@sha256:" + "a".repeat(64)).memory(512).essential(true)
            .portMappings(PortMapping.builder().containerPort(80).protocol("tcp").build())
            .environment(KeyValuePair.builder().name("MODE").value("prod").build())
            .dockerLabels(Map.of("team", "exports", "tier", "web"))
            .command("serve", "--port", "80")
            .build())
        .tags(Tag.builder().key("owner").value("berth").build())
        .build();
  }

  @Test
  void clients_whenTheConfigurationIsPlain_areTheLightOnes_andBerthAwsClientsSdkKeepsTheSdks() {
    try (AwsClients light = clients(Map.of()); AwsClients sdk = sdk()) {
      assertInstanceOf(LightEcsClient.class, light.ecs());
      assertInstanceOf(LightApplicationAutoScalingClient.class, light.autoscaling());
      assertFalse(sdk.ecs() instanceof LightEcsClient);
      assertFalse(sdk.autoscaling() instanceof LightApplicationAutoScalingClient);
    }
  }

  @Test
  void clients_whenTheSharedConfigSetsEndpointsOrAProxyWantsALogin_areTheSdks() throws IOException {
    Path config = tmp.resolve("config");
    Files.writeString(config, "[default]\nregion = us-east-2\nendpoint_url = http://127.0.0.1:9\n");
    try (AwsClients aws = clients(Map.of("AWS_CONFIG_FILE", config.toString()))) {
      assertFalse(aws.ecs() instanceof LightEcsClient, "endpoint_url in the config file");
    }
    Files.writeString(config, "[profile ci]\nregion = us-east-2\n[services s]\necs =\n  endpoint_url = http://x\n");
    try (AwsClients aws = clients(Map.of("AWS_CONFIG_FILE", config.toString()))) {
      assertFalse(aws.ecs() instanceof LightEcsClient, "a services section");
    }
    try (AwsClients aws = clients(Map.of("HTTP_PROXY", "http://deploy:L1ghtPr0xyL0gin@127.0.0.1:9"))) {
      assertFalse(aws.ecs() instanceof LightEcsClient, "a proxy login");
    }
    try (AwsClients aws = clients(Map.of("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))) {
      assertFalse(aws.ecs() instanceof LightEcsClient);
    }
    Files.writeString(config, "[default]\nregion = us-east-2\noutput = json\n");
    try (AwsClients aws = clients(Map.of("AWS_CONFIG_FILE", config.toString()))) {
      assertInstanceOf(LightEcsClient.class, aws.ecs(), "a config file with nothing about endpoints");
    }
  }

  @Test
  void answers_ofTheLightClient_equalTheSdkClients() {
    String name = "light-" + UUID.randomUUID().toString().substring(0, 8);
    try (AwsClients light = clients(Map.of()); AwsClients sdk = sdk()) {
      EcsClient l = light.ecs();
      EcsClient s = sdk.ecs();
      assertEquals(name, l.createCluster(b -> b.clusterName(name)).cluster().clusterName());
      assertSameMembers(s.describeClusters(b -> b.clusters(name)), l.describeClusters(b -> b.clusters(name)));

      String arn = l.registerTaskDefinition(definition(name)).taskDefinition().taskDefinitionArn();
      DescribeTaskDefinitionResponse viaSdk = s.describeTaskDefinition(b -> b.taskDefinition(arn)
          .include(TaskDefinitionField.TAGS));
      DescribeTaskDefinitionResponse viaLight = l.describeTaskDefinition(b -> b.taskDefinition(arn)
          .include(TaskDefinitionField.TAGS));
      assertSameMembers(viaSdk, viaLight);
      assertEquals(Map.of("team", "exports", "tier", "web"),
          viaLight.taskDefinition().containerDefinitions().get(0).dockerLabels());
      assertEquals(List.of(Tag.builder().key("owner").value("berth").build()), viaLight.tags());

      String subnet = moto.clients().ec2().describeSubnets().subnets().get(0).subnetId();
      l.createService(b -> b.cluster(name).serviceName(name).taskDefinition(arn).desiredCount(1)
          .launchType("FARGATE").networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnet)
              .securityGroups(moto.clients().ec2().describeSecurityGroups().securityGroups().get(0).groupId()))));
      DescribeServicesResponse services = l.describeServices(b -> b.cluster(name).services(name));
      assertSameMembers(s.describeServices(b -> b.cluster(name).services(name)), services);
      assertEquals(1, services.services().get(0).desiredCount());
      assertFalse(services.services().get(0).deployments().isEmpty(), "nested lists read");
      assertNotNull(services.services().get(0).deployments().get(0).createdAt(), "a timestamp read");

      l.updateService(b -> b.cluster(name).service(name).desiredCount(2));
      assertEquals(2, s.describeServices(b -> b.cluster(name).services(name)).services().get(0).desiredCount());
      // a paginator (the interface's default method) through the light client's operation
      List<String> viaPaginator = new ArrayList<>();
      l.listServicesPaginator(b -> b.cluster(name)).serviceArns().forEach(viaPaginator::add);
      assertEquals(s.listServices(b -> b.cluster(name)).serviceArns(), viaPaginator);
      assertEquals(List.of("ecs:CreateCluster", "ecs:DescribeClusters", "ecs:RegisterTaskDefinition",
          "ecs:DescribeTaskDefinition", "ecs:CreateService", "ecs:DescribeServices", "ecs:UpdateService",
          "ecs:ListServices"), light.calls(), "every light call in the call log");

      ApplicationAutoScalingClient la = light.autoscaling();
      String resource = "service/" + name + "/" + name;
      la.registerScalableTarget(b -> b.serviceNamespace(ServiceNamespace.ECS).resourceId(resource)
          .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).minCapacity(1).maxCapacity(4));
      var targets = la.describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS).resourceIds(resource));
      assertSameMembers(sdk.autoscaling().describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS)
          .resourceIds(resource)), targets);
      assertEquals(4, targets.scalableTargets().get(0).maxCapacity());
      assertNotNull(targets.scalableTargets().get(0).creationTime());
    }
  }

  /** Equal members (a response's own equals also compares its HTTP response, whose request ids differ). */
  static void assertSameMembers(software.amazon.awssdk.core.SdkResponse expected,
      software.amazon.awssdk.core.SdkResponse actual) {
    assertTrue(expected.equalsBySdkFields(actual), "expected " + expected + "\nbut was " + actual);
    assertEquals(expected.toString(), actual.toString());
  }

  @Test
  void errors_ofTheLightClient_equalTheSdkClients() {
    try (AwsClients light = clients(Map.of()); AwsClients sdk = sdk()) {
      List<Function<EcsClient, Object>> calls = List.of(
          c -> c.updateService(b -> b.cluster("no-such-cluster-" + UUID.randomUUID()).service("x").desiredCount(1)),
          c -> c.describeTaskDefinition(b -> b.taskDefinition("no-such-family-light:1")),
          c -> c.createService(b -> b.serviceName("x").taskDefinition("no-such-family-light:1")
              .cluster("no-such-cluster-light")));
      for (Function<EcsClient, Object> call : calls) {
        AwsServiceException viaSdk = assertThrows(AwsServiceException.class, () -> call.apply(sdk.ecs()));
        AwsServiceException viaLight = assertThrows(AwsServiceException.class, () -> call.apply(light.ecs()));
        assertEquals(viaSdk.getClass(), viaLight.getClass());
        assertEquals(viaSdk.statusCode(), viaLight.statusCode());
        assertEquals(viaSdk.awsErrorDetails().errorCode(), viaLight.awsErrorDetails().errorCode());
        assertEquals(viaSdk.awsErrorDetails().errorMessage(), viaLight.awsErrorDetails().errorMessage());
        assertEquals(viaSdk.awsErrorDetails().serviceName(), viaLight.awsErrorDetails().serviceName());
        assertEquals(viaSdk.getMessage().replaceAll("Request ID: [^,)]*", "Request ID: x"),
            viaLight.getMessage().replaceAll("Request ID: [^,)]*", "Request ID: x"));
        assertEquals(AwsErrors.translate("ECS call", viaSdk).getMessage(),
            AwsErrors.translate("ECS call", viaLight).getMessage());
        assertEquals(AwsErrors.translate("ECS call", viaSdk).outcome(),
            AwsErrors.translate("ECS call", viaLight).outcome());
      }
      assertInstanceOf(ClusterNotFoundException.class, assertThrows(AwsServiceException.class,
          () -> calls.get(0).apply(light.ecs())), "the modelled exception by its code");
      var viaSdk = assertThrows(AwsServiceException.class, () -> sdk.autoscaling().describeScalableTargets(
          b -> b.serviceNamespace("no-such-namespace")));
      var viaLight = assertThrows(AwsServiceException.class, () -> light.autoscaling().describeScalableTargets(
          b -> b.serviceNamespace("no-such-namespace")));
      assertEquals(viaSdk.getClass(), viaLight.getClass());
      assertEquals(viaSdk.awsErrorDetails().errorCode(), viaLight.awsErrorDetails().errorCode());
      assertEquals(viaSdk.awsErrorDetails().errorMessage(), viaLight.awsErrorDetails().errorMessage());
    }
  }

  /** A loopback server that records every request's body and answers with the next scripted status and body. */
  static final class Recorder implements AutoCloseable {
    final HttpServer server;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
    final List<Object[]> script = new CopyOnWriteArrayList<>();
    final AtomicInteger served = new AtomicInteger();

    Recorder() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", x -> {
        bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        headers.add(Map.copyOf(x.getRequestHeaders()));
        int n = served.getAndIncrement();
        Object[] answer = n < script.size() ? script.get(n) : new Object[] {200, "{}"};
        if ((Integer) answer[0] == 0) {
          try {
            Thread.sleep(3000); // no answer within the attempt timeout
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer = new Object[] {200, "{}"};
        }
        byte[] b = ((String) answer[1]).getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        x.getResponseHeaders().add("x-amzn-RequestId", "req-" + n);
        x.sendResponseHeaders((Integer) answer[0], b.length);
        try (OutputStream out = x.getResponseBody()) {
          out.write(b);
        }
      });
      server.start();
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  AwsClients at(URI endpoint, Map<String, String> env) {
    Map<String, String> e = new HashMap<>(env);
    e.putIfAbsent("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
    return AwsClients.create(AwsSettings.defaults().withRegion(MotoServer.REGION).withEndpointUrl(endpoint), e);
  }

  @Test
  void requests_ofTheLightClient_areTheSdkClientsJson() throws Exception {
    CreateServiceRequest create = CreateServiceRequest.builder()
        .cluster("c").serviceName("s").taskDefinition("f:1").desiredCount(2).clientToken("token-1")
        .enableExecuteCommand(false).healthCheckGracePeriodSeconds(60)
        .deploymentConfiguration(d -> d.maximumPercent(200).minimumHealthyPercent(100)
            .deploymentCircuitBreaker(c -> c.enable(true).rollback(true))
            .lifecycleHooks(DeploymentLifecycleHook.builder().hookTargetArn("arn:aws:lambda:us-east-2:1:function:f")
                .roleArn("arn:aws:iam::1:role/r").lifecycleStagesWithStrings("PRE_SCALE_UP")
                .hookDetails(Document.mapBuilder().putString("a", "b").putNumber("n", SdkNumber.fromString("1.50"))
                    .putBoolean("t", true).putNull("z").putList("l", l -> l.addNumber(1).addString("x")).build())
                .build()))
        .tags(Tag.builder().key("k").value("v").build())
        .build();
    List<Function<EcsClient, Object>> calls = List.of(
        c -> c.createService(create),
        c -> c.registerTaskDefinition(definition("fam")),
        c -> c.listServices(b -> b.cluster("c").maxResults(10)),
        // no clientToken given: neither client makes one up (ECS's model has no idempotency default)
        c -> c.createService(b -> b.cluster("c").serviceName("s").taskDefinition("f:1")),
        c -> c.describeServices(b -> b.cluster("c").services("a", "b").include(List.of())));
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of());
        AwsClients sdk = at(r.endpoint(), Map.of("BERTH_AWS_CLIENTS", "sdk"))) {
      for (Function<EcsClient, Object> call : calls) {
        call.apply(sdk.ecs());
        call.apply(light.ecs());
      }
      for (int i = 0; i < calls.size(); i++) {
        JsonNode viaSdk = Json.mapper().readTree(r.bodies.get(2 * i));
        JsonNode viaLight = Json.mapper().readTree(r.bodies.get(2 * i + 1));
        assertEquals(viaSdk, viaLight, "request " + i);
        assertEquals(r.headers.get(2 * i).get("X-amz-target"), r.headers.get(2 * i + 1).get("X-amz-target"));
        assertEquals(r.headers.get(2 * i).get("Content-type"), r.headers.get(2 * i + 1).get("Content-type"));
      }
      assertTrue(r.bodies.get(1).contains("\"hookDetails\":{\"a\":\"b\",\"n\":1.50"), r.bodies.get(1));
      String auth = r.headers.get(1).get("Authorization").get(0);
      assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=testing/") && auth.contains("/us-east-2/ecs/aws4_request"),
          auth);
    }
  }

  @Test
  void retries_whenThrottledOrA5xx_thenAnswer_asTheSdkDoes() throws Exception {
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of("BERTH_AWS_MAX_ATTEMPTS", "3"))) {
      r.script.add(new Object[] {400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"});
      r.script.add(new Object[] {503, "{\"__type\":\"ServerException\",\"message\":\"busy\"}"});
      r.script.add(new Object[] {200, "{\"clusterArns\":[\"arn:aws:ecs:us-east-2:1:cluster/c\"]}"});
      assertEquals(List.of("arn:aws:ecs:us-east-2:1:cluster/c"), light.ecs().listClusters().clusterArns());
      assertEquals(3, r.served.get());
      assertEquals(List.of("ecs:ListClusters"), light.calls(), "one call in the log, however many attempts");
    }
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of("BERTH_AWS_MAX_ATTEMPTS", "2"))) {
      for (int i = 0; i < 2; i++) {
        r.script.add(new Object[] {400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"});
      }
      AwsServiceException e = assertThrows(AwsServiceException.class, () -> light.ecs().listClusters());
      assertEquals("ThrottlingException", e.awsErrorDetails().errorCode());
      assertEquals(2, r.served.get(), "as many attempts as configured");
    }
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of())) {
      r.script.add(new Object[] {400, "{\"__type\":\"InvalidParameterException\",\"message\":\"bad\"}"});
      assertThrows(software.amazon.awssdk.services.ecs.model.InvalidParameterException.class,
          () -> light.ecs().listClusters());
      assertEquals(1, r.served.get(), "a client error is not retried");
    }
  }

  @Test
  void permissionRefusal_withoutTheActionInItsMessage_namesTheIamAction() throws Exception {
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of())) {
      r.script.add(new Object[] {400, "{\"__type\":\"AccessDeniedException\",\"message\":\"not allowed\"}"});
      AwsServiceException e = assertThrows(AwsServiceException.class,
          () -> light.ecs().updateService(b -> b.cluster("c").service("s").desiredCount(1)));
      assertTrue(e.awsErrorDetails().errorMessage().contains("ecs:UpdateService"), e.awsErrorDetails().errorMessage());
      assertEquals(dev.berth.report.Outcome.ACCESS, AwsErrors.translate("ECS UpdateService", e).outcome());
    }
  }

  @Test
  void attempts_thatGetNoAnswerInTime_endInTheSdksTimeoutException() throws Exception {
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of("BERTH_AWS_MAX_ATTEMPTS", "2",
        "BERTH_AWS_ATTEMPT_TIMEOUT", "300ms"))) {
      r.script.add(new Object[] {0, ""});
      r.script.add(new Object[] {0, ""});
      SdkException e = assertThrows(SdkException.class, () -> light.ecs().listClusters());
      assertInstanceOf(ApiCallAttemptTimeoutException.class, e);
      assertEquals(dev.berth.report.Outcome.TIMED_OUT, AwsErrors.translate("ECS ListClusters", e).outcome());
    }
  }

  @Test
  void unreachableEndpoint_failsAfterItsAttempts_namingTheAction() {
    try (AwsClients light = at(URI.create("http://127.0.0.1:9"), Map.of("BERTH_AWS_MAX_ATTEMPTS", "2"))) {
      SdkClientException e = assertThrows(SdkClientException.class, () -> light.ecs().listClusters());
      assertTrue(e.getMessage().startsWith("ecs:ListClusters: Unable to execute HTTP request"), e.getMessage());
      assertEquals(dev.berth.report.Outcome.ACCESS, AwsErrors.translate("ECS ListClusters", e).outcome());
    }
  }

  @Test
  void timestamps_inARequest_areWrittenAsTheSdkWritesThem() throws Exception {
    var request = software.amazon.awssdk.services.ecs.model.ListServiceDeploymentsRequest.builder()
        .service("s").createdAt(c -> c.after(Instant.parse("2026-12-03T10:00:00.123Z"))
            .before(Instant.parse("2026-12-03T11:00:00Z"))).build();
    try (Recorder r = new Recorder(); AwsClients light = at(r.endpoint(), Map.of());
        AwsClients sdk = at(r.endpoint(), Map.of("BERTH_AWS_CLIENTS", "sdk"))) {
      sdk.ecs().listServiceDeployments(request);
      light.ecs().listServiceDeployments(request);
      assertEquals(Json.mapper().readTree(r.bodies.get(0)), Json.mapper().readTree(r.bodies.get(1)));
      String seconds = Instant.parse("2026-12-03T10:00:00.123Z").getEpochSecond() + ".123";
      assertTrue(r.bodies.get(1).contains(seconds), seconds + " in " + r.bodies.get(1));
    }
  }
}
