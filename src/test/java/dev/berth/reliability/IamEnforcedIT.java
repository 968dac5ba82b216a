package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.aws.AwsClients;
import dev.berth.cli.ExitCodes;
import dev.berth.report.Json;
import dev.berth.image.RegistryClient;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
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
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IAM as moto enforces it: after {@code POST /moto-api/reset-auth 0} (what {@code INITIAL_NO_AUTH_ACTION_COUNT}
 * sets at start-up) every request's SigV4 signature is verified and its action checked against the caller's
 * IAM policies. The story runs with the keys of a user that holds exactly docs/iam/flow.json. Then each kind of
 * run of each step ({@link #everyActionMatters}) runs once with the step's own docs/iam policy, and once more
 * per action that run called (its BERTH_API_LOG, plus the registry requests for ecr-push) with the policy minus
 * that action: exit 4, the error naming the action, or the degraded behaviour docs/iam/README.md documents for
 * an optional action. One moto for all; the user's policy is swapped between runs, and each run meets the
 * state it needs (names of its own, or the state put back).
 *
 * <p>moto evaluates actions only: "TODO add support for the Resource and Condition parts of IAM policies"
 * (moto/iam/access_control.py). So the statements scoped to a resource or a condition (the execution role's,
 * iam:PassRole) are given to moto with {@code Resource "*"} and no condition; their scoping is AWS's to check.
 * moto's refusal body ({@code <ErrorResponse><Errors><Error>}) is not a shape the SDK reads, so the SDK sees a
 * bare 403: the action named in the error is berth's own naming (ApiCallLog), as for EC2's refusals that do not
 * name it.
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

  /** What a step does without an action docs/iam calls optional: its exit code and what its stderr says. */
  record Degraded(int exit, String says) {}

  /** The arguments of run {@code i} of a step, after putting the account in the state every run must meet. */
  interface Runs {
    String[] prepare(int i) throws Exception;
  }

  /** A berth run in this JVM with an IAM user's keys (the SDK's system-property credentials, restored after). */
  static Berth.Run asUser(Flow flow, Map<String, String> keys, Path apiLog, String... args) {
    String id = System.getProperty("aws.accessKeyId");
    String secret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", keys.get("AWS_ACCESS_KEY_ID"));
    System.setProperty("aws.secretAccessKey", keys.get("AWS_SECRET_ACCESS_KEY"));
    try {
      return flow.inProcess(Map.of("BERTH_API_LOG", apiLog.toString()), args);
    } finally {
      restore("aws.accessKeyId", id);
      restore("aws.secretAccessKey", secret);
    }
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  /**
   * Every action one kind of run of {@code step} calls matters: run 0 holds the step's whole docs/iam policy and
   * must exit {@code okExit}; the actions it called (BERTH_API_LOG, so the list cannot go stale) are then
   * removed one at a time, one run each, on the same moto with the user's policy swapped in between. Without an
   * action the run must exit 4 naming it, or, for an action docs/iam calls optional, show the documented
   * degraded behaviour. {@code runs} puts the account in the same state before each run. Returns the problems.
   */
  List<String> everyActionMatters(Flow flow, String step, String what, int okExit, Runs runs,
      Map<String, Degraded> optional) throws Exception {
    Path policy = Path.of("docs", "iam", step + ".json");
    List<String> problems = new ArrayList<>();
    String name = "ci-" + users++;
    Map<String, String> keys = user(name, forMoto(policy, null), null);
    userArn = "arn:aws:iam::" + MotoServer.ACCOUNT + ":user/" + name;
    Path log = Files.createTempFile("berth-api", ".log");
    try {
      String[] args = runs.prepare(0);
      allowedNow = actions(forMoto(policy, null));
      int seen = registryGate == null ? 0 : registryGate.exchanges().size();
      enforce(true);
      Berth.Run whole;
      try {
        whole = asUser(flow, keys, log, args);
      } finally {
        enforce(false);
      }
      assertEquals(okExit, whole.exitCode(), step + " " + what + " with the whole policy:\n" + whole);
      List<String> called = new ArrayList<>(Flow.lines(log));
      if (registryGate != null) {
        // the registry API's actions: ECR checks them, BERTH_API_LOG does not list them (no AWS API call)
        registryGate.exchanges().subList(seen, registryGate.exchanges().size()).forEach(e -> {
          String a = RegistryClient.ecrAction(e.method(), e.path());
          if (a != null) {
            called.add(a);
          }
        });
      }
      List<String> actions = called.stream().distinct().toList();
      assertTrue(actions.size() > 1, step + " " + what + " called " + actions);
      for (String action : optional.keySet()) {
        assertTrue(actions.contains(action), step + " " + what + ": " + action
            + " is documented as optional but no longer called (update docs/iam/README.md and this test): " + actions);
      }
      System.out.println("IamEnforcedIT " + step + " " + what + ": " + actions);
      int i = 1;
      for (String action : actions) {
        args = runs.prepare(i++);
        try (AwsClients aws = moto.clients()) {
          aws.iam().putUserPolicy(b -> b.userName(name).policyName("berth")
              .policyDocument(uncheck(() -> forMoto(policy, action))));
        }
        allowedNow = actions(forMoto(policy, action));
        Files.writeString(log, "");
        enforce(true);
        Berth.Run run;
        try {
          run = asUser(flow, keys, log, args);
        } finally {
          enforce(false);
        }
        Degraded degraded = optional.get(action);
        if (degraded != null) {
          if (run.exitCode() != degraded.exit() || !run.stderr().contains(degraded.says())) {
            problems.add(step + " " + what + " without " + action + ": expected exit " + degraded.exit() + " and '"
                + degraded.says() + "' (docs/iam/README.md), got " + run);
          }
        } else if (run.exitCode() != ExitCodes.ACCESS || !run.stderr().contains(action)) {
          problems.add(step + " " + what + " without " + action + ": expected exit 4 naming it, got " + run);
        }
      }
    } finally {
      allowedNow = null;
      Files.deleteIfExists(log);
    }
    return problems;
  }

  private int users;

  /**
   * The ECR registry endpoint's IAM check, which the test bed's registry does not make: a proxy in front of it
   * refuses a request whose action ({@link RegistryClient#ecrAction}) the user's current policy lacks, as ECR
   * does ({@code {"errors":[{"code":"DENIED","message":"User: ... is not authorized to perform: ecr:PutImage
   * ..."}]}}, a HEAD without a body). Null outside the push test.
   */
  private FaultProxy registryGate;
  private volatile Set<String> allowedNow;
  private volatile String userArn;

  private FaultProxy.Answer registryIam(FaultProxy.Exchange e) {
    String action = RegistryClient.ecrAction(e.method(), e.path());
    Set<String> allowed = allowedNow;
    if (action == null || allowed == null || allowed.contains(action)) {
      return null;
    }
    if (e.method().equals("HEAD")) {
      return new FaultProxy.Answer(403, "application/json", "");
    }
    String repository = e.path().replaceAll("^/v2/(.+?)/(blobs|manifests)/.*", "$1");
    return new FaultProxy.Answer(403, "application/json", "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"User: "
        + userArn + " is not authorized to perform: " + action + " on resource: arn:aws:ecr:" + MotoServer.REGION + ":"
        + MotoServer.ACCOUNT + ":repository/" + repository + " because no identity-based policy allows the " + action
        + " action\"}]}");
  }

  /** The actions a policy document (as handed to moto) allows. */
  static Set<String> actions(String policy) throws IOException {
    Set<String> out = new java.util.HashSet<>();
    for (JsonNode st : Json.mapper().readTree(policy).path("Statement")) {
      st.path("Action").forEach(a -> out.add(a.asText()));
    }
    return out;
  }

  interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T uncheck(IoSupplier<T> s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** berth in this JVM with moto's test keys (IAM not enforced): the state a run needs. */
  static Berth.Run admin(Flow flow, String... args) {
    Berth.Run run = flow.inProcess(Map.of(), args);
    assertEquals(0, run.exitCode(), String.join(" ", args) + "\n" + run);
    return run;
  }

  /**
   * ecs-register-task on a fresh account (no execution role, no log group, a new family each run): every action
   * it calls is needed; without any one it exits 4 naming it and registers nothing.
   */
  @Test
  void register_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    String image = MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:" + "a".repeat(64);
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target, moto);
      flow.awsEndpoint = moto.endpoint();
      List<String> families = new ArrayList<>();
      List<String> problems = everyActionMatters(flow, "ecs-register-task", "(first run)", 0, i -> {
        try (AwsClients aws = moto.clients()) {
          if (aws.iam().listRoles().roles().stream().anyMatch(r -> r.roleName().equals("ecsTaskExecutionRole"))) {
            aws.iam().listAttachedRolePolicies(b -> b.roleName("ecsTaskExecutionRole")).attachedPolicies()
                .forEach(p -> aws.iam().detachRolePolicy(b -> b.roleName("ecsTaskExecutionRole")
                    .policyArn(p.policyArn())));
            aws.iam().deleteRole(b -> b.roleName("ecsTaskExecutionRole"));
          }
        }
        families.add(Flow.FAMILY + "-" + i);
        return Flow.with(flow.register(image), "--family", Flow.FAMILY + "-" + i);
      }, Map.of());
      try (AwsClients aws = moto.clients()) {
        List<String> registered = aws.ecs().listTaskDefinitions().taskDefinitionArns();
        assertEquals(1, registered.size(), "only the run with the whole policy registered: " + registered);
        assertTrue(registered.get(0).contains(families.get(0) + ":1"), registered.toString());
      }
      // a rerun: the execution role exists, a new image is registered and --keep-revisions 1 deregisters the
      // revisions before it but the one a service runs (each run meets one active revision more than it keeps)
      admin(flow, flow.register(image));
      admin(flow, flow.deploy());
      problems.addAll(everyActionMatters(flow, "ecs-register-task", "(rerun, --keep-revisions)", 0, i -> {
        admin(flow, flow.register(image.replace("a".repeat(64), String.format("%064x", 2000 + i))));
        return concat(flow.register(image.replace("a".repeat(64), String.format("%064x", 3000 + i))),
            "--keep-revisions", "1");
      }, Map.of()));
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /**
   * ecs-deploy-service's first deploy (new cluster, ALB, target group, security groups, listener, service,
   * autoscaling with two target-tracking policies): each run deploys a service of its own, so every run meets the
   * same empty account and makes the same calls.
   */
  @Test
  void deployFirst_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = deployable(target);
      List<String> problems = everyActionMatters(flow, "ecs-deploy-service", "(first deploy)", 0,
          i -> Flow.with(Flow.with(flow.deploy(), "--cluster", "c" + i), "--service", "s" + i), Map.of());
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /**
   * ecs-deploy-service updating a service it deployed (new autoscaling bounds, a request-count policy more, a new
   * deployment): each run first deploys a service of its own with moto's test keys, then updates it as the user.
   */
  @Test
  void deployUpdate_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = deployable(target);
      List<String> problems = everyActionMatters(flow, "ecs-deploy-service", "(update)", 0, i -> {
        String[] first = Flow.with(Flow.with(flow.deploy(), "--cluster", "u" + i), "--service", "s" + i);
        admin(flow, first);
        return concat(Flow.without(Flow.with(first, "--autoscaling-max", "5"), "--memory-target", true),
            "--requests-per-target", "100", "--force-new-deployment", "--tag", "team=export");
      }, Map.of());
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /**
   * ecs-deploy-service whose rollout never completes (moto runs 2 tasks, not 3): the timeout's diagnosis reads the
   * service's tasks and target health.
   */
  @Test
  void deployTimedOut_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = deployable(target);
      String tg = admin(flow, flow.deploy()).json().get("targetGroupArn").asText();
      List<String> problems = everyActionMatters(flow, "ecs-deploy-service", "(rollout timed out)",
          ExitCodes.TIMED_OUT, i -> new String[] {"ecs-deploy-service", "--cluster", Flow.CLUSTER, "--service",
              "canary" + i, "--task-definition", Flow.FAMILY, "--subnets", flow.subnetA + "," + flow.subnetB,
              "--target-group-arn", tg, "--container-name", Flow.CONTAINER, "--container-port", "80",
              "--desired-count", "3", "--timeout", "3s"},
          // the diagnosis of a rollout that already failed: without it the verdict stands, the reads are named
          Map.of("ecs:ListTasks", new Degraded(ExitCodes.TIMED_OUT,
                  "could not read the stopped tasks: ECS ListTasks/DescribeTasks failed: access denied (IAM action "
                      + "ecs:ListTasks)"),
              "elasticloadbalancing:DescribeTargetHealth", new Degraded(ExitCodes.TIMED_OUT, "could not read the health"
                  + " of target group " + tg.replaceAll(".*:targetgroup/([^/]+)/.*", "$1") + ": ELB DescribeTargetHealth"
                  + " (ElasticLoadBalancingV2) failed: access denied (IAM action elasticloadbalancing:DescribeTargetHealth)")));
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /** ecs-scale with new autoscaling bounds; before each run the service is back at 2 tasks, bounds 1-4. */
  @Test
  void scale_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = deployable(target);
      admin(flow, flow.deploy());
      List<String> problems = everyActionMatters(flow, "ecs-scale", "(new bounds)", 0, i -> {
        try (AwsClients aws = moto.clients()) {
          aws.ecs().updateService(b -> b.cluster(Flow.CLUSTER).service(Flow.SERVICE).desiredCount(2));
          aws.autoscaling().registerScalableTarget(b -> b.serviceNamespace("ecs")
              .resourceId("service/" + Flow.CLUSTER + "/" + Flow.SERVICE)
              .scalableDimension("ecs:service:DesiredCount").minCapacity(1).maxCapacity(4));
        }
        return concat(flow.scale(5), "--autoscaling-min", "2", "--autoscaling-max", "6");
      }, Map.of());
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /**
   * ecs-force-redeploy as the story runs it (a new deployment of the current revision), promoting a new image
   * (registers a revision), and promoting what another service runs (--from-service).
   */
  @Test
  void forceRedeploy_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = deployable(target);
      admin(flow, flow.deploy());
      String other = MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:"
          + "b".repeat(64);
      admin(flow, Flow.with(flow.register(other), "--family", Flow.FAMILY + "-staging"));
      admin(flow, "ecs-deploy-service", "--cluster", Flow.CLUSTER, "--service", "staging", "--task-definition",
          Flow.FAMILY + "-staging", "--subnets", flow.subnetA + "," + flow.subnetB, "--desired-count", "2",
          "--timeout", "60s");
      List<String> problems = new ArrayList<>();
      problems.addAll(everyActionMatters(flow, "ecs-force-redeploy", "(current revision)", 0,
          i -> flow.redeploy(), Map.of()));
      problems.addAll(everyActionMatters(flow, "ecs-force-redeploy", "(--image)", 0,
          i -> flow.redeploy("--image", Flow.CONTAINER + "=" + other.replace("b".repeat(64), String.format("%064x", i))),
          Map.of()));
      // each run promotes a staging image the service has not run yet, so each registers a revision
      problems.addAll(everyActionMatters(flow, "ecs-force-redeploy", "(--from-service)", 0, i -> {
        String staged = other.replace("b".repeat(64), String.format("%064x", 1000 + i));
        String arn = admin(flow, Flow.with(flow.register(staged), "--family", Flow.FAMILY + "-staging")).json()
            .get("taskDefinitionArn").asText();
        try (AwsClients aws = moto.clients()) {
          aws.ecs().updateService(b -> b.cluster(Flow.CLUSTER).service("staging").taskDefinition(arn));
        }
        return flow.redeploy("--from-service", Flow.CLUSTER + "/staging");
      }, Map.of()));
      // each rollback starts from the family's latest revision; moto has no deployment history (ListServiceDeployments
      // answers HTTP 500), so every run takes the documented previous-revision path, and so does a run without it
      problems.addAll(everyActionMatters(flow, "ecs-force-redeploy", "(--rollback)", 0, i -> {
        try (AwsClients aws = moto.clients()) {
          String latest = aws.ecs().listTaskDefinitions(b -> b.familyPrefix(Flow.FAMILY)).taskDefinitionArns()
              .stream().filter(a -> a.contains("/" + Flow.FAMILY + ":"))
              .max(java.util.Comparator.comparingInt(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))))
              .orElseThrow();
          aws.ecs().updateService(b -> b.cluster(Flow.CLUSTER).service(Flow.SERVICE).taskDefinition(latest));
        }
        return flow.redeploy("--rollback");
      }, Map.of("ecs:ListServiceDeployments", new Degraded(0, "ecs:ListServiceDeployments/ecs:DescribeServiceRevisions"
          + " are not allowed (HTTP 403: access denied (IAM action ecs:ListServiceDeployments)); rolling back to the"
          + " previous ACTIVE revision"))));
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /** ecs-run-task with the service's network: started without waiting, and waited for (moto never stops it). */
  @Test
  void runTask_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = deployable(target);
      admin(flow, flow.deploy());
      List<String> problems = new ArrayList<>();
      problems.addAll(everyActionMatters(flow, "ecs-run-task", "(--no-wait)", 0, i -> new String[] {"ecs-run-task",
          "--cluster", Flow.CLUSTER, "--service", Flow.SERVICE, "--command", "npm run migrate", "--no-wait"},
          Map.of()));
      problems.addAll(everyActionMatters(flow, "ecs-run-task", "(waiting)", ExitCodes.TIMED_OUT, i -> new String[] {
          "ecs-run-task", "--cluster", Flow.CLUSTER, "--service", Flow.SERVICE, "--timeout", "1s"}, Map.of()));
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }

  /**
   * ecr-push's ECR API calls and registry API requests on a first push (a new repository each run, with a
   * lifecycle policy) and on a push of another image to an existing repository.
   */
  @Test
  void push_withoutAnyOneActionItCalls_exits4NamingIt() throws Exception {
    try (Registry target = Flow.ecrRegistry();
        FaultProxy gate = FaultProxy.to(target.url()).rate(0).respond((e, headers) -> registryIam(e)).start()) {
      registryGate = gate;
      Flow flow = new Flow(target, moto);
      flow.awsEndpoint = moto.endpoint();
      flow.registryEndpoint = gate.endpoint();
      List<String> problems = new ArrayList<>();
      problems.addAll(everyActionMatters(flow, "ecr-push", "(first push)", 0,
          i -> Flow.with(flow.push("1.0", "v1"), "--repository", "repository-" + i), Map.of()));
      // a new tag of an image the repository holds: no upload (the first pushes cover those), the same calls each run
      admin(flow, flow.push("2.0", "v2"));
      problems.addAll(everyActionMatters(flow, "ecr-push", "(existing repository, new tag)", 0,
          i -> flow.push("2.0", "w" + i), Map.of()));
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    } finally {
      registryGate = null;
    }
  }

  /** A fresh account with the story's VPC and task definition, called straight (no strict layer: see the story). */
  private Flow deployable(Registry target) {
    Flow flow = new Flow(target, moto);
    flow.awsEndpoint = moto.endpoint();
    String image = MotoServer.ACCOUNT + ".dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:" + "a".repeat(64);
    admin(flow, flow.register(image));
    return flow;
  }

  static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }
}
