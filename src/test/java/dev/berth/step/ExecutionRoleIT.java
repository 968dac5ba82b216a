package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsSettings;
import dev.berth.cli.ExitCodes;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.StrictAws;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * The task execution role and awslogs defaults of ecs-register-task, through the strict layer (which refuses a
 * Fargate definition with an ECR image or awslogs and no executionRoleArn, as ECS does).
 */
class ExecutionRoleIT {
  static final String FAMILY = "gantt-exporter-ecs-task";
  static final String CONTAINER = "gantt-exporter-container";
  static final String IMAGE = EcsRegisterTaskIT.IMAGE_1;
  static final String POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

  final MotoServer moto = MotoServer.shared();
  StrictAws strict;
  AwsClients aws;
  @TempDir
  Path dir;

  @BeforeEach
  void reset() {
    moto.reset();
    strict = StrictAws.shared(moto.endpoint());
    strict.reset();
    aws = moto.clients();
  }

  @AfterEach
  void close() {
    aws.close();
  }

  record Logged(Berth.Run run, List<String> calls) {}

  Logged register(String... extra) throws IOException {
    Path log = Files.createTempFile(dir, "api", ".log");
    List<String> all = new ArrayList<>(List.of("ecs-register-task", "--family", FAMILY, "--container-name",
        CONTAINER, "--image", IMAGE, "--cpu", "1024", "--memory", "2048", "--container-memory", "2048", "--port",
        "80"));
    all.addAll(List.of(extra));
    all.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", strict.endpoint().toString()));
    Berth.Run run = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    return new Logged(run, Files.readAllLines(log, StandardCharsets.UTF_8));
  }

  List<String> logGroups() {
    return aws.logs().describeLogGroupsPaginator().logGroups().stream().map(g -> g.logGroupName()).toList();
  }

  @Test
  void register_whenEcrImageAndNoRoleAnywhere_createsEcsTaskExecutionRoleWithManagedPolicy_andLogsToEcsFamily()
      throws IOException {
    Logged first = register();
    assertEquals(0, first.run().exitCode(), first.run().toString());
    JsonNode r = first.run().json();
    String roleArn = "arn:aws:iam::" + MotoServer.ACCOUNT + ":role/ecsTaskExecutionRole";
    assertEquals(roleArn, r.path("executionRoleArn").asText(), r.toString());
    assertTrue(r.path("executionRoleCreated").asBoolean(), r.toString());
    assertEquals("[\"/ecs/" + FAMILY + "\"]", r.path("logGroupsCreated").toString());
    assertTrue(first.run().stderr().contains("created IAM role ecsTaskExecutionRole"), first.run().stderr());
    assertEquals(List.of("iam:CreateRole", "iam:AttachRolePolicy", "logs:CreateLogGroup",
        "ecs:RegisterTaskDefinition"), EcsRegisterTaskIT.mutating(first.calls()));

    var role = aws.iam().getRole(b -> b.roleName("ecsTaskExecutionRole")).role();
    assertTrue(java.net.URLDecoder.decode(role.assumeRolePolicyDocument(), StandardCharsets.UTF_8)
        .contains("ecs-tasks.amazonaws.com"), role.assumeRolePolicyDocument());
    assertEquals(List.of(POLICY), aws.iam().listAttachedRolePolicies(b -> b.roleName("ecsTaskExecutionRole"))
        .attachedPolicies().stream().map(p -> p.policyArn()).toList());
    TaskDefinition td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)).taskDefinition();
    assertEquals(roleArn, td.executionRoleArn());
    assertEquals(Map.of("awslogs-group", "/ecs/" + FAMILY, "awslogs-region", MotoServer.REGION,
        "awslogs-stream-prefix", "ecs"), td.containerDefinitions().get(0).logConfiguration().options());
    assertEquals(List.of("/ecs/" + FAMILY), logGroups());
    assertEquals(List.of(), strict.refused(), "the strict layer accepted every request");

    // a rerun finds the same revision with the same role: one read call, nothing looked up in IAM
    Logged again = register();
    assertEquals(0, again.run().exitCode(), again.run().toString());
    assertFalse(again.run().json().path("registered").asBoolean());
    assertEquals(List.of("ecs:DescribeTaskDefinition"), again.calls());
  }

  @Test
  void register_whenRoleExists_usesItWithoutChangingIt() throws IOException {
    String arn = aws.iam().createRole(b -> b.roleName("ecsTaskExecutionRole").assumeRolePolicyDocument(
        ExecutionRole.TRUST_POLICY)).role().arn();
    aws.iam().attachRolePolicy(b -> b.roleName("ecsTaskExecutionRole").policyArn(POLICY));
    Logged run = register();
    assertEquals(0, run.run().exitCode(), run.run().toString());
    assertEquals(arn, run.run().json().path("executionRoleArn").asText());
    assertFalse(run.run().json().path("executionRoleCreated").asBoolean(true), run.run().json().toString());
    assertEquals(List.of("logs:CreateLogGroup", "ecs:RegisterTaskDefinition"), EcsRegisterTaskIT.mutating(run.calls()));
  }

  @Test
  void register_whenNoRoleAndNoCreateRoles_exits3BeforeAnyChange() throws IOException {
    Logged run = register("--no-create-roles");
    assertEquals(ExitCodes.INVALID_INPUT, run.run().exitCode(), run.run().toString());
    assertTrue(run.run().stderr().contains("--execution-role-arn") && run.run().stderr().contains("private ECR"),
        run.run().stderr());
    assertEquals(List.of(), EcsRegisterTaskIT.mutating(run.calls()), run.calls().toString());
    assertEquals(List.of(), logGroups(), "a refused definition leaves no log group behind");
    assertTrue(aws.iam().listRoles().roles().stream().noneMatch(r -> r.roleName().equals("ecsTaskExecutionRole")));
  }

  @Test
  void register_withExecutionRoleArn_looksNothingUpInIam() throws IOException {
    String arn = "arn:aws:iam::" + MotoServer.ACCOUNT + ":role/gantt-execution";
    Logged run = register("--execution-role-arn", arn, "--no-logs");
    assertEquals(0, run.run().exitCode(), run.run().toString());
    assertEquals(arn, run.run().json().path("executionRoleArn").asText());
    assertTrue(run.calls().stream().noneMatch(c -> c.startsWith("iam:") || c.startsWith("logs:")), run.calls().toString());
    TaskDefinition td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(FAMILY)).taskDefinition();
    assertEquals(null, td.containerDefinitions().get(0).logConfiguration());
  }

  @Test
  void strictLayer_refusesFargateEcrDefinitionWithoutExecutionRole_asEcsDoes() {
    try (AwsClients viaStrict = AwsClients.create(AwsSettings.defaults().withRegion(MotoServer.REGION)
        .withEndpointUrl(strict.endpoint()), Map.of())) {
      ClientException e = assertThrows(ClientException.class, () -> viaStrict.ecs().registerTaskDefinition(b -> b
          .family(FAMILY).requiresCompatibilitiesWithStrings("FARGATE").networkMode("awsvpc").cpu("1024")
          .memory("2048").containerDefinitions(c -> c.name(CONTAINER).image(IMAGE).essential(true))));
      assertTrue(e.getMessage().contains("Fargate requires task definition to have execution role ARN to support ECR"
          + " images"), e.getMessage());
    }
  }
}
