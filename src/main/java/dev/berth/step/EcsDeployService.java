package dev.berth.step;

import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Change;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import dev.berth.rollout.Rollout;
import dev.berth.rollout.RolloutWatcher;
import dev.berth.rollout.Sleeper;
import dev.berth.rollout.TaskLogs;
import dev.berth.rollout.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.ClusterField;
import software.amazon.awssdk.services.ecs.model.ClusterSetting;
import software.amazon.awssdk.services.ecs.model.ClusterSettingName;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.CreateServiceRequest;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DeploymentCircuitBreaker;
import software.amazon.awssdk.services.ecs.model.DeploymentConfiguration;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.LoadBalancer;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.UpdateServiceRequest;

/**
 * Creates or updates a Fargate service (and its cluster), optionally behind an Application Load Balancer it
 * creates, registers its Application Auto Scaling target and target-tracking policies, and watches the
 * rollout to a {@link Verdict}.
 *
 * <p>Built as observe, desired, diff, apply. {@link #plan} makes only read calls and checks everything that can
 * be checked without a change (flags, task definition, subnets and their zones, security groups, target group,
 * existing ALB, autoscaling range); all violations are thrown at once as {@link InvalidInputException} (exit 3).
 * From what it observed and what is asked, the cluster, load-balancer ({@link DeployLoadBalancer}), service and
 * autoscaling ({@link DeployAutoscaling}) parts each add their changes to one {@link DeployPlan}: a resource to
 * create with its fields, or the fields that differ (old -> new). With {@code dryRun} that list is returned and
 * nothing is changed; otherwise exactly that list is applied (an AWS error is translated once per change) and
 * returned as {@code changes}. An update sends only the fields that differ, so a call that changes nothing
 * makes no mutating call and starts no deployment. A rollout that does not complete is thrown with its
 * verdict's outcome and this step's partial result ({@link BerthException#withResult}).
 */
public final class EcsDeployService {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);
  public static final int DEFAULT_DEREGISTRATION_DELAY = 30;
  public static final String DEFAULT_HEALTH_CHECK_PATH = "/";
  public static final int DEFAULT_HEALTH_CHECK_INTERVAL = 30;
  public static final int DEFAULT_HEALTHY_THRESHOLD = 5;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
  public static final int DEFAULT_COOLDOWN = 300;

  /** One entry of a capacity provider strategy: FARGATE or FARGATE_SPOT, weight, base. */
  public record CapacityProvider(String name, int weight, int base) {}

  /**
   * What to deploy. Nullable fields mean "not given": on create the documented default applies, on update
   * the service's current value is kept.
   */
  public record Request(
      String cluster,
      String service,
      String taskDefinition,
      Boolean containerInsights,
      String platformVersion,
      List<CapacityProvider> capacityProviders,
      List<String> subnets,
      List<String> securityGroups,
      Boolean assignPublicIp,
      Integer desiredCount,
      String targetGroupArn,
      String containerName,
      Integer containerPort,
      boolean createLoadBalancer,
      String vpcId,
      String healthCheckPath,
      Integer healthCheckInterval,
      Integer healthyThreshold,
      Integer unhealthyThreshold,
      Integer deregistrationDelay,
      String certificateArn,
      Integer healthCheckGracePeriod,
      Integer minHealthyPercent,
      Integer maxPercent,
      Boolean circuitBreaker,
      Boolean enableExecuteCommand,
      String propagateTags,
      Map<String, String> tags,
      Integer autoscalingMin,
      Integer autoscalingMax,
      Double cpuTarget,
      Double memoryTarget,
      Double requestsPerTarget,
      Integer scaleInCooldown,
      Integer scaleOutCooldown,
      boolean forceNewDeployment,
      boolean waitForRollout,
      Duration timeout,
      List<String> loadBalancerSubnets,
      String loadBalancerScheme,
      int logLines,
      boolean dryRun) {

    public Request {
      capacityProviders = capacityProviders == null ? List.of() : List.copyOf(capacityProviders);
      subnets = subnets == null ? List.of() : List.copyOf(subnets);
      securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
      loadBalancerSubnets = loadBalancerSubnets == null ? List.of() : List.copyOf(loadBalancerSubnets);
      tags = tags == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(tags));
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    public static Builder builder(String cluster, String service, String taskDefinition) {
      return new Builder(cluster, service, taskDefinition);
    }

    boolean wantsLoadBalancer() {
      return createLoadBalancer || targetGroupArn != null;
    }

    boolean managesAutoscaling() {
      return autoscalingMin != null || autoscalingMax != null || cpuTarget != null || memoryTarget != null
          || requestsPerTarget != null;
    }
  }

  /** Builds a {@link Request}; every setter is optional. */
  public static final class Builder {
    private final String cluster;
    private final String service;
    private final String taskDefinition;
    private Boolean containerInsights;
    private String platformVersion;
    private List<CapacityProvider> capacityProviders = List.of();
    private List<String> subnets = List.of();
    private List<String> securityGroups = List.of();
    private Boolean assignPublicIp;
    private Integer desiredCount;
    private String targetGroupArn;
    private String containerName;
    private Integer containerPort;
    private boolean createLoadBalancer;
    private String vpcId;
    private String healthCheckPath;
    private Integer healthCheckInterval;
    private Integer healthyThreshold;
    private Integer unhealthyThreshold;
    private Integer deregistrationDelay;
    private String certificateArn;
    private Integer healthCheckGracePeriod;
    private Integer minHealthyPercent;
    private Integer maxPercent;
    private Boolean circuitBreaker;
    private Boolean enableExecuteCommand;
    private String propagateTags;
    private Map<String, String> tags = Map.of();
    private Integer autoscalingMin;
    private Integer autoscalingMax;
    private Double cpuTarget;
    private Double memoryTarget;
    private Double requestsPerTarget;
    private Integer scaleInCooldown;
    private Integer scaleOutCooldown;
    private boolean forceNewDeployment;
    private boolean waitForRollout = true;
    private Duration timeout = DEFAULT_TIMEOUT;
    private List<String> loadBalancerSubnets = List.of();
    private String loadBalancerScheme;
    private int logLines = TaskLogs.DEFAULT_LINES;
    private boolean dryRun;

    private Builder(String cluster, String service, String taskDefinition) {
      this.cluster = cluster;
      this.service = service;
      this.taskDefinition = taskDefinition;
    }

    public Builder containerInsights(Boolean v) { containerInsights = v; return this; }
    public Builder platformVersion(String v) { platformVersion = v; return this; }
    public Builder capacityProviders(List<CapacityProvider> v) { capacityProviders = v; return this; }
    public Builder subnets(List<String> v) { subnets = v; return this; }
    public Builder securityGroups(List<String> v) { securityGroups = v; return this; }
    public Builder assignPublicIp(Boolean v) { assignPublicIp = v; return this; }
    public Builder desiredCount(Integer v) { desiredCount = v; return this; }
    public Builder targetGroupArn(String v) { targetGroupArn = v; return this; }
    public Builder containerName(String v) { containerName = v; return this; }
    public Builder containerPort(Integer v) { containerPort = v; return this; }
    public Builder createLoadBalancer(boolean v) { createLoadBalancer = v; return this; }
    public Builder vpcId(String v) { vpcId = v; return this; }
    public Builder healthCheckPath(String v) { healthCheckPath = v; return this; }
    public Builder healthCheckInterval(Integer v) { healthCheckInterval = v; return this; }
    public Builder healthyThreshold(Integer v) { healthyThreshold = v; return this; }
    public Builder unhealthyThreshold(Integer v) { unhealthyThreshold = v; return this; }
    public Builder deregistrationDelay(Integer v) { deregistrationDelay = v; return this; }
    public Builder certificateArn(String v) { certificateArn = v; return this; }
    public Builder healthCheckGracePeriod(Integer v) { healthCheckGracePeriod = v; return this; }
    public Builder minHealthyPercent(Integer v) { minHealthyPercent = v; return this; }
    public Builder maxPercent(Integer v) { maxPercent = v; return this; }
    public Builder circuitBreaker(Boolean v) { circuitBreaker = v; return this; }
    public Builder loadBalancerSubnets(List<String> v) { loadBalancerSubnets = v; return this; }
    public Builder loadBalancerScheme(String v) { loadBalancerScheme = v; return this; }
    public Builder enableExecuteCommand(Boolean v) { enableExecuteCommand = v; return this; }
    public Builder propagateTags(String v) { propagateTags = v; return this; }
    public Builder tags(Map<String, String> v) { tags = v; return this; }
    public Builder autoscalingMin(Integer v) { autoscalingMin = v; return this; }
    public Builder autoscalingMax(Integer v) { autoscalingMax = v; return this; }
    public Builder cpuTarget(Double v) { cpuTarget = v; return this; }
    public Builder memoryTarget(Double v) { memoryTarget = v; return this; }
    public Builder requestsPerTarget(Double v) { requestsPerTarget = v; return this; }
    public Builder scaleInCooldown(Integer v) { scaleInCooldown = v; return this; }
    public Builder scaleOutCooldown(Integer v) { scaleOutCooldown = v; return this; }
    public Builder forceNewDeployment(boolean v) { forceNewDeployment = v; return this; }
    public Builder waitForRollout(boolean v) { waitForRollout = v; return this; }
    public Builder timeout(Duration v) { timeout = v; return this; }
    /** Last lines of each stopped task's essential containers' awslogs stream in a failure verdict (0: none). */
    public Builder logLines(int v) { logLines = v; return this; }
    /** Make only read calls and return the plan (the changes a real run makes) instead of applying it. */
    public Builder dryRun(boolean v) { dryRun = v; return this; }

    public Request build() {
      return new Request(cluster, service, taskDefinition, containerInsights, platformVersion, capacityProviders,
          subnets, securityGroups, assignPublicIp, desiredCount, targetGroupArn, containerName, containerPort,
          createLoadBalancer, vpcId, healthCheckPath, healthCheckInterval, healthyThreshold, unhealthyThreshold,
          deregistrationDelay, certificateArn, healthCheckGracePeriod, minHealthyPercent, maxPercent, circuitBreaker,
          enableExecuteCommand, propagateTags, tags, autoscalingMin, autoscalingMax, cpuTarget, memoryTarget,
          requestsPerTarget, scaleInCooldown, scaleOutCooldown, forceNewDeployment, waitForRollout, timeout,
          loadBalancerSubnets, loadBalancerScheme, logLines, dryRun);
    }
  }

  /** The service's Application Auto Scaling range and the names of its policies. */
  public record Autoscaling(int min, int max, List<String> policies) {}

  /**
   * What the deploy did and how the rollout ended.
   *
   * @param verdict the rollout's verdict; null with --no-wait
   * @param created true when the service was created by this call
   * @param changed what this call changed ("cluster created", "taskDefinition", "desiredCount", ...); empty
   *     when nothing changed
   * @param reasons why the rollout did not complete (null when it did)
   * @param dryRun true for a dry run (nothing was changed, no rollout watched), else null (absent)
   * @param changes the plan: what this call changed or, in a dry run, would change, in the order applied; on a
   *     failure part way, the changes made before it
   */
  public record Result(
      String clusterArn,
      String serviceArn,
      String taskDefinitionArn,
      String deploymentId,
      String rolloutState,
      Verdict verdict,
      Integer desiredCount,
      Integer runningCount,
      boolean created,
      List<String> changed,
      String loadBalancerDnsName,
      String targetGroupArn,
      Autoscaling autoscaling,
      String supersededBy,
      List<String> reasons,
      Map<String, String> containers,
      Boolean dryRun,
      List<Change> changes) {}

  private final AwsClients aws;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollInterval;

  public EcsDeployService(AwsClients aws, Progress progress) {
    this(aws, progress, Clock.systemUTC(), Sleeper.system(), RolloutWatcher.DEFAULT_POLL_INTERVAL);
  }

  public EcsDeployService(AwsClients aws, Progress progress, Clock clock, Sleeper sleeper, Duration pollInterval) {
    this.aws = Objects.requireNonNull(aws);
    this.progress = Objects.requireNonNull(progress);
    this.clock = Objects.requireNonNull(clock);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.pollInterval = Objects.requireNonNull(pollInterval);
  }

  /** What the read-only phase found. */
  static final class Observed {
    TaskDefinition taskDefinition;
    Cluster cluster;
    Service service;
    String containerName;
    Integer containerPort;
    List<Subnet> subnets = List.of();
    String vpcId;
    List<SecurityGroup> securityGroups = List.of();
    /** The new ALB's subnets, one per zone (only with --create-load-balancer). */
    List<Subnet> loadBalancerSubnets = List.of();
    DeployLoadBalancer.Existing loadBalancing;
    DeployAutoscaling.Existing autoscaling;
    /** Target group of the service after this call (given, created, or the service's current one). */
    String targetGroupArn;
  }

  public Result run(Request r) {
    Observed plan = plan(r);
    List<String> changed = new ArrayList<>();
    Partial partial = new Partial();
    partial.taskDefinitionArn = plan.taskDefinition.taskDefinitionArn();
    try {
      return apply(r, plan, changed, partial);
    } catch (BerthException e) {
      if (e.result() == null) {
        e.withResult(partial.toResult(changed));
      }
      throw e;
    } catch (SdkException e) {
      throw AwsErrors.translate("deploying service " + r.service(), e).withResult(partial.toResult(changed));
    }
  }

  /** What is known so far, attached to a failure. */
  private static final class Partial {
    String clusterArn;
    String serviceArn;
    String taskDefinitionArn;
    String deploymentId;
    boolean created;
    String loadBalancerDnsName;
    String targetGroupArn;
    Map<String, String> containers;
    /** The service as the create or update left it (null: not changed). */
    Service after;
    DeployPlan plan;

    Result toResult(List<String> changed) {
      return new Result(clusterArn, serviceArn, taskDefinitionArn, deploymentId, null, null, null, null, created,
          List.copyOf(changed), loadBalancerDnsName, targetGroupArn, null, null, null, containers, null,
          plan == null ? null : plan.applied());
    }
  }

  // ---------------------------------------------------------------- read-only phase

  Observed plan(Request r) {
    List<Violation> v = new ArrayList<>();
    validateFlags(r, v);
    Observed p = new Observed();
    EcsClient ecs = aws.ecs();

    p.taskDefinition = describeTaskDefinition(ecs, r.taskDefinition(), v);
    if (p.taskDefinition != null) {
      checkTaskDefinition(r, p, v);
    }
    p.cluster = r.cluster() == null || r.cluster().isBlank() ? null : describeCluster(ecs, r.cluster());
    if (p.cluster == null && r.cluster() != null && r.cluster().startsWith("arn:")) {
      v.add(Violation.error("--cluster", "cluster " + r.cluster() + " not found (give a name to create it)"));
    }
    p.service = p.cluster == null || r.service() == null || r.service().isBlank() ? null
        : EcsServiceLookup.describe(ecs, p.cluster.clusterArn(), r.service());
    boolean creating = p.service == null;
    if (creating && r.service() != null && r.service().startsWith("arn:")) {
      v.add(Violation.error("--service", "service " + r.service() + " not found (give a name to create it)"));
    }
    if (creating && r.service() != null && !r.service().isBlank() && !r.service().matches("[A-Za-z0-9_-]{1,255}")) {
      v.add(Violation.error("--service", "'" + r.service() + "' is not a valid service name (letters, digits, "
          + "- and _, up to 255)"));
    }
    if (p.cluster == null && r.cluster() != null && !r.cluster().startsWith("arn:") && !r.cluster().isBlank()
        && !r.cluster().matches("[A-Za-z0-9_-]{1,255}")) {
      v.add(Violation.error("--cluster", "'" + r.cluster() + "' is not a valid cluster name (letters, digits, "
          + "- and _, up to 255)"));
    }

    List<String> subnetIds = !r.subnets().isEmpty() ? r.subnets() : currentSubnets(p.service);
    if (creating && r.subnets().isEmpty()) {
      v.add(Violation.error("--subnets", "required when the service is created (service '" + r.service()
          + "' does not exist in cluster '" + r.cluster() + "')"));
    }
    // A rerun that names the subnets and groups the service already runs in (and no load balancer, which needs
    // the VPC) has nothing to check that ECS did not check when it accepted them: no EC2 client, no EC2 calls.
    boolean networkUnchanged = p.service != null && !r.wantsLoadBalancer() && !r.createLoadBalancer()
        && !r.subnets().isEmpty() && !r.securityGroups().isEmpty()
        && new HashSet<>(r.subnets()).equals(new HashSet<>(currentSubnets(p.service)))
        && new HashSet<>(r.securityGroups()).equals(new HashSet<>(currentGroups(p.service)));
    if (!networkUnchanged && !subnetIds.isEmpty() && (!r.subnets().isEmpty() || r.createLoadBalancer())) {
      p.subnets = DeployNetwork.describeSubnets(aws.ec2(), subnetIds, v);
      Set<String> vpcs = new LinkedHashSet<>();
      p.subnets.forEach(s -> vpcs.add(s.vpcId()));
      if (vpcs.size() > 1) {
        v.add(Violation.error("--subnets", "subnets are in different VPCs " + vpcs));
      } else if (vpcs.size() == 1) {
        p.vpcId = vpcs.iterator().next();
      }
      if (r.vpcId() != null && p.vpcId != null && !r.vpcId().equals(p.vpcId)) {
        v.add(Violation.error("--vpc-id", "subnets are in " + p.vpcId + ", not in " + r.vpcId()));
      }
    }
    if (p.vpcId == null) {
      p.vpcId = r.vpcId();
    }
    if (!networkUnchanged && !r.securityGroups().isEmpty()) {
      p.securityGroups = DeployNetwork.describeSecurityGroups(aws.ec2(), r.securityGroups(), v);
      for (SecurityGroup g : p.securityGroups) {
        if (p.vpcId != null && !p.vpcId.equals(g.vpcId())) {
          v.add(Violation.error("--security-groups", g.groupId() + " is in " + g.vpcId() + ", not in " + p.vpcId));
        }
      }
    }
    if (r.createLoadBalancer()) {
      if (r.vpcId() == null && p.vpcId == null) {
        v.add(Violation.error("--vpc-id", "required with --create-load-balancer"));
      }
      planLoadBalancerSubnets(r, p, subnetIds, v);
    }
    if (!networkUnchanged && !p.subnets.isEmpty() && p.vpcId != null && !r.subnets().isEmpty()) {
      warnIfTasksCannotPull(r, p, v);
    }
    if (r.wantsLoadBalancer()) {
      p.loadBalancing = DeployLoadBalancer.inspect(aws.elb(), r.createLoadBalancer() ? aws.ec2() : null, r, p, v);
      p.targetGroupArn = p.loadBalancing.targetGroupArn();
    } else if (p.service != null && !p.service.loadBalancers().isEmpty()) {
      p.targetGroupArn = p.service.loadBalancers().get(0).targetGroupArn();
    }
    if (r.healthCheckGracePeriod() != null && r.healthCheckGracePeriod() > 0 && !r.wantsLoadBalancer()
        && (p.service == null || p.service.loadBalancers().isEmpty())) {
      v.add(Violation.error("--health-check-grace-period", "only applies to a service behind a load balancer: "
          + "add --create-load-balancer or --target-group-arn"));
    }
    if (r.requestsPerTarget() != null && p.targetGroupArn == null && !r.createLoadBalancer()) {
      v.add(Violation.error("--requests-per-target", "needs the service's target group: add "
          + "--create-load-balancer or --target-group-arn"));
    }
    if (r.managesAutoscaling()) {
      p.autoscaling = DeployAutoscaling.inspect(aws.autoscaling(), clusterName(r, p), serviceName(r, p), creating);
      Integer min = r.autoscalingMin() != null ? r.autoscalingMin()
          : p.autoscaling.target() == null ? null : p.autoscaling.target().minCapacity();
      Integer max = r.autoscalingMax() != null ? r.autoscalingMax()
          : p.autoscaling.target() == null ? null : p.autoscaling.target().maxCapacity();
      if (min == null || max == null) {
        v.add(Violation.error(r.autoscalingMin() == null ? "--autoscaling-min" : "--autoscaling-max",
            "autoscaling needs both --autoscaling-min and --autoscaling-max (no range is registered yet)"));
      } else if (min > max) {
        v.add(Violation.error("--autoscaling-min", "minimum " + min + " is above maximum " + max));
      } else if (r.desiredCount() != null && (r.desiredCount() < min || r.desiredCount() > max)) {
        v.add(Violation.error("--desired-count", r.desiredCount() + " is outside the autoscaling range " + min
            + "-" + max + ", which would undo it"));
      }
    } else if (r.desiredCount() != null && !creating) {
      DeployAutoscaling.Existing existing = DeployAutoscaling.inspect(aws.autoscaling(), clusterName(r, p),
          serviceName(r, p), false);
      if (existing.target() != null && (r.desiredCount() < existing.target().minCapacity()
          || r.desiredCount() > existing.target().maxCapacity())) {
        v.add(Violation.error("--desired-count", r.desiredCount() + " is outside the registered autoscaling range "
            + existing.target().minCapacity() + "-" + existing.target().maxCapacity()
            + ", which would undo it; move the range with --autoscaling-min/--autoscaling-max"));
      }
      p.autoscaling = existing;
    }
    InvalidInputException.throwIfAny(v);
    for (Violation w : v) {
      progress.warn(w.toString());
    }
    return p;
  }

  /**
   * The new ALB's subnets: --load-balancer-subnets as given (checked), else one per zone from the task
   * subnets, public ones first. CreateLoadBalancer refuses two subnets in one zone and an ALB in fewer than
   * two zones (ELBv2 API reference, CreateLoadBalancer, Subnets), so both are caught here, before any change.
   */
  private void planLoadBalancerSubnets(Request r, Observed p, List<String> taskSubnetIds, List<Violation> v) {
    boolean internetFacing = !"internal".equals(r.loadBalancerScheme());
    String flag = r.loadBalancerSubnets().isEmpty() ? "--subnets" : "--load-balancer-subnets";
    List<Subnet> candidates;
    if (!r.loadBalancerSubnets().isEmpty()) {
      candidates = DeployNetwork.describeSubnets(aws.ec2(), r.loadBalancerSubnets(), v);
      for (Subnet s : candidates) {
        if (p.vpcId != null && !p.vpcId.equals(s.vpcId())) {
          v.add(Violation.error(flag, s.subnetId() + " is in " + s.vpcId() + ", not in the service's " + p.vpcId));
        }
      }
    } else {
      candidates = p.subnets;
    }
    if (candidates.isEmpty() && taskSubnetIds.size() < 2) {
      v.add(Violation.error(flag, "--create-load-balancer needs subnets in at least two availability zones (an"
          + " ALB spans two zones); got " + taskSubnetIds.size() + " subnet(s)"));
      return;
    }
    if (candidates.isEmpty() || p.vpcId == null) {
      return;
    }
    Map<String, DeployNetwork.Reach> reach = DeployNetwork.reach(aws.ec2(), p.vpcId,
        candidates.stream().map(Subnet::subnetId).toList());
    List<Subnet> chosen = DeployNetwork.onePerZone(candidates, reach, internetFacing);
    if (!r.loadBalancerSubnets().isEmpty() && chosen.size() < candidates.size()) {
      Map<String, List<String>> byZone = new LinkedHashMap<>();
      candidates.forEach(s -> byZone.computeIfAbsent(s.availabilityZone(), z -> new ArrayList<>()).add(s.subnetId()));
      byZone.values().removeIf(l -> l.size() < 2);
      v.add(Violation.error(flag, "an ALB takes only one subnet per availability zone; " + byZone.entrySet()
          .stream().map(e -> e.getKey() + " has " + String.join(", ", e.getValue())).toList()));
    }
    if (chosen.size() < 2) {
      v.add(Violation.error(flag, "an ALB needs subnets in at least two availability zones; "
          + String.join(", ", candidates.stream().map(s -> s.subnetId() + " (" + s.availabilityZone() + ")")
          .toList()) + " cover " + chosen.size()));
      return;
    }
    p.loadBalancerSubnets = chosen;
    if (r.loadBalancerSubnets().isEmpty()) {
      progress.info("load balancer subnets (one per zone, from --subnets" + (internetFacing ? ", public first" : "")
          + "): " + String.join(", ", chosen.stream().map(s -> s.subnetId() + " (" + s.availabilityZone()
          + (DeployNetwork.isPublic(s, reach) ? ", public" : "") + ")").toList()));
    }
    if (internetFacing) {
      List<String> privateOnes = chosen.stream().filter(s -> !DeployNetwork.isPublic(s, reach))
          .map(Subnet::subnetId).toList();
      if (!privateOnes.isEmpty()) {
        v.add(Violation.warning(flag, "the internet-facing load balancer's subnets " + privateOnes + " have no"
            + " route to an internet gateway: it is unreachable from the internet there; give public subnets"
            + " with --load-balancer-subnets, or --load-balancer-scheme internal"));
      }
    }
  }

  /**
   * Warns when the task subnets reach neither an internet gateway (with a public IP), a NAT gateway nor ECR's
   * VPC endpoints: tasks there cannot pull the image and never start (ECS developer guide, "Fargate task
   * networking": a task needs a route to the internet or VPC endpoints to pull from ECR).
   */
  private void warnIfTasksCannotPull(Request r, Observed p, List<Violation> v) {
    boolean publicIp = r.assignPublicIp() != null ? r.assignPublicIp()
        : p.service == null || (p.service.networkConfiguration() != null
            && p.service.networkConfiguration().awsvpcConfiguration() != null
            && p.service.networkConfiguration().awsvpcConfiguration().assignPublicIp() == AssignPublicIp.ENABLED);
    Map<String, DeployNetwork.Reach> reach = DeployNetwork.reach(aws.ec2(), p.vpcId,
        p.subnets.stream().map(Subnet::subnetId).toList());
    List<String> stranded = p.subnets.stream().map(Subnet::subnetId).filter(id -> {
      DeployNetwork.Reach x = reach.get(id);
      return x == null || !(x.natGateway() || (x.internetGateway() && publicIp));
    }).toList();
    if (!stranded.isEmpty() && !DeployNetwork.hasEcrEndpoint(aws.ec2(), p.vpcId, aws.region().id())) {
      v.add(Violation.warning("--subnets", "tasks in " + stranded + " cannot pull their image: those subnets"
          + " route to no NAT gateway" + (publicIp ? " or internet gateway" : " (and tasks get no public IP)")
          + ", and the VPC has no ECR endpoint"));
    }
  }

  private static String clusterName(Request r, Observed p) {
    return p.cluster != null ? p.cluster.clusterName() : r.cluster();
  }

  private static String serviceName(Request r, Observed p) {
    return p.service != null ? p.service.serviceName() : r.service();
  }

  static void validateFlags(Request r, List<Violation> v) {
    blank(r.cluster(), "--cluster", v);
    blank(r.service(), "--service", v);
    blank(r.taskDefinition(), "--task-definition", v);
    range(r.desiredCount(), 0, 5000, "--desired-count", v);
    range(r.healthCheckGracePeriod(), 0, 2_147_483_647, "--health-check-grace-period", v);
    range(r.minHealthyPercent(), 0, 100, "--min-healthy-percent", v);
    range(r.maxPercent(), 100, 200, "--max-percent", v);
    range(r.containerPort(), 1, 65535, "--container-port", v);
    range(r.healthCheckInterval(), 5, 300, "--health-check-interval", v);
    range(r.healthyThreshold(), 2, 10, "--healthy-threshold", v);
    range(r.unhealthyThreshold(), 2, 10, "--unhealthy-threshold", v);
    range(r.deregistrationDelay(), 0, 3600, "--deregistration-delay", v);
    range(r.autoscalingMin(), 0, 5000, "--autoscaling-min", v);
    range(r.autoscalingMax(), 1, 5000, "--autoscaling-max", v);
    range(r.scaleInCooldown(), 0, 86400, "--scale-in-cooldown", v);
    range(r.scaleOutCooldown(), 0, 86400, "--scale-out-cooldown", v);
    if (r.autoscalingMin() != null && r.autoscalingMax() != null && r.autoscalingMin() > r.autoscalingMax()) {
      v.add(Violation.error("--autoscaling-min", "minimum " + r.autoscalingMin() + " is above maximum "
          + r.autoscalingMax()));
    }
    percent(r.cpuTarget(), "--cpu-target", v);
    percent(r.memoryTarget(), "--memory-target", v);
    if (r.requestsPerTarget() != null && !(r.requestsPerTarget() > 0)) {
      v.add(Violation.error("--requests-per-target", "must be above 0, got " + r.requestsPerTarget()));
    }
    if (r.createLoadBalancer() && r.targetGroupArn() != null) {
      v.add(Violation.error("--target-group-arn", "give either --target-group-arn (an existing ALB) or "
          + "--create-load-balancer, not both"));
    }
    if (!r.wantsLoadBalancer()) {
      for (String[] f : new String[][] {{r.certificateArn(), "--certificate-arn"}}) {
        if (f[0] != null) {
          v.add(Violation.error(f[1], "only applies with --create-load-balancer"));
        }
      }
    }
    if (r.loadBalancerScheme() != null && !r.loadBalancerScheme().matches("internet-facing|internal")) {
      v.add(Violation.error("--load-balancer-scheme", "must be internet-facing or internal, got '"
          + r.loadBalancerScheme() + "'"));
    }
    if (!r.createLoadBalancer() && (!r.loadBalancerSubnets().isEmpty() || r.loadBalancerScheme() != null)) {
      v.add(Violation.error(!r.loadBalancerSubnets().isEmpty() ? "--load-balancer-subnets"
          : "--load-balancer-scheme", "only applies with --create-load-balancer"));
    }
    if (r.healthCheckPath() != null && !r.healthCheckPath().startsWith("/")) {
      v.add(Violation.error("--health-check-path", "must start with /, got '" + r.healthCheckPath() + "'"));
    }
    if (r.platformVersion() != null && !r.platformVersion().matches("LATEST|\\d+\\.\\d+\\.\\d+")) {
      v.add(Violation.error("--platform-version", "must be LATEST or a version such as 1.4.0, got '"
          + r.platformVersion() + "'"));
    }
    if (r.propagateTags() != null && !r.propagateTags().matches("SERVICE|TASK_DEFINITION|NONE")) {
      v.add(Violation.error("--propagate-tags", "must be SERVICE, TASK_DEFINITION or NONE"));
    }
    int bases = 0;
    Set<String> names = new HashSet<>();
    for (CapacityProvider c : r.capacityProviders()) {
      if (!"FARGATE".equals(c.name()) && !"FARGATE_SPOT".equals(c.name())) {
        v.add(Violation.error("--capacity-provider", "'" + c.name() + "' is not FARGATE or FARGATE_SPOT"));
      }
      if (!names.add(c.name())) {
        v.add(Violation.error("--capacity-provider", c.name() + " is given twice"));
      }
      if (c.weight() < 0 || c.weight() > 1000) {
        v.add(Violation.error("--capacity-provider", c.name() + " weight " + c.weight() + " is outside 0-1000"));
      }
      if (c.base() < 0 || c.base() > 100000) {
        v.add(Violation.error("--capacity-provider", c.name() + " base " + c.base() + " is outside 0-100000"));
      }
      if (c.base() > 0) {
        bases++;
      }
    }
    if (bases > 1) {
      v.add(Violation.error("--capacity-provider", "only one capacity provider can have a base"));
    }
    if (!r.capacityProviders().isEmpty() && r.capacityProviders().stream().allMatch(c -> c.weight() == 0)) {
      v.add(Violation.error("--capacity-provider", "at least one capacity provider needs a weight above 0"));
    }
    for (Map.Entry<String, String> t : r.tags().entrySet()) {
      if (t.getKey().isBlank() || t.getKey().length() > 128 || t.getKey().startsWith("aws:")) {
        v.add(Violation.error("--tag", "key '" + t.getKey() + "' must be 1-128 characters and not start with aws:"));
      }
      if (t.getValue() != null && t.getValue().length() > 256) {
        v.add(Violation.error("--tag", "value of '" + t.getKey() + "' is longer than 256 characters"));
      }
    }
    if (r.timeout() != null && (r.timeout().isNegative() || r.timeout().isZero())) {
      v.add(Violation.error("--timeout", "must be positive"));
    }
  }

  private static void blank(String s, String flag, List<Violation> v) {
    if (s == null || s.isBlank()) {
      v.add(Violation.error(flag, "required"));
    }
  }

  private static void range(Integer value, int min, int max, String flag, List<Violation> v) {
    if (value != null && (value < min || value > max)) {
      v.add(Violation.error(flag, value + " is outside " + min + "-" + max));
    }
  }

  private static void percent(Double value, String flag, List<Violation> v) {
    if (value != null && !(value > 0 && value <= 100)) {
      v.add(Violation.error(flag, "a percentage above 0 and at most 100, got " + value));
    }
  }

  private TaskDefinition describeTaskDefinition(EcsClient ecs, String ref, List<Violation> v) {
    if (ref == null || ref.isBlank()) {
      return null;
    }
    try {
      return ecs.describeTaskDefinition(b -> b.taskDefinition(ref)).taskDefinition();
    } catch (ClientException e) {
      v.add(Violation.error("--task-definition", "task definition '" + ref + "' not found (" + e.awsErrorDetails()
          .errorMessage() + ")"));
      return null;
    } catch (SdkException e) {
      if (AwsErrors.isAccess(e)) {
        throw AwsErrors.translate("ECS DescribeTaskDefinition for " + ref, e);
      }
      String code = AwsErrors.code(e);
      if (code != null && code.contains("InvalidParameter")) {
        v.add(Violation.error("--task-definition", "'" + ref + "' is not a task definition: " + e.getMessage()));
        return null;
      }
      throw AwsErrors.translate("ECS DescribeTaskDefinition for " + ref, e);
    }
  }

  private void checkTaskDefinition(Request r, Observed p, List<Violation> v) {
    TaskDefinition td = p.taskDefinition;
    if (td.networkModeAsString() != null && !"awsvpc".equals(td.networkModeAsString())) {
      v.add(Violation.error("--task-definition", shortTd(td) + " has networkMode " + td.networkModeAsString()
          + "; Fargate needs awsvpc"));
    }
    if (!td.requiresCompatibilitiesAsStrings().isEmpty() && !td.requiresCompatibilitiesAsStrings().contains("FARGATE")) {
      v.add(Violation.error("--task-definition", shortTd(td) + " is not compatible with FARGATE (requiresCompatibilities "
          + td.requiresCompatibilitiesAsStrings() + ")"));
    }
    if (!"ACTIVE".equals(td.statusAsString()) && td.statusAsString() != null) {
      v.add(Violation.error("--task-definition", shortTd(td) + " is " + td.statusAsString()));
    }
    if (!r.wantsLoadBalancer()) {
      return;
    }
    ContainerDefinition container = null;
    if (r.containerName() != null) {
      container = td.containerDefinitions().stream().filter(c -> r.containerName().equals(c.name())).findFirst()
          .orElse(null);
      if (container == null) {
        v.add(Violation.error("--container-name", "no container '" + r.containerName() + "' in " + shortTd(td)
            + " (containers: " + td.containerDefinitions().stream().map(ContainerDefinition::name).toList() + ")"));
        return;
      }
    } else {
      container = td.containerDefinitions().stream().filter(c -> !c.portMappings().isEmpty()).findFirst()
          .orElse(null);
      if (container == null) {
        v.add(Violation.error("--container-name", "no container of " + shortTd(td) + " maps a port; give "
            + "--container-name and --container-port"));
        return;
      }
    }
    p.containerName = container.name();
    if (r.containerPort() != null) {
      p.containerPort = r.containerPort();
      boolean mapped = container.portMappings().stream().anyMatch(m -> r.containerPort().equals(m.containerPort()));
      if (!mapped) {
        v.add(Violation.error("--container-port", "container '" + container.name() + "' of " + shortTd(td)
            + " does not map port " + r.containerPort() + " (mapped: " + container.portMappings().stream()
            .map(PortMapping::containerPort).toList() + ")"));
      }
    } else if (!container.portMappings().isEmpty()) {
      p.containerPort = container.portMappings().get(0).containerPort();
    } else {
      v.add(Violation.error("--container-port", "container '" + container.name() + "' maps no port; give "
          + "--container-port"));
    }
  }

  private static Cluster describeCluster(EcsClient ecs, String cluster) {
    try {
      return ecs.describeClusters(b -> b.clusters(cluster).include(ClusterField.SETTINGS)).clusters().stream()
          .filter(c -> "ACTIVE".equals(c.status())).findFirst().orElse(null);
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeClusters for " + cluster, e);
    }
  }

  private static List<String> currentSubnets(Service s) {
    if (s == null || s.networkConfiguration() == null || s.networkConfiguration().awsvpcConfiguration() == null) {
      return List.of();
    }
    return s.networkConfiguration().awsvpcConfiguration().subnets();
  }

  // ---------------------------------------------------------------- desired state, diff, apply

  private Result apply(Request r, Observed p, List<String> changed, Partial partial) {
    EcsClient ecs = aws.ecs();
    // container name -> image of the task definition being deployed (the digest the push step returned)
    Map<String, String> containers = new java.util.LinkedHashMap<>();
    p.taskDefinition.containerDefinitions().forEach(c -> containers.put(c.name(), c.image()));
    partial.containers = containers;

    // the plan: every change, from what was observed and what is asked; nothing is changed while it is built
    DeployPlan plan = new DeployPlan();
    partial.plan = plan;
    DeployPlan.Made made = new DeployPlan.Made();
    String clusterName = clusterName(r, p);
    DeployPlan.Ref cluster = p.cluster != null ? DeployPlan.Ref.existing(p.cluster.clusterArn())
        : DeployPlan.Ref.created(CLUSTER_PREFIX + clusterName);
    planCluster(plan, r, p, cluster, changed);

    DeployLoadBalancer.Wiring lb = null;
    if (r.wantsLoadBalancer()) {
      plan.phase("load balancer");
      lb = DeployLoadBalancer.plan(plan, aws.elb(), aws.ec2(), aws.eventualConsistency(), r, p, progress, changed);
      plan.phase(null);
    }
    DeployPlan.Ref targetGroup = lb != null ? lb.targetGroup()
        : p.targetGroupArn == null ? null : DeployPlan.Ref.existing(p.targetGroupArn);
    String knownDnsName = lb != null ? lb.dnsName() : null;
    if (lb == null && p.targetGroupArn != null) {
      knownDnsName = DeployLoadBalancer.dnsNameOf(aws.elb(), p.targetGroupArn);
    }

    // security groups of the tasks: the given ones (on update without --security-groups, the current ones),
    // plus berth's own group the ALB may reach when berth made the load balancer; on create with neither, the
    // VPC's default group
    List<DeployPlan.Ref> groups = new ArrayList<>();
    r.securityGroups().forEach(g -> groups.add(DeployPlan.Ref.existing(g)));
    DeployPlan.Ref tasksGroup = lb == null ? null : lb.tasksGroup();
    if (tasksGroup != null) {
      if (groups.isEmpty() && p.service != null) {
        currentGroups(p.service).forEach(g -> groups.add(DeployPlan.Ref.existing(g)));
      }
      if (!groups.contains(tasksGroup)) {
        groups.add(tasksGroup);
      }
    }
    if (groups.isEmpty() && p.service == null) {
      groups.add(DeployPlan.Ref.existing(DeployNetwork.defaultSecurityGroup(aws.ec2(), p.vpcId)));
    }

    planService(plan, ecs, r, p, cluster, groups, targetGroup, changed, partial);

    Autoscaling autoscaling = null;
    if (r.managesAutoscaling()) {
      plan.phase("autoscaling");
      DeployPlan.Ref loadBalancer = lb != null ? lb.loadBalancer()
          : targetGroup == null ? null : refOrNull(DeployLoadBalancer.loadBalancerArnOf(aws.elb(), targetGroup.id()));
      autoscaling = DeployAutoscaling.plan(plan, aws.autoscaling(), aws.eventualConsistency(), r, p, targetGroup,
          loadBalancer, progress, changed);
      plan.phase(null);
    } else if (p.autoscaling != null && p.autoscaling.target() != null) {
      autoscaling = new Autoscaling(p.autoscaling.target().minCapacity(), p.autoscaling.target().maxCapacity(),
          p.autoscaling.policies().stream().map(x -> x.policyName()).toList());
    }

    String tdArn = p.taskDefinition.taskDefinitionArn();
    if (r.dryRun()) {
      return new Result(cluster.id(), p.service == null ? null : p.service.serviceArn(), tdArn, null, null, null,
          p.service == null ? plannedCount(r, p) : r.desiredCount() != null ? r.desiredCount()
              : p.service.desiredCount(), null, false, List.of(), knownDnsName,
          targetGroup == null ? null : targetGroup.id(), autoscaling, null, null, containers, Boolean.TRUE,
          plan.changes());
    }

    plan.apply(made, progress);

    String clusterArn = made.id(cluster);
    partial.clusterArn = clusterArn;
    String targetGroupArn = targetGroup == null ? null : made.id(targetGroup);
    String dnsName = lb != null ? made.get(DeployLoadBalancer.dnsKey(lb.loadBalancer())) : knownDnsName;
    if (dnsName == null && lb != null) {
      dnsName = lb.dnsName();
    }
    partial.loadBalancerDnsName = dnsName;
    partial.targetGroupArn = targetGroupArn;
    Service before = p.service;
    Service after = partial.after != null ? partial.after : before;
    String deploymentId = partial.deploymentId != null ? partial.deploymentId : primaryId(after);
    if (partial.after == null && plan.changes().stream().noneMatch(c -> c.resource().equals("ecs:service"))) {
      progress.info("service " + r.service() + " already matches: nothing to change, no new deployment");
    }
    partial.serviceArn = after.serviceArn();
    partial.deploymentId = deploymentId;
    if (after.taskDefinition() != null) {
      tdArn = after.taskDefinition();
    }
    List<Change> changes = plan.applied();
    if (!r.waitForRollout()) {
      Deployment d = find(after, deploymentId);
      return new Result(clusterArn, after.serviceArn(), tdArn, deploymentId,
          d == null ? null : d.rolloutStateAsString(), null, after.desiredCount(), after.runningCount(),
          before == null, List.copyOf(changed), dnsName, targetGroupArn, autoscaling, null, null, containers, null,
          changes);
    }
    RolloutWatcher watcher = new RolloutWatcher(ecs, targetGroupArn == null ? null : aws.elb(), progress, clock,
        sleeper, pollInterval).withLogs(aws::logs, aws.region().id(), r.logLines());
    Rollout rollout;
    progress.beginPhase("rollout of " + (deploymentId == null ? "the PRIMARY deployment" : deploymentId));
    try {
      rollout = watcher.watch(clusterArn, r.service(), deploymentId, r.timeout());
    } finally {
      progress.endPhase();
    }
    Result result = new Result(clusterArn, after.serviceArn(), tdArn, rollout.deploymentId(),
        rollout.rolloutState(), rollout.verdict(), rollout.desiredCount(), rollout.runningCount(), before == null,
        List.copyOf(changed), dnsName, targetGroupArn, autoscaling, rollout.supersededBy(),
        rollout.succeeded() ? null : rollout.reasons(), containers, null, changes);
    if (!rollout.succeeded()) {
      throw rollout.failure(r.service()).withResult(result);
    }
    return result;
  }

  /** {@link DeployPlan.Made}'s key of a cluster this deploy creates. */
  private static final String CLUSTER_PREFIX = "cluster/";

  private static DeployPlan.Ref refOrNull(String id) {
    return id == null ? null : DeployPlan.Ref.existing(id);
  }

  /** The cluster: created with its settings, or its Container Insights and capacity providers brought in line. */
  private void planCluster(DeployPlan plan, Request r, Observed p, DeployPlan.Ref ref, List<String> changed) {
    EcsClient ecs = aws.ecs();
    List<String> providers = r.capacityProviders().isEmpty() ? List.of() : List.of("FARGATE", "FARGATE_SPOT");
    String name = clusterName(r, p);
    if (p.cluster == null) {
      List<Change.Field> fields = new ArrayList<>();
      if (Boolean.TRUE.equals(r.containerInsights())) {
        fields.add(Change.Field.set("containerInsights", "enabled"));
      }
      if (!providers.isEmpty()) {
        fields.add(Change.Field.set("capacityProviders", providers));
      }
      plan.add(Change.create("ecs:cluster", name, fields), "ECS CreateCluster " + name, made -> {
        Cluster c = callRetrying(aws.eventualConsistency(), progress, "ECS CreateCluster " + name,
            () -> ecs.createCluster(b -> {
              b.clusterName(name);
              if (Boolean.TRUE.equals(r.containerInsights())) {
                b.settings(insights(true));
              }
              if (!providers.isEmpty()) {
                b.capacityProviders(providers);
              }
            }).cluster());
        made.put(ref.name(), c.clusterArn());
        changed.add("cluster created");
        progress.info("created cluster " + name + (Boolean.TRUE.equals(r.containerInsights())
            ? " with Container Insights" : ""));
      });
      return;
    }
    Cluster c = p.cluster;
    List<Change.Field> fields = new ArrayList<>();
    boolean insightsChange = false;
    if (r.containerInsights() != null) {
      String current = c.settings().stream().filter(s -> s.name() == ClusterSettingName.CONTAINER_INSIGHTS)
          .map(ClusterSetting::value).findFirst().orElse("disabled");
      boolean on = !"disabled".equals(current);
      if (on != r.containerInsights()) {
        insightsChange = true;
        fields.add(Change.Field.of("containerInsights", current, r.containerInsights() ? "enabled" : "disabled"));
      }
    }
    Set<String> all = new LinkedHashSet<>(c.capacityProviders());
    all.addAll(providers);
    boolean providersChange = !providers.isEmpty() && !c.capacityProviders().containsAll(providers);
    if (providersChange) {
      fields.add(Change.Field.of("capacityProviders", c.capacityProviders(), List.copyOf(all)));
    }
    boolean insights = insightsChange;
    plan.add(fields.isEmpty() ? null : Change.update("ecs:cluster", name, fields), "ECS update of cluster " + name,
        made -> {
          if (insights) {
            ecs.updateClusterSettings(b -> b.cluster(c.clusterArn()).settings(insights(r.containerInsights())));
            changed.add("containerInsights");
            progress.info("Container Insights " + (r.containerInsights() ? "enabled" : "disabled") + " on cluster "
                + name);
          }
          if (providersChange) {
            ecs.putClusterCapacityProviders(b -> b.cluster(c.clusterArn()).capacityProviders(all)
                .defaultCapacityProviderStrategy(c.defaultCapacityProviderStrategy()));
            changed.add("cluster capacityProviders");
            progress.info("cluster " + name + " can now use " + all);
          }
        });
  }

  private static ClusterSetting insights(boolean on) {
    return ClusterSetting.builder().name(ClusterSettingName.CONTAINER_INSIGHTS).value(on ? "enabled" : "disabled")
        .build();
  }

  /** The desired count of a new service: --desired-count, else 1 within the autoscaling range. */
  private static int plannedCount(Request r, Observed p) {
    int desired = r.desiredCount() != null ? r.desiredCount() : 1;
    Integer min = r.autoscalingMin() != null ? r.autoscalingMin()
        : p.autoscaling != null && p.autoscaling.target() != null ? p.autoscaling.target().minCapacity() : null;
    Integer max = r.autoscalingMax() != null ? r.autoscalingMax()
        : p.autoscaling != null && p.autoscaling.target() != null ? p.autoscaling.target().maxCapacity() : null;
    if (r.desiredCount() == null && min != null && max != null) {
      desired = Math.max(min, Math.min(max, desired));
    }
    return desired;
  }

  /** The service: created as asked, or updated in exactly the fields that differ (and its missing tags). */
  private void planService(DeployPlan plan, EcsClient ecs, Request r, Observed p, DeployPlan.Ref cluster,
      List<DeployPlan.Ref> groups, DeployPlan.Ref targetGroup, List<String> changed, Partial partial) {
    String id = clusterName(r, p) + "/" + serviceName(r, p);
    if (p.service == null) {
      int count = plannedCount(r, p);
      DeploymentConfiguration dc = deploymentConfiguration(r, null);
      boolean publicIp = r.assignPublicIp() == null || r.assignPublicIp();
      List<Change.Field> f = new ArrayList<>();
      f.add(Change.Field.set("taskDefinition", shortTd(p.taskDefinition)));
      f.add(Change.Field.set("desiredCount", count));
      if (r.capacityProviders().isEmpty()) {
        f.add(Change.Field.set("launchType", "FARGATE"));
      } else {
        f.add(Change.Field.set("capacityProviderStrategy", strategyText(strategy(r.capacityProviders()))));
      }
      if (r.platformVersion() != null) {
        f.add(Change.Field.set("platformVersion", r.platformVersion()));
      }
      f.add(Change.Field.set("networkConfiguration.subnets", r.subnets()));
      f.add(Change.Field.set("networkConfiguration.securityGroups", display(groups)));
      f.add(Change.Field.set("networkConfiguration.assignPublicIp", publicIp ? "ENABLED" : "DISABLED"));
      if (targetGroup != null) {
        f.add(Change.Field.set("loadBalancers", List.of(loadBalancerText(targetGroup.display(), p))));
        f.add(Change.Field.set("healthCheckGracePeriodSeconds",
            r.healthCheckGracePeriod() == null ? 0 : r.healthCheckGracePeriod()));
      }
      f.add(Change.Field.set("deploymentConfiguration.minimumHealthyPercent", dc.minimumHealthyPercent()));
      f.add(Change.Field.set("deploymentConfiguration.maximumPercent", dc.maximumPercent()));
      f.add(Change.Field.set("deploymentConfiguration.circuitBreaker", breakerText(dc.deploymentCircuitBreaker())));
      f.add(Change.Field.set("enableExecuteCommand", Boolean.TRUE.equals(r.enableExecuteCommand())));
      f.add(Change.Field.set("propagateTags", r.propagateTags() == null ? "NONE" : r.propagateTags()));
      if (!r.tags().isEmpty()) {
        f.add(Change.Field.set("tags", r.tags()));
      }
      plan.add(Change.create("ecs:service", id, f), "ECS CreateService " + r.service(), made -> {
        Service s = createService(ecs, r, p, made.id(cluster), made.ids(groups),
            targetGroup == null ? null : made.id(targetGroup), count, dc, publicIp);
        changed.add("service created");
        partial.created = true;
        partial.after = s;
        partial.deploymentId = primaryId(s);
      });
      return;
    }

    Service s = p.service;
    List<Change.Field> fields = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<java.util.function.BiConsumer<UpdateServiceRequest.Builder, DeployPlan.Made>> sets = new ArrayList<>();
    diff(r, p, s, groups, targetGroup, fields, names, sets);
    Map<String, String> have = r.tags().isEmpty() ? Map.of() : currentTags(ecs, s.serviceArn());
    Map<String, String> missingTags = new LinkedHashMap<>();
    r.tags().forEach((k, v) -> {
      if (!Objects.equals(have.get(k), v)) {
        missingTags.put(k, v);
      }
    });
    missingTags.forEach((k, v) -> fields.add(Change.Field.of("tags." + k, have.get(k), v)));
    if (fields.isEmpty()) {
      return;
    }
    plan.add(Change.update("ecs:service", id, fields), "ECS update of service " + r.service(), made -> {
      if (!sets.isEmpty()) {
        UpdateServiceRequest.Builder b = UpdateServiceRequest.builder().cluster(s.clusterArn()).service(s.serviceName());
        sets.forEach(set -> set.accept(b, made));
        Set<String> previous = new HashSet<>();
        s.deployments().forEach(d -> previous.add(d.id()));
        Service after = ecs.updateService(b.build()).service();
        changed.addAll(names);
        progress.info("updated service " + r.service() + ": " + String.join(", ", names));
        partial.after = after;
        partial.deploymentId = newDeployment(after, previous, p.taskDefinition.taskDefinitionArn());
      }
      if (!missingTags.isEmpty()) {
        ecs.tagResource(b -> b.resourceArn(s.serviceArn()).tags(ecsTags(missingTags)));
        changed.add("tags");
        progress.info("tagged service: " + missingTags.keySet());
      }
    });
  }

  private static List<String> display(List<DeployPlan.Ref> refs) {
    return refs.stream().map(DeployPlan.Ref::display).toList();
  }

  private static String loadBalancerText(String targetGroup, Observed p) {
    return "target group " + targetGroup + " -> " + p.containerName + ":" + p.containerPort;
  }

  private static String loadBalancerText(LoadBalancer lb) {
    return "target group " + lb.targetGroupArn() + " -> " + lb.containerName() + ":" + lb.containerPort();
  }

  private static List<String> strategyText(List<CapacityProviderStrategyItem> items) {
    return items.stream().map(i -> i.capacityProvider() + ":" + i.weight() + ":" + i.base()).toList();
  }

  private static String breakerText(DeploymentCircuitBreaker cb) {
    return !enabled(cb, true) ? "off" : enabled(cb, false) ? "on, with rollback" : "on, without rollback";
  }

  private Service createService(EcsClient ecs, Request r, Observed p, String clusterArn, List<String> groups,
      String targetGroupArn, int count, DeploymentConfiguration dc, boolean publicIp) {
    CreateServiceRequest.Builder b = CreateServiceRequest.builder()
        .cluster(clusterArn)
        .serviceName(r.service())
        .taskDefinition(p.taskDefinition.taskDefinitionArn())
        .desiredCount(count)
        .networkConfiguration(network(r.subnets(), groups, publicIp))
        .deploymentConfiguration(dc)
        .enableExecuteCommand(Boolean.TRUE.equals(r.enableExecuteCommand()))
        .propagateTags(r.propagateTags() == null ? "NONE" : r.propagateTags());
    if (r.capacityProviders().isEmpty()) {
      b.launchType(LaunchType.FARGATE);
    } else {
      b.capacityProviderStrategy(strategy(r.capacityProviders()));
    }
    if (r.platformVersion() != null) {
      b.platformVersion(r.platformVersion());
    }
    if (targetGroupArn != null) {
      b.loadBalancers(loadBalancer(targetGroupArn, p));
      b.healthCheckGracePeriodSeconds(r.healthCheckGracePeriod() == null ? 0 : r.healthCheckGracePeriod());
    }
    if (!r.tags().isEmpty()) {
      b.tags(ecsTags(r.tags()));
    }
    CreateServiceRequest request = b.build();
    Service s;
    try {
      s = aws.eventualConsistency().call("ECS CreateService " + r.service(), () -> ecs.createService(request).service(),
          progress::info);
    } catch (SdkException e) {
      throw createServiceRefused(r, e);
    }
    progress.info("created service " + r.service() + " (" + shortTd(p.taskDefinition) + ", desired count " + count
        + (targetGroupArn == null ? "" : ", behind target group " + DeployLoadBalancer.shortName(targetGroupArn))
        + ")");
    return readBack(ecs, r, request, s);
  }

  /**
   * CreateService for a name that exists since this run looked: ECS answers InvalidParameterException "Creation
   * of service was not idempotent." (no clientToken ties the two calls together). That is another run creating
   * the same service at the same time; this one stops (exit 1) and a rerun updates the service the other made.
   */
  static BerthException createServiceRefused(Request r, SdkException e) {
    String message = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException ase
        && ase.awsErrorDetails() != null ? String.valueOf(ase.awsErrorDetails().errorMessage()) : "";
    if ("InvalidParameterException".equals(AwsErrors.code(e)) && message.contains("not idempotent")) {
      return BerthException.failed("service " + r.service() + " in cluster " + r.cluster() + " was created by"
          + " another run while this one was creating it (ECS: " + message + "); nothing of this run's service"
          + " settings was applied: run the step again to update the service that run created", e);
    }
    return AwsErrors.translate("ECS CreateService " + r.service(), e);
  }

  /**
   * Checks the new service holds what was asked. An endpoint that dropped settings on CreateService (moto
   * keeps neither the deployment configuration, the grace period nor execute-command) gets them with one
   * UpdateService, so the next run finds nothing to change. AWS keeps them, and then no call is made.
   */
  private Service readBack(EcsClient ecs, Request r, CreateServiceRequest asked, Service s) {
    UpdateServiceRequest.Builder fix = UpdateServiceRequest.builder().cluster(asked.cluster()).service(r.service());
    List<String> dropped = new ArrayList<>();
    if (!sameDeploymentConfiguration(asked.deploymentConfiguration(), s.deploymentConfiguration())) {
      fix.deploymentConfiguration(asked.deploymentConfiguration());
      dropped.add("deploymentConfiguration");
    }
    if (asked.healthCheckGracePeriodSeconds() != null && asked.healthCheckGracePeriodSeconds() > 0
        && !asked.healthCheckGracePeriodSeconds().equals(s.healthCheckGracePeriodSeconds())) {
      fix.healthCheckGracePeriodSeconds(asked.healthCheckGracePeriodSeconds());
      dropped.add("healthCheckGracePeriodSeconds");
    }
    if (Boolean.TRUE.equals(asked.enableExecuteCommand()) && !Boolean.TRUE.equals(s.enableExecuteCommand())) {
      fix.enableExecuteCommand(true);
      dropped.add("enableExecuteCommand");
    }
    if (!asked.capacityProviderStrategy().isEmpty()
        && !new HashSet<>(asked.capacityProviderStrategy()).equals(new HashSet<>(s.capacityProviderStrategy()))) {
      fix.capacityProviderStrategy(asked.capacityProviderStrategy());
      dropped.add("capacityProviderStrategy");
    }
    if (dropped.isEmpty()) {
      return s;
    }
    progress.warn("the ECS endpoint did not keep " + dropped + " on CreateService; applying them with UpdateService");
    UpdateServiceRequest request = fix.build();
    return ecs.updateService(request).service();
  }

  /**
   * The fields of an existing service that differ from the request: each as a plan field (old -> new), its
   * name in {@code changed}, and the part of the UpdateService request that sets it. Nothing not asked for is
   * touched.
   */
  private static void diff(Request r, Observed p, Service s, List<DeployPlan.Ref> groups,
      DeployPlan.Ref targetGroup, List<Change.Field> fields, List<String> changed,
      List<java.util.function.BiConsumer<UpdateServiceRequest.Builder, DeployPlan.Made>> sets) {
    boolean force = r.forceNewDeployment();
    if (!p.taskDefinition.taskDefinitionArn().equals(s.taskDefinition())) {
      String td = p.taskDefinition.taskDefinitionArn();
      fields.add(Change.Field.of("taskDefinition", shortArn(s.taskDefinition()), shortTd(p.taskDefinition)));
      sets.add((b, m) -> b.taskDefinition(td));
      changed.add("taskDefinition");
    }
    if (r.desiredCount() != null && !r.desiredCount().equals(s.desiredCount())) {
      fields.add(Change.Field.of("desiredCount", s.desiredCount(), r.desiredCount()));
      sets.add((b, m) -> b.desiredCount(r.desiredCount()));
      changed.add("desiredCount");
    }
    if (r.platformVersion() != null && !r.platformVersion().equals(s.platformVersion())) {
      fields.add(Change.Field.of("platformVersion", s.platformVersion(), r.platformVersion()));
      sets.add((b, m) -> b.platformVersion(r.platformVersion()));
      changed.add("platformVersion");
    }
    if (!r.capacityProviders().isEmpty()) {
      List<CapacityProviderStrategyItem> want = strategy(r.capacityProviders());
      if (!new HashSet<>(want).equals(new HashSet<>(s.capacityProviderStrategy()))) {
        fields.add(Change.Field.of("capacityProviderStrategy", s.capacityProviderStrategy().isEmpty()
            ? (s.launchTypeAsString() == null ? null : "launchType " + s.launchTypeAsString())
            : strategyText(s.capacityProviderStrategy()), strategyText(want)));
        sets.add((b, m) -> b.capacityProviderStrategy(want));
        changed.add("capacityProviderStrategy");
        if (s.launchType() != null) {
          force = true; // ECS requires a new deployment to move from a launch type to a strategy
        }
      }
    }
    AwsVpcConfiguration cur = s.networkConfiguration() == null ? null : s.networkConfiguration().awsvpcConfiguration();
    if (!r.subnets().isEmpty() || !groups.isEmpty() || r.assignPublicIp() != null) {
      List<String> subnets = !r.subnets().isEmpty() ? r.subnets() : cur == null ? List.of() : cur.subnets();
      List<DeployPlan.Ref> sgs = !groups.isEmpty() ? groups : cur == null ? List.of()
          : cur.securityGroups().stream().map(DeployPlan.Ref::existing).toList();
      boolean publicIp = r.assignPublicIp() != null ? r.assignPublicIp()
          : cur != null && cur.assignPublicIp() == AssignPublicIp.ENABLED;
      AssignPublicIp want = publicIp ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED;
      AssignPublicIp have = cur == null || cur.assignPublicIp() == null ? AssignPublicIp.DISABLED : cur.assignPublicIp();
      boolean subnetsDiffer = cur == null || !new HashSet<>(subnets).equals(new HashSet<>(cur.subnets()));
      boolean groupsDiffer = cur == null || sgs.stream().anyMatch(DeployPlan.Ref::isNew)
          || !new HashSet<>(sgs.stream().map(DeployPlan.Ref::id).toList()).equals(new HashSet<>(cur.securityGroups()));
      if (subnetsDiffer || groupsDiffer || want != have) {
        if (subnetsDiffer) {
          fields.add(Change.Field.of("networkConfiguration.subnets", cur == null ? null : cur.subnets(), subnets));
        }
        if (groupsDiffer) {
          fields.add(Change.Field.of("networkConfiguration.securityGroups", cur == null ? null : cur.securityGroups(),
              display(sgs)));
        }
        if (want != have) {
          fields.add(Change.Field.of("networkConfiguration.assignPublicIp", have.toString(), want.toString()));
        }
        sets.add((b, m) -> b.networkConfiguration(network(subnets, m.ids(sgs), publicIp)));
        changed.add("networkConfiguration");
      }
    }
    if (targetGroup != null && r.wantsLoadBalancer()) {
      boolean same = !targetGroup.isNew() && s.loadBalancers().size() == 1
          && sameLoadBalancer(loadBalancer(targetGroup.id(), p), s.loadBalancers().get(0));
      if (!same) {
        fields.add(Change.Field.of("loadBalancers", s.loadBalancers().isEmpty() ? null
            : s.loadBalancers().stream().map(EcsDeployService::loadBalancerText).toList(),
            List.of(loadBalancerText(targetGroup.display(), p))));
        sets.add((b, m) -> b.loadBalancers(loadBalancer(m.id(targetGroup), p)));
        changed.add("loadBalancers");
      }
    }
    int grace = s.healthCheckGracePeriodSeconds() == null ? 0 : s.healthCheckGracePeriodSeconds();
    if (r.healthCheckGracePeriod() != null && !r.healthCheckGracePeriod().equals(grace)) {
      fields.add(Change.Field.of("healthCheckGracePeriodSeconds", grace, r.healthCheckGracePeriod()));
      sets.add((b, m) -> b.healthCheckGracePeriodSeconds(r.healthCheckGracePeriod()));
      changed.add("healthCheckGracePeriod");
    }
    DeploymentConfiguration have = s.deploymentConfiguration();
    DeploymentConfiguration dc = deploymentConfiguration(r, have);
    if (!sameDeploymentConfiguration(dc, have)) {
      Integer haveMin = have == null ? null : have.minimumHealthyPercent();
      Integer haveMax = have == null ? null : have.maximumPercent();
      String haveCb = have == null ? null : breakerText(have.deploymentCircuitBreaker());
      if (!Objects.equals(haveMin, dc.minimumHealthyPercent())) {
        fields.add(Change.Field.of("deploymentConfiguration.minimumHealthyPercent", haveMin,
            dc.minimumHealthyPercent()));
      }
      if (!Objects.equals(haveMax, dc.maximumPercent())) {
        fields.add(Change.Field.of("deploymentConfiguration.maximumPercent", haveMax, dc.maximumPercent()));
      }
      if (!Objects.equals(haveCb, breakerText(dc.deploymentCircuitBreaker()))) {
        fields.add(Change.Field.of("deploymentConfiguration.circuitBreaker", haveCb,
            breakerText(dc.deploymentCircuitBreaker())));
      }
      sets.add((b, m) -> b.deploymentConfiguration(dc));
      changed.add("deploymentConfiguration");
    }
    if (r.enableExecuteCommand() != null
        && !r.enableExecuteCommand().equals(Boolean.TRUE.equals(s.enableExecuteCommand()))) {
      fields.add(Change.Field.of("enableExecuteCommand", Boolean.TRUE.equals(s.enableExecuteCommand()),
          r.enableExecuteCommand()));
      sets.add((b, m) -> b.enableExecuteCommand(r.enableExecuteCommand()));
      changed.add("enableExecuteCommand");
    }
    String propagate = s.propagateTagsAsString() == null ? "NONE" : s.propagateTagsAsString();
    if (r.propagateTags() != null && !r.propagateTags().equals(propagate)) {
      fields.add(Change.Field.of("propagateTags", propagate, r.propagateTags()));
      sets.add((b, m) -> b.propagateTags(r.propagateTags()));
      changed.add("propagateTags");
    }
    if (force) {
      fields.add(Change.Field.of("deployment", primaryId(s), "(new deployment)"));
      sets.add((b, m) -> b.forceNewDeployment(true));
      changed.add("forceNewDeployment");
    }
  }

  /**
   * The deployment configuration after this call: on create the documented defaults for what was not given
   * (100/200 %, circuit breaker with rollback); on update the service's own values for everything not given,
   * so a service berth did not create keeps its breaker, alarms and strategy unless a flag asks otherwise.
   */
  private static DeploymentConfiguration deploymentConfiguration(Request r, DeploymentConfiguration current) {
    Integer min = r.minHealthyPercent() != null ? r.minHealthyPercent()
        : current != null && current.minimumHealthyPercent() != null ? current.minimumHealthyPercent() : 100;
    Integer max = r.maxPercent() != null ? r.maxPercent()
        : current != null && current.maximumPercent() != null ? current.maximumPercent() : 200;
    DeploymentCircuitBreaker cb;
    if (r.circuitBreaker() != null) {
      cb = DeploymentCircuitBreaker.builder().enable(r.circuitBreaker()).rollback(r.circuitBreaker()).build();
    } else if (current != null) {
      cb = current.deploymentCircuitBreaker();
    } else {
      cb = DeploymentCircuitBreaker.builder().enable(true).rollback(true).build();
    }
    DeploymentConfiguration.Builder b = current == null ? DeploymentConfiguration.builder() : current.toBuilder();
    return b.minimumHealthyPercent(min).maximumPercent(max).deploymentCircuitBreaker(cb).build();
  }

  private static boolean sameDeploymentConfiguration(DeploymentConfiguration want, DeploymentConfiguration have) {
    if (have == null) {
      return false;
    }
    return Objects.equals(want.minimumHealthyPercent(), have.minimumHealthyPercent())
        && Objects.equals(want.maximumPercent(), have.maximumPercent())
        && enabled(want.deploymentCircuitBreaker(), true) == enabled(have.deploymentCircuitBreaker(), true)
        && enabled(want.deploymentCircuitBreaker(), false) == enabled(have.deploymentCircuitBreaker(), false);
  }

  private static boolean enabled(DeploymentCircuitBreaker cb, boolean enable) {
    return cb != null && Boolean.TRUE.equals(enable ? cb.enable() : cb.rollback());
  }

  private static boolean sameLoadBalancer(LoadBalancer a, LoadBalancer b) {
    return Objects.equals(a.targetGroupArn(), b.targetGroupArn()) && Objects.equals(a.containerName(), b.containerName())
        && Objects.equals(a.containerPort(), b.containerPort());
  }

  private static LoadBalancer loadBalancer(String targetGroupArn, Observed p) {
    return LoadBalancer.builder().targetGroupArn(targetGroupArn).containerName(p.containerName)
        .containerPort(p.containerPort).build();
  }

  private static NetworkConfiguration network(List<String> subnets, List<String> groups, boolean publicIp) {
    return NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
        .subnets(subnets).securityGroups(groups)
        .assignPublicIp(publicIp ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED).build()).build();
  }

  private static List<CapacityProviderStrategyItem> strategy(List<CapacityProvider> cps) {
    return cps.stream().map(c -> CapacityProviderStrategyItem.builder().capacityProvider(c.name()).weight(c.weight())
        .base(c.base()).build()).toList();
  }

  private static List<String> currentGroups(Service s) {
    if (s.networkConfiguration() == null || s.networkConfiguration().awsvpcConfiguration() == null) {
      return List.of();
    }
    return s.networkConfiguration().awsvpcConfiguration().securityGroups();
  }

  private static List<Tag> ecsTags(Map<String, String> tags) {
    return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
  }

  /** The service's tags (a read). */
  private static Map<String, String> currentTags(EcsClient ecs, String serviceArn) {
    Map<String, String> have = new LinkedHashMap<>();
    AwsErrors.call("ECS ListTagsForResource", () -> ecs.listTagsForResource(b -> b.resourceArn(serviceArn)).tags())
        .forEach(t -> have.put(t.key(), t.value()));
    return have;
  }

  /**
   * The deployment this update started: the PRIMARY deployment that was not there before. When the update
   * started none (only settings changed, or an endpoint such as moto that never starts one on UpdateService),
   * the PRIMARY deployment is followed instead, and a task-definition mismatch is said out loud.
   */
  private String newDeployment(Service after, Set<String> previous, String taskDefinitionArn) {
    Deployment primary = after.deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst()
        .orElse(null);
    if (primary == null) {
      return null;
    }
    if (!previous.contains(primary.id())) {
      progress.info("new deployment " + primary.id() + " (" + shortArn(primary.taskDefinition()) + ")");
      return primary.id();
    }
    if (!taskDefinitionArn.equals(primary.taskDefinition())) {
      progress.warn("ECS started no new deployment for this update and deployment " + primary.id() + " still runs "
          + shortArn(primary.taskDefinition()) + " while the service now names " + shortArn(taskDefinitionArn)
          + "; following deployment " + primary.id());
    } else {
      progress.info("no new deployment; following deployment " + primary.id());
    }
    return primary.id();
  }

  private static String primaryId(Service s) {
    return s.deployments().stream().filter(d -> "PRIMARY".equals(d.status())).map(Deployment::id).findFirst()
        .orElse(null);
  }

  private static Deployment find(Service s, String id) {
    return s.deployments().stream().filter(d -> Objects.equals(id, d.id())).findFirst().orElse(null);
  }

  static String shortTd(TaskDefinition td) {
    return td.family() + ":" + td.revision();
  }

  static String shortArn(String arn) {
    if (arn == null) {
      return "?";
    }
    int slash = arn.lastIndexOf('/');
    return slash < 0 ? arn : arn.substring(slash + 1);
  }

  /**
   * {@link #call}, retrying AWS's documented just-created refusals (a new security group, scalable target, the
   * ECS service-linked role on first use) with bounded backoff, each retry said on {@code progress}.
   */
  static <T> T callRetrying(dev.berth.aws.EventualConsistency ec, Progress progress, String what, Supplier<T> s) {
    return AwsErrors.call(what, () -> ec.call(what, s, progress::info));
  }
}
