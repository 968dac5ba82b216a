package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalingPolicy;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;

/**
 * The user's story against moto: a two-subnet VPC, the gantt-exporter task definition, {@code
 * --create-load-balancer}, desired count 2, grace period, autoscaling 1-4 on CPU 60%; a rerun that changes
 * nothing; an update to a new revision; invalid input that exits 3 and creates nothing. Outcomes are checked
 * through the AWS APIs afterwards, and mutating calls are counted from berth's own API call log.
 */
class EcsDeployServiceIT {
  static final String FAMILY = "gantt-exporter-ecs-task";
  static final String CONTAINER = "gantt-exporter-container";
  MotoServer moto;
  AwsClients aws;
  String vpc;
  String subnetA;
  String subnetB;
  String subnetA2;
  Path apiLog;

  @BeforeEach
  void setUp() throws IOException {
    moto = MotoServer.shared();
    moto.reset();
    aws = moto.clients();
    vpc = aws.ec2().createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
    subnetA = subnet("10.0.1.0/24", "us-east-2a");
    subnetB = subnet("10.0.2.0/24", "us-east-2b");
    subnetA2 = subnet("10.0.3.0/24", "us-east-2a");
    registerTaskDefinition("node:20");
    apiLog = Files.createTempFile("berth-api", ".log");
  }

  @AfterEach
  void tearDown() throws IOException {
    aws.close();
    Files.deleteIfExists(apiLog);
  }

  private String subnet(String cidr, String zone) {
    return aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock(cidr).availabilityZone(zone)).subnet().subnetId();
  }

  private String registerTaskDefinition(String image) {
    return aws.ecs().registerTaskDefinition(b -> b.family(FAMILY).networkMode(NetworkMode.AWSVPC)
        .requiresCompatibilities(Compatibility.FARGATE).cpu("1024").memory("2048")
        .containerDefinitions(c -> c.name(CONTAINER).image("123456789012.dkr.ecr.us-east-2.amazonaws.com/"
            + "opensourceapirepo:" + image).memory(2048).essential(true)
            .portMappings(p -> p.containerPort(80).protocol("tcp"))))
        .taskDefinition().taskDefinitionArn();
  }

  private List<String> story(String... extra) {
    List<String> args = new ArrayList<>(List.of("ecs-deploy-service", "--cluster", "shop", "--service",
        "gantt-exporter", "--task-definition", FAMILY, "--subnets", subnetA + "," + subnetB,
        "--create-load-balancer", "--vpc-id", vpc, "--desired-count", "2", "--health-check-grace-period", "60",
        "--autoscaling-min", "1", "--autoscaling-max", "4", "--cpu-target", "60", "--timeout", "60s"));
    args.addAll(List.of(extra));
    return args;
  }

  /** Runs berth in-process against moto, recording its AWS calls in {@link #apiLog}. */
  private Berth.Run berth(List<String> args) throws IOException {
    Files.writeString(apiLog, "");
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString()));
    Berth.Run run = Berth.inProcess(Map.of("BERTH_API_LOG", apiLog.toString()), all.toArray(String[]::new));
    System.out.println("$ berth " + String.join(" ", args) + "\n" + run + "\n--- calls\n" + calls());
    return run;
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(apiLog).stream().filter(l -> !l.isBlank()).toList();
  }

  static boolean mutating(String action) {
    String op = action.substring(action.indexOf(':') + 1);
    return !(op.startsWith("Describe") || op.startsWith("List") || op.startsWith("Get"));
  }

  private Service service() {
    return aws.ecs().describeServices(b -> b.cluster("shop").services("gantt-exporter")).services().get(0);
  }

  @Test
  void story_createsTheLoadBalancedAutoscaledService_thenARerunChangesNothing_thenANewRevisionUpdatesIt()
      throws IOException {
    // 1. first deploy: cluster, ALB, target group, listener, service, autoscaling
    Berth.Run first = berth(story());
    assertEquals(0, first.exitCode(), first.toString());
    JsonNode r1 = first.json();
    assertEquals("COMPLETED", r1.path("verdict").asText(), first.toString());
    assertTrue(r1.path("ok").asBoolean());
    assertTrue(r1.path("created").asBoolean());
    assertEquals("COMPLETED", r1.path("rolloutState").asText());
    assertEquals(2, r1.path("desiredCount").asInt());
    assertEquals(2, r1.path("runningCount").asInt());
    assertTrue(r1.path("taskDefinitionArn").asText().endsWith(FAMILY + ":1"), r1.toString());
    assertEquals("123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo:node:20",
        r1.path("containers").path(CONTAINER).asText(), r1.toString());
    String deploymentId = r1.path("deploymentId").asText();
    assertTrue(deploymentId.startsWith("ecs-svc/"), r1.toString());
    String dns = r1.path("loadBalancerDnsName").asText();
    assertTrue(dns.contains("elb.amazonaws.com"), r1.toString());
    String tgArn = r1.path("targetGroupArn").asText();
    assertEquals(1, r1.path("autoscaling").path("min").asInt());
    assertEquals(4, r1.path("autoscaling").path("max").asInt());
    assertEquals("[\"berth-cpu\"]", r1.path("autoscaling").path("policies").toString());
    List<String> changed = StreamSupport.stream(r1.path("changed").spliterator(), false).map(JsonNode::asText).toList();
    assertTrue(changed.containsAll(List.of("cluster created", "loadBalancer created", "targetGroup created",
        "listener 80 created", "service created", "autoscaling range", "autoscaling policy berth-cpu")), changed.toString());

    // ... checked through the APIs
    Service svc = service();
    assertEquals(2, svc.desiredCount());
    assertEquals(60, svc.healthCheckGracePeriodSeconds());
    assertEquals(1, svc.loadBalancers().size());
    assertEquals(tgArn, svc.loadBalancers().get(0).targetGroupArn());
    assertEquals(CONTAINER, svc.loadBalancers().get(0).containerName());
    assertEquals(80, svc.loadBalancers().get(0).containerPort());
    assertTrue(svc.deploymentConfiguration().deploymentCircuitBreaker().enable());
    assertTrue(svc.deploymentConfiguration().deploymentCircuitBreaker().rollback());
    assertEquals("ENABLED", svc.networkConfiguration().awsvpcConfiguration().assignPublicIpAsString());
    assertEquals(Set2.of(subnetA, subnetB), Set2.of(svc.networkConfiguration().awsvpcConfiguration().subnets()));
    String tasksGroup = svc.networkConfiguration().awsvpcConfiguration().securityGroups().get(0);

    List<LoadBalancer> lbs = aws.elb().describeLoadBalancers().loadBalancers();
    assertEquals(1, lbs.size());
    LoadBalancer alb = lbs.get(0);
    assertEquals(new DeployNames("shop", "gantt-exporter").loadBalancer(), alb.loadBalancerName());
    assertEquals("internet-facing", alb.schemeAsString());
    assertEquals(dns, alb.dnsName());
    assertEquals(vpc, alb.vpcId());
    List<TargetGroup> tgs = aws.elb().describeTargetGroups().targetGroups();
    assertEquals(1, tgs.size());
    TargetGroup tg = tgs.get(0);
    assertEquals(tgArn, tg.targetGroupArn());
    assertEquals("ip", tg.targetTypeAsString());
    assertEquals("/", tg.healthCheckPath());
    assertEquals(30, tg.healthCheckIntervalSeconds());
    assertEquals(5, tg.healthyThresholdCount());
    assertEquals(2, tg.unhealthyThresholdCount());
    assertEquals("30", aws.elb().describeTargetGroupAttributes(b -> b.targetGroupArn(tgArn)).attributes().stream()
        .filter(a -> a.key().equals("deregistration_delay.timeout_seconds")).findFirst().orElseThrow().value());
    List<Listener> listeners = aws.elb().describeListeners(b -> b.loadBalancerArn(alb.loadBalancerArn())).listeners();
    assertEquals(1, listeners.size());
    assertEquals(80, listeners.get(0).port());
    assertEquals("forward", listeners.get(0).defaultActions().get(0).typeAsString());
    assertEquals(tgArn, listeners.get(0).defaultActions().get(0).targetGroupArn());
    String albGroup = alb.securityGroups().get(0);
    SecurityGroup albSg = aws.ec2().describeSecurityGroups(b -> b.groupIds(albGroup)).securityGroups().get(0);
    assertTrue(albSg.ipPermissions().stream().anyMatch(p -> p.fromPort() == 80
        && p.ipRanges().stream().anyMatch(x -> "0.0.0.0/0".equals(x.cidrIp()))), albSg.toString());
    SecurityGroup tasksSg = aws.ec2().describeSecurityGroups(b -> b.groupIds(tasksGroup)).securityGroups().get(0);
    IpPermission fromAlb = tasksSg.ipPermissions().stream().filter(p -> p.fromPort() == 80).findFirst().orElseThrow();
    assertEquals(albGroup, fromAlb.userIdGroupPairs().get(0).groupId());

    ScalableTarget target = aws.autoscaling().describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS))
        .scalableTargets().get(0);
    assertEquals("service/shop/gantt-exporter", target.resourceId());
    assertEquals(ScalableDimension.ECS_SERVICE_DESIRED_COUNT, target.scalableDimension());
    assertEquals(1, target.minCapacity());
    assertEquals(4, target.maxCapacity());
    List<ScalingPolicy> policies = aws.autoscaling().describeScalingPolicies(b -> b
        .serviceNamespace(ServiceNamespace.ECS).resourceId("service/shop/gantt-exporter")).scalingPolicies();
    assertEquals(1, policies.size());
    assertEquals("berth-cpu", policies.get(0).policyName());
    assertEquals(60.0, policies.get(0).targetTrackingScalingPolicyConfiguration().targetValue());
    assertEquals("ECSServiceAverageCPUUtilization", policies.get(0).targetTrackingScalingPolicyConfiguration()
        .predefinedMetricSpecification().predefinedMetricTypeAsString());

    // 2. the same call again changes nothing: no mutating call, no new deployment, same ALB
    Berth.Run second = berth(story());
    assertEquals(0, second.exitCode(), second.toString());
    JsonNode r2 = second.json();
    assertEquals("COMPLETED", r2.path("verdict").asText());
    assertFalse(r2.path("created").asBoolean());
    assertEquals("[]", r2.path("changed").toString(), second.toString());
    assertEquals(deploymentId, r2.path("deploymentId").asText());
    assertEquals(dns, r2.path("loadBalancerDnsName").asText());
    assertEquals(tgArn, r2.path("targetGroupArn").asText());
    assertEquals(List.of(), calls().stream().filter(EcsDeployServiceIT::mutating).toList(), calls().toString());
    assertTrue(second.stderr().contains("nothing to change, no new deployment"), second.stderr());
    assertEquals(1, aws.elb().describeLoadBalancers().loadBalancers().size());
    assertEquals(1, aws.ecs().listTaskDefinitions(b -> b.familyPrefix(FAMILY)).taskDefinitionArns().size());
    assertEquals(deploymentId, service().deployments().get(0).id());

    // 3. a new revision: only the task definition changes
    String rev2 = registerTaskDefinition("node:22");
    Berth.Run third = berth(story());
    assertEquals(0, third.exitCode(), third.toString());
    JsonNode r3 = third.json();
    assertEquals("[\"taskDefinition\"]", r3.path("changed").toString(), third.toString());
    assertEquals(rev2, r3.path("taskDefinitionArn").asText());
    assertEquals(rev2, service().taskDefinition());
    assertEquals(List.of("ecs:UpdateService"), calls().stream().filter(EcsDeployServiceIT::mutating).toList());
    // moto starts no deployment on UpdateService: berth follows the PRIMARY one and says so
    assertTrue(third.stderr().contains("ECS started no new deployment for this update"), third.stderr());
    assertEquals(1, aws.elb().describeLoadBalancers().loadBalancers().size());
    assertEquals(1, aws.elb().describeTargetGroups().targetGroups().size());
  }

  @Test
  void forceNewDeployment_startsAndFollowsANewDeployment() throws IOException {
    Berth.Run first = berth(story());
    assertEquals(0, first.exitCode(), first.toString());
    Berth.Run forced = berth(story("--force-new-deployment"));
    assertEquals(0, forced.exitCode(), forced.toString());
    assertEquals("[\"forceNewDeployment\"]", forced.json().path("changed").toString());
    assertNotEquals(first.json().path("deploymentId").asText(), forced.json().path("deploymentId").asText());
    assertEquals(service().deployments().get(0).id(), forced.json().path("deploymentId").asText());
    assertEquals("COMPLETED", forced.json().path("verdict").asText());
    assertEquals(List.of("ecs:UpdateService"), calls().stream().filter(EcsDeployServiceIT::mutating).toList());
  }

  @Test
  void rerun_withoutCpuTarget_removesItsPolicy_andWithMemoryTargetAddsThatOne() throws IOException {
    assertEquals(0, berth(story()).exitCode());
    List<String> args = new ArrayList<>(story());
    int i = args.indexOf("--cpu-target");
    args.set(i, "--memory-target");
    args.set(i + 1, "70");
    args.addAll(List.of("--requests-per-target", "500"));
    Berth.Run run = berth(args);
    assertEquals(0, run.exitCode(), run.toString());
    List<ScalingPolicy> policies = aws.autoscaling().describeScalingPolicies(b -> b.serviceNamespace(ServiceNamespace.ECS)
        .resourceId("service/shop/gantt-exporter")).scalingPolicies();
    assertEquals(Set2.of("berth-memory", "berth-requests"),
        Set2.of(policies.stream().map(ScalingPolicy::policyName).toList()));
    assertEquals("[\"berth-memory\",\"berth-requests\"]", run.json().path("autoscaling").path("policies").toString());
    ScalingPolicy requests = policies.stream().filter(x -> x.policyName().equals("berth-requests")).findFirst().orElseThrow();
    LoadBalancer alb = aws.elb().describeLoadBalancers().loadBalancers().get(0);
    TargetGroup tg = aws.elb().describeTargetGroups().targetGroups().get(0);
    String label = requests.targetTrackingScalingPolicyConfiguration().predefinedMetricSpecification().resourceLabel();
    assertEquals(alb.loadBalancerArn().substring(alb.loadBalancerArn().indexOf("app/")) + "/"
        + tg.targetGroupArn().substring(tg.targetGroupArn().indexOf("targetgroup/")), label);
    assertEquals(500.0, requests.targetTrackingScalingPolicyConfiguration().targetValue());
    List<String> mutations = calls().stream().filter(EcsDeployServiceIT::mutating).toList();
    assertEquals(List.of("application-autoscaling:PutScalingPolicy", "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy"), mutations);
  }

  /** An ACM certificate in moto (berth's build has no ACM client): one JSON-protocol call. */
  private String certificate() throws IOException, InterruptedException {
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(moto.endpoint())
        .header("X-Amz-Target", "CertificateManager.RequestCertificate")
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-2/acm/aws4_request, "
            + "SignedHeaders=host, Signature=0")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"DomainName\":\"gantt.example.com\"}"))
        .build();
    String body = java.net.http.HttpClient.newHttpClient().send(request,
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    return dev.berth.report.Json.mapper().readTree(body).path("CertificateArn").asText();
  }

  @Test
  void certificate_addsHttpsListener_andPort80Redirects() throws Exception {
    String cert = certificate();
    assertTrue(cert.startsWith("arn:aws:acm:"), cert);
    Berth.Run run = berth(story("--certificate-arn", cert));
    assertEquals(0, run.exitCode(), run.toString());
    LoadBalancer alb = aws.elb().describeLoadBalancers().loadBalancers().get(0);
    List<Listener> listeners = aws.elb().describeListeners(b -> b.loadBalancerArn(alb.loadBalancerArn())).listeners();
    Listener https = listeners.stream().filter(l -> l.port() == 443).findFirst().orElseThrow();
    assertEquals("HTTPS", https.protocolAsString());
    assertEquals(cert, https.certificates().get(0).certificateArn());
    assertEquals("forward", https.defaultActions().get(0).typeAsString());
    Listener http = listeners.stream().filter(l -> l.port() == 80).findFirst().orElseThrow();
    assertEquals("redirect", http.defaultActions().get(0).typeAsString());
    assertEquals("443", http.defaultActions().get(0).redirectConfig().port());
    assertEquals("HTTP_301", http.defaultActions().get(0).redirectConfig().statusCodeAsString());
    SecurityGroup albSg = aws.ec2().describeSecurityGroups(b -> b.groupIds(alb.securityGroups().get(0)))
        .securityGroups().get(0);
    assertTrue(albSg.ipPermissions().stream().anyMatch(p -> p.fromPort() == 443), albSg.toString());
    // and again: nothing to change
    Berth.Run again = berth(story("--certificate-arn", cert));
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals(List.of(), calls().stream().filter(EcsDeployServiceIT::mutating).toList());
  }

  @Test
  void existingTargetGroup_wiresTheServiceToIt_andReportsItsLoadBalancer() throws IOException {
    String albGroup = aws.ec2().createSecurityGroup(b -> b.groupName("mine").description("mine").vpcId(vpc)).groupId();
    LoadBalancer alb = aws.elb().createLoadBalancer(b -> b.name("my-alb").subnets(subnetA, subnetB)
        .securityGroups(albGroup)).loadBalancers().get(0);
    TargetGroup tg = aws.elb().createTargetGroup(b -> b.name("my-tg").protocol("HTTP").port(8080).vpcId(vpc)
        .targetType("ip")).targetGroups().get(0);
    aws.elb().createListener(b -> b.loadBalancerArn(alb.loadBalancerArn()).port(80).protocol("HTTP")
        .defaultActions(a -> a.type("forward").targetGroupArn(tg.targetGroupArn())));
    Berth.Run run = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", FAMILY, "--subnets", subnetA + "," + subnetB, "--security-groups", albGroup,
        "--target-group-arn", tg.targetGroupArn(), "--container-name", CONTAINER, "--container-port", "80",
        "--no-wait"));
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(alb.dnsName(), run.json().path("loadBalancerDnsName").asText());
    assertEquals(tg.targetGroupArn(), run.json().path("targetGroupArn").asText());
    assertTrue(run.json().path("verdict").isMissingNode(), "--no-wait gives no verdict");
    Service svc = service();
    assertEquals(tg.targetGroupArn(), svc.loadBalancers().get(0).targetGroupArn());
    assertEquals(List.of(albGroup), svc.networkConfiguration().awsvpcConfiguration().securityGroups());
    assertEquals(1, aws.elb().describeLoadBalancers().loadBalancers().size(), "no ALB of berth's own");
    assertFalse(calls().stream().anyMatch(c -> c.startsWith("elasticloadbalancing:") && mutating(c)), calls().toString());
    assertFalse(calls().stream().anyMatch(c -> c.startsWith("ec2:") && mutating(c)), calls().toString());
  }

  @Test
  void settings_containerInsightsExecuteCommandTags_areApplied_andRerunKeepsThem() throws IOException {
    List<String> args = List.of("ecs-deploy-service", "--cluster", "ops", "--service", "exporter",
        "--task-definition", FAMILY + ":1", "--subnets", subnetA, "--container-insights", "--enable-execute-command",
        "--propagate-tags", "--tag", "team=exports", "--tag", "cost-center=42", "--min-healthy-percent", "50",
        "--no-circuit-breaker", "--no-assign-public-ip", "--platform-version", "1.4.0",
        // moto reports 2 running tasks (MOTO_ECS_SERVICE_RUNNING=2): a desired count of 2 completes
        "--desired-count", "2", "--timeout", "60s");
    Berth.Run run = berth(args);
    assertEquals(0, run.exitCode(), run.toString());
    var cluster = aws.ecs().describeClusters(b -> b.clusters("ops").include(
        software.amazon.awssdk.services.ecs.model.ClusterField.SETTINGS)).clusters().get(0);
    assertEquals("enabled", cluster.settings().stream().filter(x -> x.nameAsString().equals("containerInsights"))
        .findFirst().orElseThrow().value());
    Service svc = aws.ecs().describeServices(b -> b.cluster("ops").services("exporter")).services().get(0);
    assertTrue(svc.enableExecuteCommand());
    assertEquals("SERVICE", svc.propagateTagsAsString());
    assertEquals("FARGATE", svc.launchTypeAsString());
    assertEquals("1.4.0", svc.platformVersion());
    assertEquals(50, svc.deploymentConfiguration().minimumHealthyPercent());
    assertFalse(svc.deploymentConfiguration().deploymentCircuitBreaker().enable());
    assertEquals("DISABLED", svc.networkConfiguration().awsvpcConfiguration().assignPublicIpAsString());
    assertEquals(Map.of("team", "exports", "cost-center", "42"), aws.ecs().listTagsForResource(b -> b
        .resourceArn(svc.serviceArn())).tags().stream().collect(java.util.stream.Collectors.toMap(
            software.amazon.awssdk.services.ecs.model.Tag::key, software.amazon.awssdk.services.ecs.model.Tag::value)));
    // the VPC's default security group, since none was given and no ALB was asked for
    String defaultGroup = aws.ec2().describeSecurityGroups(b -> b.filters(f -> f.name("vpc-id").values(vpc),
        f -> f.name("group-name").values("default"))).securityGroups().get(0).groupId();
    assertEquals(List.of(defaultGroup), svc.networkConfiguration().awsvpcConfiguration().securityGroups());

    Berth.Run again = berth(args);
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals("[]", again.json().path("changed").toString(), again.toString());
    assertEquals(List.of(), calls().stream().filter(EcsDeployServiceIT::mutating).toList());

    // a new tag is added without touching the service itself
    List<String> more = new ArrayList<>(args);
    more.addAll(List.of("--tag", "stage=prod"));
    Berth.Run tagged = berth(more);
    assertEquals("[\"tags\"]", tagged.json().path("changed").toString(), tagged.toString());
    assertEquals(List.of("ecs:TagResource"), calls().stream().filter(EcsDeployServiceIT::mutating).toList());
  }

  @Test
  void capacityProviders_onANewCluster_areRegisteredAndUsed_andRerunChangesNothing() throws IOException {
    List<String> args = List.of("ecs-deploy-service", "--cluster", "spot", "--service", "exporter",
        "--task-definition", FAMILY, "--subnets", subnetA, "--desired-count", "2", "--timeout", "60s",
        "--capacity-provider", "FARGATE_SPOT:3", "--capacity-provider", "FARGATE:1:1");
    Berth.Run run = berth(args);
    assertEquals(0, run.exitCode(), run.toString());
    var cluster = aws.ecs().describeClusters(b -> b.clusters("spot")).clusters().get(0);
    assertTrue(cluster.capacityProviders().containsAll(List.of("FARGATE", "FARGATE_SPOT")), cluster.toString());
    Service svc = aws.ecs().describeServices(b -> b.cluster("spot").services("exporter")).services().get(0);
    assertEquals(2, svc.capacityProviderStrategy().size(), svc.toString());
    var spot = svc.capacityProviderStrategy().stream().filter(c -> c.capacityProvider().equals("FARGATE_SPOT"))
        .findFirst().orElseThrow();
    assertEquals(3, spot.weight());
    Berth.Run again = berth(args);
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals(List.of(), calls().stream().filter(EcsDeployServiceIT::mutating).toList(), again.toString());
  }

  @Test
  void rerun_withTheServicesOwnSubnetsAndGroups_makesNoEc2Call_whileAnotherGroupIsChecked() throws IOException {
    String group = aws.ec2().createSecurityGroup(b -> b.groupName("tasks").description("tasks").vpcId(vpc)).groupId();
    String other = aws.ec2().createSecurityGroup(b -> b.groupName("other").description("other").vpcId(vpc))
        .groupId();
    List<String> args = new ArrayList<>(List.of("ecs-deploy-service", "--cluster", "net", "--service", "exporter",
        "--task-definition", FAMILY, "--subnets", subnetA + "," + subnetB, "--security-groups", group,
        "--desired-count", "2", "--timeout", "60s"));
    assertEquals(0, berth(args).exitCode());
    assertTrue(calls().contains("ec2:DescribeSubnets"), calls().toString());

    // the same network in another order: ECS already accepted these ids, nothing to look up (start-up: no EC2
    // client either)
    args.set(args.indexOf(subnetA + "," + subnetB), subnetB + "," + subnetA);
    Berth.Run again = berth(args);
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals("[]", again.json().path("changed").toString(), again.toString());
    assertEquals(List.of(), calls().stream().filter(c -> c.startsWith("ec2:")).toList());

    // a different group is checked before it is used
    args.set(args.indexOf(group), other);
    Berth.Run changed = berth(args);
    assertEquals(0, changed.exitCode(), changed.toString());
    assertTrue(calls().contains("ec2:DescribeSecurityGroups"), calls().toString());
    assertEquals(List.of(other), aws.ecs().describeServices(b -> b.cluster("net").services("exporter")).services()
        .get(0).networkConfiguration().awsvpcConfiguration().securityGroups());
  }

  @Test
  void rollout_thatNeverCompletes_timesOutWithExit5AndThePartialResult() throws IOException {
    // moto reports MOTO_ECS_SERVICE_RUNNING=2 tasks: a desired count of 3 never completes
    Berth.Run run = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "slow",
        "--task-definition", FAMILY, "--subnets", subnetA, "--desired-count", "3", "--timeout", "1s"));
    assertEquals(5, run.exitCode(), run.toString());
    JsonNode r = run.json();
    assertFalse(r.path("ok").asBoolean());
    assertEquals("TIMED_OUT", r.path("verdict").asText());
    assertEquals("TIMED_OUT", r.path("outcome").asText());
    assertEquals("IN_PROGRESS", r.path("rolloutState").asText());
    assertEquals(2, r.path("runningCount").asInt());
    assertTrue(r.path("deploymentId").asText().startsWith("ecs-svc/"));
    assertTrue(r.path("reasons").get(0).asText().contains("2 of 3 tasks running"), r.toString());
    assertTrue(r.path("error").asText().contains("TIMED_OUT"), r.toString());
  }

  /**
   * A rollout that fails ends its verdict with the crashed container's last log lines. moto never stops a task,
   * so a proxy in front of it plays ECS's side of a failure in the API reference's shapes: DescribeServices says
   * our deployment FAILED (circuit breaker without rollback), ListTasks/DescribeTasks return one stopped task of
   * our deployment. The task definition (awslogs) and the log stream are moto's own, read with GetLogEvents.
   */
  @Test
  void rollout_thatFails_endsItsVerdictWithTheStoppedContainersLastLogLines() throws IOException {
    aws.ecs().registerTaskDefinition(b -> b.family("crashing").networkMode(NetworkMode.AWSVPC)
        .requiresCompatibilities(Compatibility.FARGATE).cpu("256").memory("512")
        .containerDefinitions(c -> c.name(CONTAINER).image("123456789012.dkr.ecr.us-east-2.amazonaws.com/"
            + "opensourceapirepo:node-20").essential(true)
            .logConfiguration(l -> l.logDriver("awslogs").options(Map.of("awslogs-group", "/ecs/crashing",
                "awslogs-region", MotoServer.REGION, "awslogs-stream-prefix", "ecs")))));
    String taskId = "0123456789abcdef0123456789abcdef";
    String stream = "ecs/" + CONTAINER + "/" + taskId;
    aws.logs().createLogGroup(b -> b.logGroupName("/ecs/crashing"));
    aws.logs().createLogStream(b -> b.logGroupName("/ecs/crashing").logStreamName(stream));
    long now = System.currentTimeMillis();
    aws.logs().putLogEvents(b -> b.logGroupName("/ecs/crashing").logStreamName(stream).logEvents(
        e -> e.timestamp(now - 2).message("> gantt-exporter@2.3.0 start"),
        e -> e.timestamp(now - 1).message("listening on :80"),
        e -> e.timestamp(now).message("Error: connect ECONNREFUSED 10.0.3.12:5432")));

    java.util.concurrent.atomic.AtomicReference<String> ours = new java.util.concurrent.atomic.AtomicReference<>();
    String taskArn = "arn:aws:ecs:us-east-2:123456789012:task/shop/" + taskId;
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (dev.berth.testbed.FaultProxy proxy = dev.berth.testbed.FaultProxy.to(moto.endpoint()).rate(0)
        .rewrite((ex, body) -> {
          if (!ex.action().equals("ecs:DescribeServices") || ex.status() != 200) {
            return body;
          }
          try {
            JsonNode tree = json.readTree(body);
            for (JsonNode svc : tree.path("services")) {
              for (JsonNode d : svc.path("deployments")) {
                if ("PRIMARY".equals(d.path("status").asText())) {
                  ours.set(d.path("id").asText());
                  ((com.fasterxml.jackson.databind.node.ObjectNode) d).put("rolloutState", "FAILED")
                      .put("rolloutStateReason", "ECS deployment circuit breaker: tasks failed to start.")
                      .put("runningCount", 0).put("failedTasks", 1);
                }
              }
            }
            return json.writeValueAsBytes(tree);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        })
        .respondWithBody((ex, body) -> {
          String request = new String(body, java.nio.charset.StandardCharsets.UTF_8);
          if (ex.action().equals("ecs:ListTasks") && request.contains("STOPPED")) {
            return new dev.berth.testbed.FaultProxy.Answer(200, "application/x-amz-json-1.1",
                "{\"taskArns\":[\"" + taskArn + "\"]}");
          }
          if (ex.action().equals("ecs:DescribeTasks")) {
            String td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition("crashing")).taskDefinition()
                .taskDefinitionArn();
            return new dev.berth.testbed.FaultProxy.Answer(200, "application/x-amz-json-1.1",
                "{\"tasks\":[{\"taskArn\":\"" + taskArn + "\",\"clusterArn\":\"arn:aws:ecs:us-east-2:123456789012:"
                + "cluster/shop\",\"taskDefinitionArn\":\"" + td + "\",\"startedBy\":\"" + ours.get()
                + "\",\"lastStatus\":\"STOPPED\",\"desiredStatus\":\"STOPPED\",\"launchType\":\"FARGATE\","
                + "\"stopCode\":\"EssentialContainerExited\",\"stoppedReason\":\"Essential container in task "
                + "exited\",\"stoppedAt\":" + (now / 1000) + ",\"group\":\"service:crashing\",\"containers\":"
                + "[{\"name\":\"" + CONTAINER + "\",\"lastStatus\":\"STOPPED\",\"exitCode\":1}]}],\"failures\":[]}");
          }
          return null;
        }).start()) {
      Files.writeString(apiLog, "");
      Berth.Run run = Berth.inProcess(Map.of("BERTH_API_LOG", apiLog.toString()), "ecs-deploy-service",
          "--cluster", "shop", "--service", "crashing", "--task-definition", "crashing", "--subnets", subnetA,
          "--no-circuit-breaker", "--log-lines", "2", "--timeout", "60s", "--region", MotoServer.REGION,
          "--endpoint-url", proxy.endpoint().toString());
      System.out.println(run + "\n--- calls\n" + calls());
      assertEquals(1, run.exitCode(), run.toString());
      JsonNode r = run.json();
      assertEquals("FAILED", r.path("verdict").asText(), run.toString());
      assertEquals(ours.get(), r.path("deploymentId").asText());
      List<String> reasons = StreamSupport.stream(r.path("reasons").spliterator(), false).map(JsonNode::asText)
          .toList();
      assertTrue(reasons.stream().anyMatch(x -> x.contains("1 task stopped: Essential container in task exited")),
          reasons.toString());
      // --log-lines 2: the last two lines of the container's awslogs stream, with where they come from
      String last = reasons.get(reasons.size() - 1);
      assertTrue(last.startsWith("logs of container " + CONTAINER + " (task " + taskId + ", /ecs/crashing " + stream
          + "), last 2 lines:"), last);
      assertTrue(last.endsWith("\n    listening on :80\n    Error: connect ECONNREFUSED 10.0.3.12:5432"), last);
      assertFalse(last.contains("gantt-exporter@2.3.0 start"), last);
      assertTrue(run.stderr().contains("Error: connect ECONNREFUSED 10.0.3.12:5432"), run.stderr());
      assertTrue(calls().contains("logs:GetLogEvents"), calls().toString());
    }
  }

  @Test
  void logLines_outsideGetLogEventsLimit_exits3BeforeAnyCall() throws IOException {
    Berth.Run run = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", FAMILY, "--subnets", subnetA, "--log-lines", "10001"));
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("--log-lines: must be between 0 and 10000, not 10001"),
        run.toString());
    assertEquals(List.of(), calls());
  }

  @Test
  void invalidInput_exits3_withEveryViolation_andCreatesNothing() throws IOException {
    Berth.Run run = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", "no-such-family", "--subnets", subnetA, "--create-load-balancer", "--vpc-id", vpc,
        "--autoscaling-min", "5", "--autoscaling-max", "2", "--cpu-target", "150", "--health-check-path", "health"));
    assertEquals(3, run.exitCode(), run.toString());
    String err = run.json().path("error").asText();
    for (String flag : List.of("--task-definition", "--subnets", "--autoscaling-min", "--cpu-target",
        "--health-check-path")) {
      assertTrue(err.contains(flag), flag + " missing from: " + err);
    }
    assertTrue(err.contains("no-such-family"), err);
    assertNothingCreated();
  }

  @Test
  void invalidInput_subnetsInOneZone_forANewLoadBalancer_exits3() throws IOException {
    Berth.Run run = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", FAMILY, "--subnets", subnetA + "," + subnetA2, "--create-load-balancer"));
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("an ALB needs subnets in at least two availability zones"),
        run.toString());
    assertNothingCreated();
  }

  @Test
  void invalidInput_missingSubnetsOnCreate_unknownTargetGroup_unknownSubnet_exit3() throws IOException {
    Berth.Run noSubnets = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", FAMILY));
    assertEquals(3, noSubnets.exitCode(), noSubnets.toString());
    assertTrue(noSubnets.json().path("error").asText().contains("--subnets: required when the service is created"));

    Berth.Run unknownTg = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", FAMILY, "--subnets", subnetA, "--target-group-arn",
        "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/nope/0123456789abcdef"));
    assertEquals(3, unknownTg.exitCode(), unknownTg.toString());
    assertTrue(unknownTg.json().path("error").asText().contains("--target-group-arn"), unknownTg.toString());

    Berth.Run unknownSubnet = berth(List.of("ecs-deploy-service", "--cluster", "shop", "--service", "gantt-exporter",
        "--task-definition", FAMILY, "--subnets", "subnet-0000000000000dead"));
    assertEquals(3, unknownSubnet.exitCode(), unknownSubnet.toString());
    assertTrue(unknownSubnet.json().path("error").asText().contains("subnet-0000000000000dead"), unknownSubnet.toString());
    assertNothingCreated();
  }

  @Test
  void createLoadBalancer_whenANameIsTakenByAForeignLoadBalancer_exits3AndAdoptsNothing() throws IOException {
    DeployNames names = new DeployNames("shop", "gantt-exporter");
    aws.elb().createLoadBalancer(b -> b.name(names.loadBalancer()).subnets(subnetA, subnetB));
    Berth.Run run = berth(story());
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().path("error").asText().contains("berth did not create it for cluster shop, service"
        + " gantt-exporter"), run.toString());
    assertEquals(List.of(), calls().stream().filter(EcsDeployServiceIT::mutating).toList());
  }

  @Test
  void createLoadBalancer_withUsersSecurityGroup_addsNoRuleToIt_andGivesTheTasksBerthsOwnGroup() throws IOException {
    String shared = aws.ec2().createSecurityGroup(b -> b.groupName("shared").description("shared").vpcId(vpc))
        .groupId();
    Berth.Run run = berth(story("--security-groups", shared));
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(List.of(), aws.ec2().describeSecurityGroups(b -> b.groupIds(shared)).securityGroups().get(0)
        .ipPermissions(), "the user's group is not changed");
    List<String> groups = aws.ecs().describeServices(b -> b.cluster("shop").services("gantt-exporter")).services()
        .get(0).networkConfiguration().awsvpcConfiguration().securityGroups();
    assertEquals(2, groups.size(), groups.toString());
    assertEquals(shared, groups.get(0));
    SecurityGroup own = aws.ec2().describeSecurityGroups(b -> b.groupIds(groups.get(1))).securityGroups().get(0);
    assertEquals(new DeployNames("shop", "gantt-exporter").serviceSecurityGroup(), own.groupName());
    assertTrue(own.tags().stream().anyMatch(t -> t.key().equals("berth:service") && t.value().equals("gantt-exporter")),
        own.toString());
    assertEquals(1, own.ipPermissions().size(), own.toString());
    Berth.Run again = berth(story("--security-groups", shared));
    assertEquals("[]", again.json().path("changed").toString(), again.toString());
  }

  @Test
  void createLoadBalancer_forClusterServicePairsThatJoinAlike_makesTwoLoadBalancers() throws IOException {
    for (String[] cs : new String[][] {{"prod", "api-web"}, {"prod-api", "web"}}) {
      Berth.Run run = berth(List.of("ecs-deploy-service", "--cluster", cs[0], "--service", cs[1],
          "--task-definition", FAMILY, "--subnets", subnetA + "," + subnetB, "--create-load-balancer",
          "--desired-count", "2", "--timeout", "60s"));
      assertEquals(0, run.exitCode(), run.toString());
    }
    assertEquals(2, aws.elb().describeLoadBalancers().loadBalancers().size());
    assertEquals(2, aws.elb().describeTargetGroups().targetGroups().size());
  }

  private void assertNothingCreated() throws IOException {
    assertEquals(List.of(), calls().stream().filter(EcsDeployServiceIT::mutating).toList());
    assertEquals(List.of(), aws.ecs().listClusters().clusterArns());
    assertEquals(List.of(), aws.elb().describeLoadBalancers().loadBalancers());
    assertEquals(List.of(), aws.elb().describeTargetGroups().targetGroups());
    assertEquals(List.of(), aws.autoscaling().describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS))
        .scalableTargets());
    assertEquals(1, aws.ec2().describeSecurityGroups(b -> b.filters(f -> f.name("vpc-id").values(vpc)))
        .securityGroups().size(), "only the VPC's default group");
  }

  /** Order-free comparison of id lists. */
  static final class Set2 {
    static java.util.Set<String> of(String... s) {
      return new java.util.TreeSet<>(List.of(s));
    }

    static java.util.Set<String> of(List<String> s) {
      return new java.util.TreeSet<>(s);
    }
  }

  static void assertPresent(Object o) {
    assertNotNull(o);
  }
}
