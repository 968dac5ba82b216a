package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.Attachment;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * {@code berth ecs-run-task} against moto: a service in a VPC with a subnet and a security group is made with the
 * SDK; the task berth starts runs with the service's task definition and network and the given command (moto
 * never stops a task, so the waiting verdicts are tested on recorded responses in EcsRunTaskTest, and here only
 * the timeout).
 */
class EcsRunTaskIT {
  static final String CLUSTER = "gantt";
  static final String SERVICE = "gantt-exporter";

  @TempDir
  Path tmp;
  MotoServer moto;
  AwsClients aws;
  String subnet;
  String group;

  @BeforeEach
  void setUp() {
    moto = MotoServer.shared();
    moto.reset();
    aws = moto.clients();
    String vpc = aws.ec2().createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
    // as in a default VPC; moto's RunTask (awsvpc) also needs it: it names the task's ENI by its private DNS name
    aws.ec2().modifyVpcAttribute(b -> b.vpcId(vpc).enableDnsHostnames(a -> a.value(true)));
    subnet = aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-2a"))
        .subnet().subnetId();
    group = aws.ec2().createSecurityGroup(b -> b.vpcId(vpc).groupName("gantt-tasks").description("tasks")).groupId();
    aws.ecs().createCluster(b -> b.clusterName(CLUSTER));
    aws.ecs().registerTaskDefinition(b -> b.family("gantt-exporter-ecs-task").requiresCompatibilities(
            software.amazon.awssdk.services.ecs.model.Compatibility.FARGATE)
        .networkMode("awsvpc").cpu("1024").memory("2048")
        .containerDefinitions(c -> c.name("gantt-exporter-container").image("node:20").memory(2048).essential(true)));
    aws.ecs().createService(b -> b.cluster(CLUSTER).serviceName(SERVICE).taskDefinition("gantt-exporter-ecs-task")
        .desiredCount(1).launchType("FARGATE").networkConfiguration(n -> n.awsvpcConfiguration(a -> a
            .subnets(subnet).securityGroups(group).assignPublicIp("DISABLED"))));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  Task onlyTask() {
    List<String> arns = aws.ecs().listTasks(b -> b.cluster(CLUSTER).startedBy("berth")).taskArns();
    assertEquals(1, arns.size(), arns.toString());
    return aws.ecs().describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks().get(0);
  }

  @Test
  void noWait_startsATaskWithTheServicesNetworkAndTheCommand() throws Exception {
    Path log = tmp.resolve("api.log");
    Berth.Run run = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), "ecs-run-task", "--cluster", CLUSTER,
        "--service", SERVICE, "--command", "npm run migrate", "--env", "MIGRATE_ONLY=1", "--no-wait",
        "--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString());
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode r = run.json();
    Task task = onlyTask();
    assertEquals(task.taskArn(), r.get("taskArn").asText());
    assertEquals(List.of(subnet), List.of(r.get("subnets").get(0).asText()));
    assertEquals(group, r.get("securityGroups").get(0).asText());
    // what ECS (moto) made of the request: the command for the container, in the service's subnet and group
    assertEquals(List.of("npm", "run", "migrate"), task.overrides().containerOverrides().get(0).command());
    assertEquals("gantt-exporter-container", task.overrides().containerOverrides().get(0).name());
    assertEquals(List.of(KeyValuePair.builder().name("MIGRATE_ONLY").value("1").build()),
        task.overrides().containerOverrides().get(0).environment());
    assertTrue(task.taskDefinitionArn().endsWith("task-definition/gantt-exporter-ecs-task:1"), task.taskDefinitionArn());
    Attachment eni = task.attachments().get(0);
    String eniId = eni.details().stream().filter(d -> d.name().equals("networkInterfaceId")).findFirst().orElseThrow()
        .value();
    assertEquals(subnet, eni.details().stream().filter(d -> d.name().equals("subnetId")).findFirst().orElseThrow()
        .value());
    assertEquals(List.of(group), aws.ec2().describeNetworkInterfaces(b -> b.networkInterfaceIds(eniId))
        .networkInterfaces().get(0).groups().stream().map(g -> g.groupId()).toList());
    // read calls, then exactly one mutating call
    List<String> calls = Files.readAllLines(log);
    assertEquals(List.of("ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:RunTask"),
        calls, calls.toString());
  }

  @Test
  void dryRun_printsTheTaskItWouldRun_makesNoRunTaskCall_andStartsNothing_thenTheRealRunStartsThatTask()
      throws Exception {
    Path log = tmp.resolve("dry.log");
    String[] args = {"ecs-run-task", "--cluster", CLUSTER, "--service", SERVICE, "--command", "npm run migrate",
        "--env", "DATABASE_PASSWORD=hunter2", "--no-wait", "--region", MotoServer.REGION, "--endpoint-url",
        moto.endpoint().toString()};
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.add("--dry-run");
    Berth.Run dry = Berth.inProcess(Map.of("BERTH_API_LOG", log.toString()), all.toArray(String[]::new));
    assertEquals(0, dry.exitCode(), dry.toString());
    JsonNode r = dry.json();
    assertTrue(r.get("dryRun").asBoolean(), r.toString());
    assertEquals(List.of("ecs:DescribeServices", "ecs:DescribeTaskDefinition"),
        Files.readAllLines(log), "read calls only, no RunTask");
    assertEquals(List.of(), aws.ecs().listTasks(b -> b.cluster(CLUSTER)).taskArns(), "a dry run started a task");
    assertTrue(r.get("taskArn") == null || r.get("taskArn").isNull(), r.toString());
    JsonNode change = r.get("changes").get(0);
    assertEquals(1, r.get("changes").size(), r.toString());
    assertEquals("create ecs:task gantt/(new task)", change.get("action").asText() + " " + change.get("resource")
        .asText() + " " + change.get("name").asText());
    List<String> fields = new java.util.ArrayList<>();
    change.get("fields").forEach(f -> fields.add(f.get("field").asText() + "=" + f.get("after")));
    assertEquals(List.of("taskDefinition=\"gantt-exporter-ecs-task:1\"", "launchType=\"FARGATE\"",
        "networkConfiguration.subnets=[\"" + subnet + "\"]", "networkConfiguration.securityGroups=[\"" + group + "\"]",
        "networkConfiguration.assignPublicIp=\"DISABLED\"",
        "containerOverrides[gantt-exporter-container].command=[\"npm\",\"run\",\"migrate\"]",
        "containerOverrides[gantt-exporter-container].environment=[\"DATABASE_PASSWORD\"]", "startedBy=\"berth\""),
        fields);
    // an environment value may be a secret: the plan names the variable only
    assertTrue(!dry.stdout().contains("hunter2") && !dry.stderr().contains("hunter2"), dry.toString());
    assertTrue(dry.stderr().contains("  + create ecs:task gantt/(new task)"), dry.stderr());

    Berth.Run real = Berth.inProcess(Map.of(), args);
    assertEquals(0, real.exitCode(), real.toString());
    assertEquals(r.get("changes"), real.json().get("changes"), "the real run started the task the dry run showed");
    assertEquals(real.json().get("taskArn").asText(), onlyTask().taskArn());
  }

  @Test
  void wait_whenTheTaskDoesNotStopInTime_exits5NamingTheRunningTask() {
    Berth.Run run = Berth.inProcess(moto, "ecs-run-task", "--cluster", CLUSTER, "--task-definition",
        "gantt-exporter-ecs-task", "--subnets", subnet, "--security-groups", group, "--timeout", "2s");
    assertEquals(5, run.exitCode(), run.toString());
    Task task = onlyTask();
    assertTrue(run.json().get("error").asText().contains("task " + task.taskArn().substring(task.taskArn()
        .lastIndexOf('/') + 1) + " did not stop within 2s"), run.toString());
    assertEquals(task.taskArn(), run.json().get("taskArn").asText());
  }

  @Test
  void badInput_isRefusedBeforeRunTask() {
    Berth.Run run = Berth.inProcess(moto, "ecs-run-task", "--cluster", CLUSTER, "--service", SERVICE,
        "--container", "web", "--command", "[\"unterminated\"");
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("--command"), run.toString());
    Berth.Run unknown = Berth.inProcess(moto, "ecs-run-task", "--cluster", CLUSTER, "--service", SERVICE,
        "--container", "web", "--command", "migrate");
    assertEquals(3, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.json().get("error").asText().contains("has no container 'web'"), unknown.toString());
    assertEquals(List.of(), aws.ecs().listTasks(b -> b.cluster(CLUSTER)).taskArns(), "nothing was started");
  }
}
