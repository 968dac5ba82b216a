package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.aws.AwsClients;
import dev.berth.cli.ExitCodes;
import dev.berth.report.Json;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IAM as moto enforces it: after {@code POST /moto-api/reset-auth 0} (what {@code INITIAL_NO_AUTH_ACTION_COUNT}
 * sets at start-up) every request's SigV4 signature is verified and its action checked against the caller's
 * IAM policies. The story runs with the keys of a user that holds exactly docs/iam/flow.json, and each step
 * with its own docs/iam policy; without an action the step calls, the step exits 4 naming that action.
 *
 * <p>moto evaluates actions only: "TODO add support for the Resource and Condition parts of IAM policies"
 * (moto/iam/access_control.py). So the statements scoped to a resource or a condition (the execution role's,
 * iam:PassRole) are given to moto with {@code Resource "*"} and no condition; their scoping is AWS's to check.
 */
class IamEnforcedIT {
  static MotoServer moto;

  @BeforeAll
  static void start() {
    moto = MotoServer.start(Map.of("MOTO_ECS_SERVICE_RUNNING", "2", "MOTO_IAM_LOAD_MANAGED_POLICIES", "true"));
  }

  @AfterAll
  static void stop() {
    moto.close();
  }

  /** Turns IAM enforcement on (0) or off (inf) and restarts moto's request count. */
  static void enforce(boolean on) throws IOException {
    HttpURLConnection c = (HttpURLConnection) moto.endpoint().resolve("/moto-api/reset-auth").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "text/plain"); // the body is the count itself, not a form
    c.getOutputStream().write((on ? "0" : "inf").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, c.getResponseCode());
    c.disconnect();
  }

  /** The policy document as moto can evaluate it: actions as written, every resource "*", no conditions. */
  static String forMoto(Path policy, String without) throws IOException {
    ObjectNode doc = (ObjectNode) Json.mapper().readTree(Files.readString(policy));
    for (JsonNode st : doc.withArray("Statement")) {
      ObjectNode s = (ObjectNode) st;
      s.put("Resource", "*");
      s.remove("Condition");
      ArrayNode actions = s.get("Action").isArray() ? (ArrayNode) s.get("Action")
          : Json.mapper().createArrayNode().add(s.get("Action").asText());
      ArrayNode kept = Json.mapper().createArrayNode();
      actions.forEach(a -> {
        if (!a.asText().equals(without)) {
          kept.add(a);
        }
      });
      s.set("Action", kept);
    }
    ArrayNode statements = doc.withArray("Statement");
    for (int i = statements.size() - 1; i >= 0; i--) {
      if (statements.get(i).get("Action").isEmpty()) {
        statements.remove(i);
      }
    }
    return Json.write(doc);
  }

  /** A user holding {@code policy} (minus {@code without}); its access key and secret. Auth must be off. */
  static Map<String, String> user(String name, String policy, String without) throws IOException {
    try (AwsClients aws = moto.clients()) {
      aws.iam().createUser(b -> b.userName(name));
      aws.iam().putUserPolicy(b -> b.userName(name).policyName("berth").policyDocument(policy));
      var key = aws.iam().createAccessKey(b -> b.userName(name)).accessKey();
      Map<String, String> env = new HashMap<>();
      env.put("AWS_ACCESS_KEY_ID", key.accessKeyId());
      env.put("AWS_SECRET_ACCESS_KEY", key.secretAccessKey());
      return env;
    }
  }

  static Berth.Run run(Flow flow, Map<String, String> keys, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", flow.awsEndpoint.toString()));
    return flow.subprocess(keys, all.toArray(String[]::new));
  }

  @Test
  void story_withExactlyTheFlowPolicy_passesWithIamEnforced() throws IOException {
    try (Registry target = Flow.ecrRegistry()) {
      enforce(false);
      Flow flow = new Flow(target, moto);
      // straight to moto: the strict layer's own look-ups carry no IAM user's keys (its rules are tested elsewhere)
      flow.awsEndpoint = moto.endpoint();
      Map<String, String> keys = user("ci", forMoto(Path.of("docs", "iam", "flow.json"), null), null);
      enforce(true);
      try {
        Berth.Run pushed = run(flow, keys, flow.push("1.0", "v1"));
        assertEquals(0, pushed.exitCode(), pushed.toString());
        Berth.Run registered = run(flow, keys, flow.register(pushed.json().get("image").asText()));
        assertEquals(0, registered.exitCode(), registered.toString());
        assertTrue(registered.json().path("executionRoleCreated").asBoolean(), registered.toString());
        Berth.Run deployed = run(flow, keys, flow.deploy());
        assertEquals(0, deployed.exitCode(), deployed.toString());
        Berth.Run scaled = run(flow, keys, flow.scale(3));
        assertEquals(0, scaled.exitCode(), scaled.toString());
        Berth.Run promoted = run(flow, keys, flow.redeploy());
        assertEquals(0, promoted.exitCode(), promoted.toString());
        // the keys really are checked: a user without the policy is refused
        enforce(false);
        Map<String, String> nobody = user("nobody", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"sts:GetCallerIdentity\",\"Resource\":\"*\"}]}", null);
        enforce(true);
        Berth.Run refused = run(flow, nobody, flow.scale(2));
        assertEquals(ExitCodes.ACCESS, refused.exitCode(), refused.toString());
      } finally {
        enforce(false);
      }
    }
  }

  /**
   * ecs-register-task on a fresh account with its own policy minus one action, for every action its first run
   * calls: exit 4, naming the action, and nothing registered.
   */
  @Test
  void register_withoutAnyOneActionItCalls_exits4NamingIt() throws IOException {
    List<String> actions = List.of("ecs:DescribeTaskDefinition", "iam:GetRole", "iam:CreateRole",
        "iam:AttachRolePolicy", "logs:DescribeLogGroups", "logs:CreateLogGroup", "ecs:RegisterTaskDefinition");
    Path policy = Path.of("docs", "iam", "ecs-register-task.json");
    String image = MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:" + "a".repeat(64);
    List<String> problems = new ArrayList<>();
    try (Registry target = Flow.ecrRegistry()) {
      for (String action : actions) {
        assertTrue(Files.readString(policy).contains("\"" + action + "\""), action + " is in " + policy);
        enforce(false);
        Flow flow = new Flow(target, moto);
        flow.awsEndpoint = moto.endpoint();
        Map<String, String> keys = user("ci", forMoto(policy, action), action);
        enforce(true);
        try {
          Berth.Run run = run(flow, keys, flow.register(image));
          if (run.exitCode() != ExitCodes.ACCESS || !run.stderr().contains(action.substring(action.indexOf(':') + 1))) {
            problems.add("without " + action + ": " + run);
          }
        } finally {
          enforce(false);
        }
        try (AwsClients aws = moto.clients()) {
          assertEquals(List.of(), aws.ecs().listTaskDefinitions().taskDefinitionArns(), "nothing registered");
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** One mutating action per other step: without it the step exits 4 and names it. */
  @Test
  void eachStep_withoutItsKeyAction_exits4NamingIt() throws IOException {
    try (Registry target = Flow.ecrRegistry()) {
      enforce(false);
      Flow flow = new Flow(target, moto);
      // straight to moto: the strict layer's own look-ups carry no IAM user's keys (its rules are tested elsewhere)
      flow.awsEndpoint = moto.endpoint();
      String image = flow.inProcess(Map.of(), flow.push("1.0", "v1")).json().get("image").asText();
      assertEquals(0, flow.inProcess(Map.of(), flow.register(image)).exitCode());
      String[][] cases = {
          {"ecs-deploy-service", "ecs:CreateService"},
          {"ecs-deploy-service", "application-autoscaling:PutScalingPolicy"},
          {"ecs-scale", "ecs:UpdateService"},
          {"ecs-force-redeploy", "ecs:UpdateService"},
          {"ecr-push", "ecr:CreateRepository"},
      };
      int n = 0;
      for (String[] c : cases) {
        enforce(false);
        if (!c[0].equals("ecs-deploy-service") && !c[0].equals("ecr-push") && n++ == 0) {
          assertEquals(0, flow.inProcess(Map.of(), flow.deploy()).exitCode(), "the service for scale/redeploy");
        }
        Map<String, String> keys = user("ci-" + c[0] + "-" + c[1].replaceAll("[^A-Za-z]", ""),
            forMoto(Path.of("docs", "iam", c[0] + ".json"), c[1]), c[1]);
        enforce(true);
        try {
          String[] args = switch (c[0]) {
            case "ecs-deploy-service" -> flow.deploy();
            case "ecs-scale" -> flow.scale(3);
            case "ecs-force-redeploy" -> flow.redeploy();
            default -> flow.push("1.0", "other");
          };
          if (c[0].equals("ecr-push")) {
            args = Flow.with(args, "--repository", "another-repository");
          }
          Berth.Run run = run(flow, keys, args);
          assertEquals(ExitCodes.ACCESS, run.exitCode(), c[1] + " removed:\n" + run);
          assertTrue(run.stderr().contains(c[1].substring(c[1].indexOf(':') + 1)), c[1] + " named:\n" + run);
        } finally {
          enforce(false);
        }
      }
    }
  }
}
