package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.Progress;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Certificate;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.IpAddressType;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerSchemeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Matcher;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RedirectActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RedirectActionStatusCodeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The load-balancing part of a deploy: either an existing target group (checked, never changed) or what the
 * console's wizard creates — an internet-facing ALB with its own security group, a target group of type ip,
 * listeners, and the rule letting the ALB reach the tasks. Everything is found by its derived name first, so
 * a rerun (or a rerun after an interrupted run) reuses it and only fixes what differs.
 */
final class DeployLoadBalancer {
  private static final String ANYWHERE = "0.0.0.0/0";

  private DeployLoadBalancer() {}

  /** What exists before the deploy changes anything. */
  record Existing(TargetGroup targetGroup, LoadBalancer loadBalancer) {
    String targetGroupArn() {
      return targetGroup == null ? null : targetGroup.targetGroupArn();
    }
  }

  /** What the service is wired to after the deploy. */
  record Outcome(String targetGroupArn, String loadBalancerArn, String dnsName, String tasksSecurityGroup) {}

  static Existing inspect(ElasticLoadBalancingV2Client elb, EcsDeployService.Request r, EcsDeployService.Plan p,
      List<Violation> v) {
    if (r.targetGroupArn() != null) {
      TargetGroup tg = findTargetGroupByArn(elb, r.targetGroupArn());
      if (tg == null) {
        v.add(Violation.error("--target-group-arn", "target group " + r.targetGroupArn() + " not found"));
        return new Existing(null, null);
      }
      if (tg.targetType() != TargetTypeEnum.IP) {
        v.add(Violation.error("--target-group-arn", "target group " + tg.targetGroupName() + " has target type "
            + tg.targetTypeAsString() + "; Fargate tasks need type ip"));
      }
      if (tg.loadBalancerArns().isEmpty()) {
        v.add(Violation.error("--target-group-arn", "target group " + tg.targetGroupName() + " is not attached to"
            + " a load balancer (add it to a listener first, or use --create-load-balancer)"));
      }
      if (p.vpcId != null && !p.vpcId.equals(tg.vpcId())) {
        v.add(Violation.error("--target-group-arn", "target group " + tg.targetGroupName() + " is in " + tg.vpcId()
            + ", the service's subnets in " + p.vpcId));
      }
      return new Existing(tg, null);
    }
    DeployNames names = names(r, p);
    LoadBalancer lb = findLoadBalancerByName(elb, names.loadBalancer());
    TargetGroup tg = findTargetGroupByName(elb, names.targetGroup());
    String vpc = p.vpcId != null ? p.vpcId : r.vpcId();
    if (lb != null && vpc != null && !vpc.equals(lb.vpcId())) {
      v.add(Violation.error("--vpc-id", "load balancer " + names.loadBalancer() + " (found by its derived name) is"
          + " in " + lb.vpcId() + ", not in " + vpc));
    }
    if (lb != null && lb.type() != LoadBalancerTypeEnum.APPLICATION) {
      v.add(Violation.error("--create-load-balancer", "load balancer " + names.loadBalancer() + " exists and is"
          + " not an application load balancer"));
    }
    if (tg != null && vpc != null && !vpc.equals(tg.vpcId())) {
      v.add(Violation.error("--vpc-id", "target group " + names.targetGroup() + " (found by its derived name) is"
          + " in " + tg.vpcId() + ", not in " + vpc));
    }
    if (tg != null && tg.targetType() != TargetTypeEnum.IP) {
      v.add(Violation.error("--create-load-balancer", "target group " + names.targetGroup() + " exists with "
          + "target type " + tg.targetTypeAsString() + ", not ip"));
    }
    return new Existing(tg, lb);
  }

  static DeployNames names(EcsDeployService.Request r, EcsDeployService.Plan p) {
    String cluster = p.cluster != null ? p.cluster.clusterName() : r.cluster();
    String service = p.service != null ? p.service.serviceName() : r.service();
    return new DeployNames(cluster, service);
  }

  static Outcome apply(ElasticLoadBalancingV2Client elb, Ec2Client ec2, dev.berth.aws.EventualConsistency ec,
      EcsDeployService.Request r,
      EcsDeployService.Plan p, Progress progress, List<String> changed) {
    if (r.targetGroupArn() != null) {
      TargetGroup tg = p.loadBalancing.targetGroup();
      String lbArn = tg.loadBalancerArns().get(0);
      return new Outcome(tg.targetGroupArn(), lbArn, dnsNameOfLoadBalancer(elb, lbArn), null);
    }
    DeployNames names = names(r, p);
    String vpc = p.vpcId;
    int port = p.containerPort;
    Map<String, String> tags = new java.util.LinkedHashMap<>(r.tags());
    tags.put("berth:cluster", p.cluster != null ? p.cluster.clusterName() : r.cluster());
    tags.put("berth:service", p.service != null ? p.service.serviceName() : r.service());

    // the ALB's security group: the listener ports open to the internet
    SecurityGroup albGroup = DeployNetwork.findGroup(ec2, vpc, names.loadBalancerSecurityGroup());
    String albGroupId;
    if (albGroup == null) {
      albGroupId = DeployNetwork.createGroup(ec2, vpc, names.loadBalancerSecurityGroup(),
          "berth: load balancer of " + names.loadBalancer());
      albGroup = DeployNetwork.describeGroup(ec2, albGroupId);
      changed.add("loadBalancerSecurityGroup created");
      progress.info("created security group " + names.loadBalancerSecurityGroup() + " (" + albGroupId + ")");
    } else {
      albGroupId = albGroup.groupId();
    }
    List<Integer> listenerPorts = r.certificateArn() == null ? List.of(80) : List.of(80, 443);
    for (int lp : listenerPorts) {
      if (!DeployNetwork.allowsCidr(albGroup, lp, ANYWHERE)) {
        DeployNetwork.allowCidr(ec2, ec, progress, albGroupId, lp, ANYWHERE, "berth: listener " + lp);
        changed.add("loadBalancerSecurityGroup port " + lp);
        progress.info("opened port " + lp + " of " + names.loadBalancerSecurityGroup());
      }
    }

    // the tasks' security group: the container port open to the ALB's group
    String tasksGroupId;
    SecurityGroup tasksGroup;
    List<String> current = p.service == null || p.service.networkConfiguration() == null
        || p.service.networkConfiguration().awsvpcConfiguration() == null ? List.of()
        : p.service.networkConfiguration().awsvpcConfiguration().securityGroups();
    if (!r.securityGroups().isEmpty()) {
      tasksGroupId = r.securityGroups().get(0);
      tasksGroup = p.securityGroups.stream().filter(g -> g.groupId().equals(tasksGroupId)).findFirst()
          .orElseGet(() -> DeployNetwork.describeGroup(ec2, tasksGroupId));
    } else if (!current.isEmpty()) {
      tasksGroupId = current.get(0);
      tasksGroup = DeployNetwork.describeGroup(ec2, tasksGroupId);
    } else {
      SecurityGroup found = DeployNetwork.findGroup(ec2, vpc, names.serviceSecurityGroup());
      if (found == null) {
        String id = DeployNetwork.createGroup(ec2, vpc, names.serviceSecurityGroup(),
            "berth: tasks of service " + tags.get("berth:service"));
        found = DeployNetwork.describeGroup(ec2, id);
        changed.add("serviceSecurityGroup created");
        progress.info("created security group " + names.serviceSecurityGroup() + " (" + id + ")");
      }
      tasksGroup = found;
      tasksGroupId = found.groupId();
    }
    if (!DeployNetwork.allowsGroup(tasksGroup, port, albGroupId)) {
      DeployNetwork.allowGroup(ec2, ec, progress, tasksGroupId, port, albGroupId, "berth: from load balancer " + names.loadBalancer());
      changed.add("serviceSecurityGroup port " + port);
      progress.info("let " + names.loadBalancerSecurityGroup() + " reach port " + port + " of " + tasksGroupId);
    }

    // the ALB
    LoadBalancer lb = p.loadBalancing.loadBalancer();
    if (lb == null) {
      List<String> subnets = p.loadBalancerSubnets.stream().map(Subnet::subnetId).toList();
      LoadBalancerSchemeEnum scheme = "internal".equals(r.loadBalancerScheme()) ? LoadBalancerSchemeEnum.INTERNAL
          : LoadBalancerSchemeEnum.INTERNET_FACING;
      lb = EcsDeployService.call("ELB CreateLoadBalancer " + names.loadBalancer(), () -> elb.createLoadBalancer(b -> b
          .name(names.loadBalancer()).subnets(subnets).securityGroups(albGroupId)
          .scheme(scheme).type(LoadBalancerTypeEnum.APPLICATION)
          .ipAddressType(IpAddressType.IPV4).tags(elbTags(tags))).loadBalancers().get(0));
      changed.add("loadBalancer created");
      progress.info("created load balancer " + names.loadBalancer() + " (" + lb.dnsName() + ")");
    }
    LoadBalancer alb = lb;

    // the target group
    TargetGroup tg = p.loadBalancing.targetGroup();
    String path = r.healthCheckPath() != null ? r.healthCheckPath() : EcsDeployService.DEFAULT_HEALTH_CHECK_PATH;
    int interval = r.healthCheckInterval() != null ? r.healthCheckInterval()
        : EcsDeployService.DEFAULT_HEALTH_CHECK_INTERVAL;
    int healthy = r.healthyThreshold() != null ? r.healthyThreshold() : EcsDeployService.DEFAULT_HEALTHY_THRESHOLD;
    int unhealthy = r.unhealthyThreshold() != null ? r.unhealthyThreshold()
        : EcsDeployService.DEFAULT_UNHEALTHY_THRESHOLD;
    int timeout = Math.min(5, interval - 1);
    if (tg == null) {
      tg = EcsDeployService.call("ELB CreateTargetGroup " + names.targetGroup(), () -> elb.createTargetGroup(b -> b
          .name(names.targetGroup()).protocol(ProtocolEnum.HTTP).port(port).vpcId(vpc).targetType(TargetTypeEnum.IP)
          .healthCheckProtocol(ProtocolEnum.HTTP).healthCheckPath(path).healthCheckIntervalSeconds(interval)
          .healthCheckTimeoutSeconds(timeout).healthyThresholdCount(healthy).unhealthyThresholdCount(unhealthy)
          .matcher(Matcher.builder().httpCode("200-399").build()).tags(elbTags(tags))).targetGroups().get(0));
      changed.add("targetGroup created");
      progress.info("created target group " + names.targetGroup() + " (type ip, port " + port + ", health check "
          + path + " every " + interval + "s)");
    } else if (!Objects.equals(path, tg.healthCheckPath()) || !Objects.equals(interval, tg.healthCheckIntervalSeconds())
        || !Objects.equals(healthy, tg.healthyThresholdCount()) || !Objects.equals(unhealthy, tg.unhealthyThresholdCount())) {
      String arn = tg.targetGroupArn();
      EcsDeployService.call("ELB ModifyTargetGroup " + names.targetGroup(), () -> elb.modifyTargetGroup(b -> b
          .targetGroupArn(arn).healthCheckPath(path).healthCheckIntervalSeconds(interval)
          .healthCheckTimeoutSeconds(Math.min(timeout, interval - 1)).healthyThresholdCount(healthy)
          .unhealthyThresholdCount(unhealthy)));
      changed.add("targetGroup healthCheck");
      progress.info("updated the health check of target group " + names.targetGroup());
    }
    String tgArn = tg.targetGroupArn();
    int delay = r.deregistrationDelay() != null ? r.deregistrationDelay()
        : EcsDeployService.DEFAULT_DEREGISTRATION_DELAY;
    String currentDelay = EcsDeployService.call("ELB DescribeTargetGroupAttributes", () -> elb
        .describeTargetGroupAttributes(b -> b.targetGroupArn(tgArn)).attributes()).stream()
        .filter(a -> "deregistration_delay.timeout_seconds".equals(a.key())).map(TargetGroupAttribute::value)
        .findFirst().orElse(null);
    if (!String.valueOf(delay).equals(currentDelay)) {
      EcsDeployService.call("ELB ModifyTargetGroupAttributes", () -> elb.modifyTargetGroupAttributes(b -> b
          .targetGroupArn(tgArn).attributes(TargetGroupAttribute.builder()
              .key("deregistration_delay.timeout_seconds").value(String.valueOf(delay)).build())));
      changed.add("targetGroup deregistrationDelay");
      progress.info("deregistration delay of " + names.targetGroup() + ": " + delay + "s");
    }

    // listeners: 80 forwards, or with a certificate 443 forwards and 80 redirects to it
    List<Listener> listeners = EcsDeployService.call("ELB DescribeListeners", () -> elb.describeListeners(b -> b
        .loadBalancerArn(alb.loadBalancerArn())).listeners());
    Action forward = Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tgArn).build();
    if (r.certificateArn() == null) {
      ensureListener(elb, alb, listeners, 80, ProtocolEnum.HTTP, null, forward, progress, changed);
    } else {
      ensureListener(elb, alb, listeners, 443, ProtocolEnum.HTTPS, r.certificateArn(), forward, progress, changed);
      Action redirect = Action.builder().type(ActionTypeEnum.REDIRECT).redirectConfig(RedirectActionConfig.builder()
          .protocol("HTTPS").port("443").statusCode(RedirectActionStatusCodeEnum.HTTP_301).build()).build();
      ensureListener(elb, alb, listeners, 80, ProtocolEnum.HTTP, null, redirect, progress, changed);
    }
    return new Outcome(tgArn, alb.loadBalancerArn(), alb.dnsName(), tasksGroupId);
  }

  private static void ensureListener(ElasticLoadBalancingV2Client elb, LoadBalancer alb, List<Listener> listeners,
      int port, ProtocolEnum protocol, String certificateArn, Action action, Progress progress, List<String> changed) {
    Listener existing = listeners.stream().filter(l -> l.port() != null && l.port() == port).findFirst().orElse(null);
    if (existing == null) {
      EcsDeployService.call("ELB CreateListener " + port, () -> elb.createListener(b -> {
        b.loadBalancerArn(alb.loadBalancerArn()).port(port).protocol(protocol).defaultActions(action);
        if (certificateArn != null) {
          b.certificates(Certificate.builder().certificateArn(certificateArn).build());
        }
      }));
      changed.add("listener " + port + " created");
      progress.info("created listener " + protocol + ":" + port + " (" + describe(action) + ")");
      return;
    }
    boolean sameCert = certificateArn == null || existing.certificates().stream()
        .anyMatch(c -> certificateArn.equals(c.certificateArn()));
    if (existing.protocol() == protocol && sameCert && existing.defaultActions().size() == 1
        && sameAction(existing.defaultActions().get(0), action)) {
      return;
    }
    EcsDeployService.call("ELB ModifyListener " + port, () -> elb.modifyListener(b -> {
      b.listenerArn(existing.listenerArn()).port(port).protocol(protocol).defaultActions(action);
      if (certificateArn != null) {
        b.certificates(Certificate.builder().certificateArn(certificateArn).build());
      }
    }));
    changed.add("listener " + port);
    progress.info("updated listener " + protocol + ":" + port + " (" + describe(action) + ")");
  }

  private static boolean sameAction(Action a, Action b) {
    if (a.type() != b.type()) {
      return false;
    }
    if (a.type() == ActionTypeEnum.FORWARD) {
      String arn = a.targetGroupArn();
      if (arn == null && a.forwardConfig() != null && a.forwardConfig().targetGroups().size() == 1) {
        arn = a.forwardConfig().targetGroups().get(0).targetGroupArn();
      }
      return Objects.equals(arn, b.targetGroupArn());
    }
    RedirectActionConfig x = a.redirectConfig();
    RedirectActionConfig y = b.redirectConfig();
    return x != null && Objects.equals(x.protocol(), y.protocol()) && Objects.equals(x.port(), y.port())
        && x.statusCode() == y.statusCode();
  }

  private static String describe(Action a) {
    return a.type() == ActionTypeEnum.FORWARD ? "forward to " + shortName(a.targetGroupArn())
        : "redirect to HTTPS:" + a.redirectConfig().port();
  }

  private static List<Tag> elbTags(Map<String, String> tags) {
    List<Tag> out = new ArrayList<>();
    tags.forEach((k, v) -> out.add(Tag.builder().key(k).value(v).build()));
    return out;
  }

  static TargetGroup findTargetGroupByArn(ElasticLoadBalancingV2Client elb, String arn) {
    try {
      return elb.describeTargetGroups(b -> b.targetGroupArns(arn)).targetGroups().stream().findFirst().orElse(null);
    } catch (TargetGroupNotFoundException e) {
      return null;
    } catch (SdkException e) {
      if ("ValidationError".equals(AwsErrors.code(e))) {
        return null;
      }
      throw AwsErrors.translate("ELB DescribeTargetGroups " + arn, e);
    }
  }

  private static TargetGroup findTargetGroupByName(ElasticLoadBalancingV2Client elb, String name) {
    try {
      return elb.describeTargetGroups(b -> b.names(name)).targetGroups().stream().findFirst().orElse(null);
    } catch (TargetGroupNotFoundException e) {
      return null;
    } catch (SdkException e) {
      throw AwsErrors.translate("ELB DescribeTargetGroups " + name, e);
    }
  }

  private static LoadBalancer findLoadBalancerByName(ElasticLoadBalancingV2Client elb, String name) {
    try {
      return elb.describeLoadBalancers(b -> b.names(name)).loadBalancers().stream().findFirst().orElse(null);
    } catch (LoadBalancerNotFoundException e) {
      return null;
    } catch (SdkException e) {
      throw AwsErrors.translate("ELB DescribeLoadBalancers " + name, e);
    }
  }

  private static String dnsNameOfLoadBalancer(ElasticLoadBalancingV2Client elb, String lbArn) {
    return EcsDeployService.call("ELB DescribeLoadBalancers", () -> elb.describeLoadBalancers(b -> b
        .loadBalancerArns(lbArn)).loadBalancers()).stream().findFirst().map(LoadBalancer::dnsName).orElse(null);
  }

  /** The DNS name of the (first) load balancer in front of a target group, or null. */
  static String dnsNameOf(ElasticLoadBalancingV2Client elb, String targetGroupArn) {
    String lb = loadBalancerArnOf(elb, targetGroupArn, null);
    return lb == null ? null : dnsNameOfLoadBalancer(elb, lb);
  }

  /** The load balancer in front of a target group (from this deploy's outcome when there is one). */
  static String loadBalancerArnOf(ElasticLoadBalancingV2Client elb, String targetGroupArn, Outcome outcome) {
    if (outcome != null) {
      return outcome.loadBalancerArn();
    }
    if (targetGroupArn == null) {
      return null;
    }
    TargetGroup tg = findTargetGroupByArn(elb, targetGroupArn);
    return tg == null || tg.loadBalancerArns().isEmpty() ? null : tg.loadBalancerArns().get(0);
  }

  /** {@code name} of a target group ARN. */
  static String shortName(String arn) {
    return arn == null ? "?" : dev.berth.rollout.RolloutWatcher.targetGroupName(arn);
  }
}
