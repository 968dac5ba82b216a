package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.berth.testbed.Berth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code berth ecs-deploy-service} end to end in this JVM against a loopback stand-in that answers the ECS
 * JSON protocol as ECS would for an update to revision 7: the recorded DescribeServices sequences of
 * src/test/resources/rollout/ follow the UpdateService. Checks the exit code each verdict maps to, the result
 * JSON (verdict, deployment, reasons) and the reasons printed, and the command's option parsing.
 */
class EcsDeployServiceCommandTest {
  static final String TD6 = "arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-exporter-ecs-task:6";
  static final String TD7 = "arn:aws:ecs:us-east-2:123456789012:task-definition/gantt-exporter-ecs-task:7";
  static final String OURS = "ecs-svc/4316790512349875123";
  static final ObjectMapper MAPPER = new ObjectMapper();
  HttpServer server;
  final List<String> operations = new ArrayList<>();
  final List<JsonNode> updates = new ArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** An ECS endpoint: the service before the update, then the recording's DescribeServices sequence. */
  String ecs(String recording) throws IOException {
    JsonNode rec;
    try (InputStream in = getClass().getResourceAsStream("/rollout/" + recording + ".json")) {
      rec = MAPPER.readTree(in);
    }
    List<JsonNode> polls = new ArrayList<>();
    rec.get("describeServices").forEach(n -> polls.add(withoutLoadBalancers(n)));
    ObjectNode before = polls.get(0).deepCopy();
    ObjectNode svc = (ObjectNode) before.get("services").get(0);
    svc.put("taskDefinition", TD6);
    ArrayNode deployments = svc.putArray("deployments");
    polls.get(0).get("services").get(0).get("deployments").forEach(d -> {
      if (!OURS.equals(d.get("id").asText())) {
        ObjectNode old = d.deepCopy();
        old.put("status", "PRIMARY");
        deployments.add(old);
      }
    });
    if (deployments.isEmpty()) {
      ObjectNode old = polls.get(0).get("services").get(0).get("deployments").get(0).deepCopy();
      old.put("id", "ecs-svc/1111111111111111111").put("taskDefinition", TD6).put("rolloutState", "COMPLETED");
      deployments.add(old);
    }
    int[] describes = {0};
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String op = target == null ? "?" : target.substring(target.indexOf('.') + 1);
      byte[] request = exchange.getRequestBody().readAllBytes();
      synchronized (operations) {
        operations.add(op);
        if (op.equals("UpdateService")) {
          updates.add(MAPPER.readTree(request));
        }
      }
      JsonNode body = switch (op) {
        case "DescribeTaskDefinition" -> taskDefinition();
        case "DescribeClusters" -> MAPPER.readTree("{\"clusters\":[{\"clusterArn\":\"arn:aws:ecs:us-east-2:"
            + "123456789012:cluster/shop\",\"clusterName\":\"shop\",\"status\":\"ACTIVE\",\"settings\":[],"
            + "\"capacityProviders\":[]}],\"failures\":[]}");
        case "DescribeServices" -> describes[0]++ == 0 ? before
            : polls.get(Math.min(describes[0] - 2, polls.size() - 1));
        case "UpdateService" -> JsonNodeFactory.instance.objectNode().set("service", polls.get(0).get("services").get(0));
        case "ListTasks" -> rec.has("listTasks") ? rec.get("listTasks") : MAPPER.readTree("{\"taskArns\":[]}");
        case "DescribeTasks" -> rec.get("describeTasks");
        case "DescribeScalableTargets" -> MAPPER.readTree("{\"ScalableTargets\":[]}");
        default -> null;
      };
      byte[] bytes;
      int status = 200;
      if (body == null) {
        status = 400;
        bytes = ("{\"__type\":\"InvalidParameterException\",\"message\":\"stand-in does not answer " + op + "\"}")
            .getBytes(StandardCharsets.UTF_8);
      } else {
        bytes = MAPPER.writeValueAsBytes(epochSeconds(body.deepCopy()));
      }
      exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static JsonNode taskDefinition() throws IOException {
    return MAPPER.readTree("{\"taskDefinition\":{\"taskDefinitionArn\":\"" + TD7 + "\",\"family\":"
        + "\"gantt-exporter-ecs-task\",\"revision\":7,\"status\":\"ACTIVE\",\"networkMode\":\"awsvpc\","
        + "\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"1024\",\"memory\":\"2048\",\"containerDefinitions\":"
        + "[{\"name\":\"gantt-exporter-container\",\"image\":\"node\",\"portMappings\":[{\"containerPort\":80}]}]}}");
  }

  static JsonNode withoutLoadBalancers(JsonNode response) {
    ObjectNode copy = response.deepCopy();
    copy.get("services").forEach(s -> ((ObjectNode) s).putArray("loadBalancers"));
    return copy;
  }

  /** The JSON protocol sends timestamps as epoch seconds; the recordings hold ISO-8601 strings. */
  static JsonNode epochSeconds(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (v.isTextual() && v.asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")) {
          o.put(e.getKey(), Instant.parse(v.asText()).getEpochSecond());
        } else {
          epochSeconds(v);
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(EcsDeployServiceCommandTest::epochSeconds);
    }
    return node;
  }

  Berth.Run deploy(String endpoint, String... extra) {
    List<String> args = new ArrayList<>(List.of("ecs-deploy-service", "--cluster", "shop", "--service",
        "gantt-exporter", "--task-definition", "gantt-exporter-ecs-task:7", "--region", "us-east-2",
        "--endpoint-url", endpoint));
    args.addAll(List.of(extra));
    return Berth.inProcess(Map.of("BERTH_ROLLOUT_POLL_INTERVAL", "20ms"), args.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0} -> {1}, exit {2}")
  @CsvSource({
      "pull, FAILED, 1, CannotPullContainerError",
      "secret, FAILED, 1, ResourceInitializationError",
      "rollback, ROLLED_BACK, 1, rolled back to task definition gantt-exporter-ecs-task:6",
      "superseded, SUPERSEDED, 1, replaced deployment " + OURS,
      "success, COMPLETED, 0, ''",
  })
  void deploy_exitCodeAndResult_followTheVerdict(String recording, String verdict, int exit, String reason)
      throws IOException {
    Berth.Run run = deploy(ecs(recording));
    assertEquals(exit, run.exitCode(), run.toString());
    JsonNode r = run.json();
    assertEquals(verdict, r.path("verdict").asText(), run.toString());
    assertEquals(exit == 0, r.path("ok").asBoolean());
    assertEquals(OURS, r.path("deploymentId").asText());
    assertEquals(TD7, r.path("taskDefinitionArn").asText());
    // the pull recording's service has the circuit breaker without rollback: no flag asked for another one, so
    // its deployment configuration is left as it is
    assertEquals("[\"taskDefinition\"]", r.path("changed").toString());
    assertFalse(r.path("created").asBoolean());
    if (exit != 0) {
      assertEquals("FAILED", r.path("outcome").asText());
      assertTrue(r.path("reasons").toString().contains(reason), r.toString());
      assertTrue(r.path("error").asText().startsWith("service gantt-exporter: rollout of deployment " + OURS + " "
          + verdict), r.path("error").asText());
      assertTrue(run.stderr().contains("WARNING: rollout " + verdict), run.stderr());
      assertTrue(run.stderr().contains(reason), run.stderr());
    } else {
      assertTrue(r.path("reasons").isMissingNode(), r.toString());
      assertTrue(run.stderr().contains("rollout COMPLETED"), run.stderr());
    }
    assertEquals(1, operations.stream().filter("UpdateService"::equals).count(), operations.toString());
  }

  @Test
  void deploy_update_sendsOnlyWhatDiffers() throws IOException {
    Berth.Run run = deploy(ecs("success"),
        "--min-healthy-percent", "100", "--max-percent", "200", "--no-enable-execute-command", "--desired-count", "4");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(1, updates.size());
    JsonNode u = updates.get(0);
    List<String> fields = new ArrayList<>();
    u.fieldNames().forEachRemaining(fields::add);
    // 100/200 %, circuit breaker with rollback and no execute-command are what the service has
    assertEquals(List.of("cluster", "desiredCount", "service", "taskDefinition"), fields.stream().sorted().toList(),
        u.toString());
    assertEquals(4, u.get("desiredCount").asInt());
    assertEquals(TD7, u.get("taskDefinition").asText());
    assertEquals("[\"taskDefinition\",\"desiredCount\"]", run.json().path("changed").toString());
  }

  @Test
  void deploy_update_whenBreakerDiffersAndNoFlagAsks_leavesDeploymentConfiguration_andCountsCompareByValue()
      throws IOException {
    // the pull recording's service runs the breaker without rollback; a desired count of 200 is an Integer
    // outside the JVM's small-value cache, so a reference comparison would call it changed on every run
    Berth.Run run = deploy(ecs("pull"), "--desired-count", "200");
    JsonNode u = updates.get(0);
    assertTrue(u.path("deploymentConfiguration").isMissingNode(), u.toString());
    assertEquals(200, u.get("desiredCount").asInt(), u.toString());
    assertEquals("[\"taskDefinition\",\"desiredCount\"]", run.json().path("changed").toString(), run.toString());
  }

  @Test
  void deploy_update_whenCircuitBreakerFlagGiven_turnsRollbackOnAndKeepsTheRest() throws IOException {
    Berth.Run run = deploy(ecs("pull"), "--circuit-breaker");
    JsonNode dc = updates.get(0).path("deploymentConfiguration");
    assertEquals("{\"enable\":true,\"rollback\":true}", dc.path("deploymentCircuitBreaker").toString(), dc.toString());
    assertEquals("[\"taskDefinition\",\"deploymentConfiguration\"]", run.json().path("changed").toString(),
        run.toString());
  }

  @Test
  void deploy_whenTheTimeoutPasses_exits5WithVerdictTimedOut() throws IOException {
    Berth.Run run = deploy(ecs("timeout"), "--timeout", "300ms");
    assertEquals(ExitCodes.TIMED_OUT, run.exitCode(), run.toString());
    assertEquals("TIMED_OUT", run.json().path("verdict").asText());
    assertEquals("TIMED_OUT", run.json().path("outcome").asText());
    assertEquals(1, run.json().path("runningCount").asInt());
  }

  @Test
  void deploy_withNoWait_returnsAfterTheUpdateWithoutAVerdict() throws IOException {
    Berth.Run run = deploy(ecs("pull"), "--no-wait");
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.json().path("verdict").isMissingNode(), run.stdout());
    assertEquals("IN_PROGRESS", run.json().path("rolloutState").asText());
    assertEquals(OURS, run.json().path("deploymentId").asText());
    assertEquals(List.of("DescribeTaskDefinition", "DescribeClusters", "DescribeServices", "UpdateService"), operations);
  }

  @Test
  void options_badCapacityProviderAndTag_exit3BeforeAnyCall() {
    Berth.Run run = Berth.inProcess(Map.of(), "ecs-deploy-service", "--cluster", "c", "--service", "s",
        "--task-definition", "f", "--capacity-provider", "FARGATE_SPOT:x", "--region", "us-east-2",
        "--endpoint-url", "http://127.0.0.1:9");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("--capacity-provider"), run.toString());
    Berth.Run tag = Berth.inProcess(Map.of(), "ecs-deploy-service", "--cluster", "c", "--service", "s",
        "--task-definition", "f", "--tag", "novalue", "--region", "us-east-2", "--endpoint-url", "http://127.0.0.1:9");
    assertEquals(ExitCodes.INVALID_INPUT, tag.exitCode(), tag.toString());
  }

  @Test
  void options_parseIntoTheRequest() {
    EcsDeployServiceCommand c = new EcsDeployServiceCommand();
    new picocli.CommandLine(c).registerConverter(java.time.Duration.class, new DurationConverter()).parseArgs("--cluster", "shop", "--service", "web", "--task-definition", "f:3",
        "--subnets", "subnet-a, subnet-b", "--capacity-provider", "FARGATE_SPOT:3", "--capacity-provider",
        "fargate:1:2", "--tag", "team=core", "--tag", "expr=a=b", "--propagate-tags", "--no-circuit-breaker",
        "--no-assign-public-ip", "--cpu-target", "60");
    var r = c.request();
    assertEquals(List.of("subnet-a", "subnet-b"), r.subnets());
    assertEquals("FARGATE_SPOT", r.capacityProviders().get(0).name());
    assertEquals(3, r.capacityProviders().get(0).weight());
    assertEquals(2, r.capacityProviders().get(1).base());
    assertEquals(Map.of("team", "core", "expr", "a=b"), r.tags());
    assertEquals("SERVICE", r.propagateTags());
    assertFalse(r.circuitBreaker());
    assertEquals(Boolean.FALSE, r.assignPublicIp());
    assertEquals(null, r.enableExecuteCommand());
    assertEquals(60.0, r.cpuTarget());
    assertTrue(r.waitForRollout());
    assertEquals(java.time.Duration.ofMinutes(15), r.timeout());
  }
}
