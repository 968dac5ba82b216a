package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.Change;
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
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateListenerException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateLoadBalancerNameException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateTargetGroupNameException;
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

  /** What exists before the deploy changes anything (berth's own resources, found by name and tags). */
  record Existing(TargetGroup targetGroup, LoadBalancer loadBalancer, SecurityGroup loadBalancerGroup,
      SecurityGroup serviceGroup, String deregistrationDelay, List<Listener> listeners) {
    Existing(TargetGroup targetGroup, LoadBalancer loadBalancer) {
      this(targetGroup, loadBalancer, null, null, null, List.of());
    }

    String targetGroupArn() {
      return targetGroup == null ? null : targetGroup.targetGroupArn();
    }
  }

  static final String TAG_CLUSTER = "berth:cluster";
  static final String TAG_SERVICE = "berth:service";

  static Existing inspect(ElasticLoadBalancingV2Client elb, Ec2Client ec2, EcsDeployService.Request r,
      EcsDeployService.Observed p, List<Violation> v) {
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
    // names are unique per account and region, so a name alone proves nothing: adopt only what berth tagged as
    // this cluster's and service's
    Map<String, String> owner = owner(r, p);
    List<String> arns = new ArrayList<>();
    if (lb != null) {
      arns.add(lb.loadBalancerArn());
    }
    if (tg != null) {
      arns.add(tg.targetGroupArn());
    }
    Map<String, Map<String, String>> tags = arns.isEmpty() ? Map.of() : tagsOf(elb, arns);
    if (lb != null && !owns(tags.get(lb.loadBalancerArn()), owner)) {
      v.add(Violation.error("--create-load-balancer", "a load balancer named " + names.loadBalancer() + " exists but"
          + " berth did not create it for " + describe(owner) + " (its tags say " + tags.get(lb.loadBalancerArn())
          + "); berth does not adopt it: use --target-group-arn to put the service behind it, or remove it"));
    }
    if (tg != null && !owns(tags.get(tg.targetGroupArn()), owner)) {
      v.add(Violation.error("--create-load-balancer", "a target group named " + names.targetGroup() + " exists but"
          + " berth did not create it for " + describe(owner) + " (its tags say " + tags.get(tg.targetGroupArn())
          + "); berth does not adopt it: use --target-group-arn, or remove it"));
    }
    SecurityGroup albGroup = null;
    SecurityGroup serviceGroup = null;
    if (vpc != null) {
      albGroup = ownedGroup(ec2, vpc, names.loadBalancerSecurityGroup(), owner, v);
      serviceGroup = ownedGroup(ec2, vpc, names.serviceSecurityGroup(), owner, v);
    }
    // what the plan compares with: the target group's deregistration delay, the ALB's listeners
    String delay = tg == null ? null : deregistrationDelay(elb, tg.targetGroupArn());
    List<Listener> listeners = lb == null ? List.of() : AwsErrors.call("ELB DescribeListeners",
        () -> elb.describeListeners(b -> b.loadBalancerArn(lb.loadBalancerArn())).listeners());
    return new Existing(tg, lb, albGroup, serviceGroup, delay, listeners);
  }

  /**
   * Creates berth's group; when another run of this deploy created it since this one looked
   * ({@code InvalidGroup.Duplicate}), uses that one if its tags say it is this service's.
   */
  private static SecurityGroup createOwnedGroup(Ec2Client ec2, dev.berth.aws.EventualConsistency ec, String vpc,
      String name, String description, Map<String, String> tags, Map<String, String> owner, Progress progress,
      List<String> changed, String change) {
    try {
      String id = ec2.createSecurityGroup(b -> b.groupName(name).description(description).vpcId(vpc)
          .tagSpecifications(ts -> ts.resourceType(software.amazon.awssdk.services.ec2.model.ResourceType.SECURITY_GROUP)
              .tags(DeployNetwork.ec2Tags(tags)))).groupId();
      SecurityGroup created = DeployNetwork.describeGroup(ec2, ec, progress, id);
      changed.add(change);
      progress.info("created security group " + name + " (" + id + ")");
      return created;
    } catch (SdkException e) {
      if (!"InvalidGroup.Duplicate".equals(AwsErrors.code(e))) {
        throw AwsErrors.translate("EC2 CreateSecurityGroup " + name, e);
      }
      List<Violation> v = new ArrayList<>();
      SecurityGroup g = ownedGroup(ec2, vpc, name, owner, v);
      if (g == null) {
        throw AwsErrors.translate("EC2 CreateSecurityGroup " + name, e);
      }
      progress.info("security group " + name + " was created meanwhile by another run; using it");
      return g;
    }
  }

  /** The berth tags of this cluster and service. */
  static Map<String, String> owner(EcsDeployService.Request r, EcsDeployService.Observed p) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put(TAG_CLUSTER, p.cluster != null ? p.cluster.clusterName() : r.cluster());
    m.put(TAG_SERVICE, p.service != null ? p.service.serviceName() : r.service());
    return m;
  }

  private static boolean owns(Map<String, String> tags, Map<String, String> owner) {
    return tags != null && owner.entrySet().stream().allMatch(e -> e.getValue().equals(tags.get(e.getKey())));
  }

  private static String describe(Map<String, String> owner) {
    return "cluster " + owner.get(TAG_CLUSTER) + ", service " + owner.get(TAG_SERVICE);
  }

  private static Map<String, Map<String, String>> tagsOf(ElasticLoadBalancingV2Client elb, List<String> arns) {
    Map<String, Map<String, String>> out = new java.util.HashMap<>();
    AwsErrors.call("ELB DescribeTags", () -> elb.describeTags(b -> b.resourceArns(arns)).tagDescriptions())
        .forEach(d -> {
          Map<String, String> m = new java.util.LinkedHashMap<>();
          d.tags().forEach(t -> m.put(t.key(), t.value()));
          out.put(d.resourceArn(), m);
        });
    return out;
  }

  /** The group of that name in the VPC when berth made it for this service; a foreign one is a violation. */
  private static SecurityGroup ownedGroup(Ec2Client ec2, String vpc, String name, Map<String, String> owner,
      List<Violation> v) {
    SecurityGroup g = DeployNetwork.findGroup(ec2, vpc, name);
    if (g == null) {
      return null;
    }
    Map<String, String> tags = new java.util.LinkedHashMap<>();
    g.tags().forEach(t -> tags.put(t.key(), t.value()));
    if (!owns(tags, owner)) {
      v.add(Violation.error("--create-load-balancer", "a security group named " + name + " (" + g.groupId()
          + ") exists in " + vpc + " but berth did not create it for " + describe(owner) + " (its tags say " + tags
          + "); berth does not change it: remove or rename it"));
      return null;
    }
    return g;
  }

  static DeployNames names(EcsDeployService.Request r, EcsDeployService.Observed p) {
    String cluster = p.cluster != null ? p.cluster.clusterName() : r.cluster();
    String service = p.service != null ? p.service.serviceName() : r.service();
    return new DeployNames(cluster, service);
  }

  /** Where the service's traffic comes from after the deploy: refs to resources that exist or are planned. */
  record Wiring(DeployPlan.Ref targetGroup, DeployPlan.Ref loadBalancer, String dnsName, DeployPlan.Ref tasksGroup) {}

  /** {@link DeployPlan.Made}'s key for the DNS name of a load balancer this deploy creates. */
  static String dnsKey(DeployPlan.Ref loadBalancer) {
    return "dns:" + loadBalancer.name();
  }

  /**
   * The load-balancing changes: with {@code --target-group-arn} none (the group was checked, it is never
   * changed); with {@code --create-load-balancer} berth's two security groups and their rules, the ALB, the
   * target group (health check, deregistration delay) and the listeners, each created when missing or changed
   * in what differs. Only read calls are made here; the changes are added to {@code plan}.
   */
  static Wiring plan(DeployPlan plan, ElasticLoadBalancingV2Client elb, Ec2Client ec2,
      dev.berth.aws.EventualConsistency ec, EcsDeployService.Request r, EcsDeployService.Observed p,
      Progress progress, List<String> changed) {
    if (r.targetGroupArn() != null) {
      TargetGroup tg = p.loadBalancing.targetGroup();
      String lbArn = tg.loadBalancerArns().get(0);
      return new Wiring(DeployPlan.Ref.existing(tg.targetGroupArn()), DeployPlan.Ref.existing(lbArn),
          dnsNameOfLoadBalancer(elb, lbArn), null);
    }
    DeployNames names = names(r, p);
    String vpc = p.vpcId;
    int port = p.containerPort;
    Map<String, String> tags = new java.util.LinkedHashMap<>(r.tags());
    tags.putAll(owner(r, p));
    Map<String, String> owner = owner(r, p);
    DeployPlan.Ref albGroupRef = ref(p.loadBalancing.loadBalancerGroup(), names.loadBalancerSecurityGroup());
    DeployPlan.Ref tasksGroupRef = ref(p.loadBalancing.serviceGroup(), names.serviceSecurityGroup());

    // the ALB's security group: the listener ports open to the internet
    List<Integer> listenerPorts = r.certificateArn() == null ? List.of(80) : List.of(80, 443);
    SecurityGroup albGroup = p.loadBalancing.loadBalancerGroup();
    List<Integer> closed = listenerPorts.stream()
        .filter(lp -> albGroup == null || !DeployNetwork.allowsCidr(albGroup, lp, ANYWHERE)).toList();
    List<Change.Field> albFields = new ArrayList<>();
    if (albGroup == null) {
      albFields.add(Change.Field.set("vpcId", vpc));
    }
    closed.forEach(lp -> albFields.add(Change.Field.of("ingress.tcp/" + lp, null, ANYWHERE)));
    String albGroupName = names.loadBalancerSecurityGroup();
    plan.add(albFields.isEmpty() ? null : new Change("ec2:security-group", albGroupName,
        albGroup == null ? Change.Action.CREATE : Change.Action.UPDATE, albFields),
        "EC2 security group " + albGroupName, made -> {
          SecurityGroup g = albGroup;
          if (g == null) {
            g = createOwnedGroup(ec2, ec, vpc, albGroupName, "berth: load balancer of " + names.loadBalancer(), tags,
                owner, progress, changed, "loadBalancerSecurityGroup created");
            made.put(albGroupName, g.groupId());
          }
          for (int lp : closed) {
            if (!DeployNetwork.allowsCidr(g, lp, ANYWHERE)) {
              DeployNetwork.allowCidr(ec2, ec, progress, g.groupId(), lp, ANYWHERE, "berth: listener " + lp);
              changed.add("loadBalancerSecurityGroup port " + lp);
              progress.info("opened port " + lp + " of " + albGroupName);
            }
          }
        });

    // the tasks' berth-owned security group: the container port open to the ALB's group. A group the user
    // passed may be shared or the VPC's default, so berth never adds rules to it: the service gets this group
    // in addition to the user's.
    SecurityGroup tasksGroup = p.loadBalancing.serviceGroup();
    boolean ruleMissing = tasksGroup == null || albGroupRef.isNew()
        || !DeployNetwork.allowsGroup(tasksGroup, port, albGroupRef.id());
    List<Change.Field> tasksFields = new ArrayList<>();
    if (tasksGroup == null) {
      tasksFields.add(Change.Field.set("vpcId", vpc));
    }
    if (ruleMissing) {
      tasksFields.add(Change.Field.of("ingress.tcp/" + port, null, albGroupRef.display()));
    }
    String tasksGroupName = names.serviceSecurityGroup();
    plan.add(tasksFields.isEmpty() ? null : new Change("ec2:security-group", tasksGroupName,
        tasksGroup == null ? Change.Action.CREATE : Change.Action.UPDATE, tasksFields),
        "EC2 security group " + tasksGroupName, made -> {
          SecurityGroup g = tasksGroup;
          if (g == null) {
            g = createOwnedGroup(ec2, ec, vpc, tasksGroupName, "berth: tasks of service " + tags.get(TAG_SERVICE),
                tags, owner, progress, changed, "serviceSecurityGroup created");
            made.put(tasksGroupName, g.groupId());
          }
          String albGroupId = made.id(albGroupRef);
          if (!DeployNetwork.allowsGroup(g, port, albGroupId)) {
            DeployNetwork.allowGroup(ec2, ec, progress, g.groupId(), port, albGroupId,
                "berth: from load balancer " + names.loadBalancer());
            changed.add("serviceSecurityGroup port " + port);
            progress.info("let " + albGroupName + " reach port " + port + " of " + g.groupId());
          }
        });

    // the ALB (an existing one berth made is kept as it is)
    LoadBalancer existingLb = p.loadBalancing.loadBalancer();
    DeployPlan.Ref lbRef = existingLb == null ? DeployPlan.Ref.created(names.loadBalancer())
        : DeployPlan.Ref.existing(existingLb.loadBalancerArn());
    if (existingLb == null) {
      List<String> subnets = p.loadBalancerSubnets.stream().map(Subnet::subnetId).toList();
      LoadBalancerSchemeEnum scheme = "internal".equals(r.loadBalancerScheme()) ? LoadBalancerSchemeEnum.INTERNAL
          : LoadBalancerSchemeEnum.INTERNET_FACING;
      plan.add(Change.create("elasticloadbalancing:load-balancer", names.loadBalancer(), List.of(
          Change.Field.set("type", "application"), Change.Field.set("scheme", scheme.toString()),
          Change.Field.set("subnets", subnets), Change.Field.set("securityGroups", List.of(albGroupRef.display())))),
          "ELB CreateLoadBalancer " + names.loadBalancer(), made -> {
            String albGroupId = made.id(albGroupRef);
            LoadBalancer lb;
            try {
              lb = elb.createLoadBalancer(b -> b
                  .name(names.loadBalancer()).subnets(subnets).securityGroups(albGroupId)
                  .scheme(scheme).type(LoadBalancerTypeEnum.APPLICATION)
                  .ipAddressType(IpAddressType.IPV4).tags(elbTags(tags))).loadBalancers().get(0);
              changed.add("loadBalancer created");
              progress.info("created load balancer " + names.loadBalancer() + " (" + lb.dnsName() + ")");
            } catch (DuplicateLoadBalancerNameException e) {
              // another run of this deploy created it since this one looked (its tags are checked like any other's)
              lb = adoptRaced(elb, owner, "load balancer " + names.loadBalancer(),
                  findLoadBalancerByName(elb, names.loadBalancer()), LoadBalancer::loadBalancerArn, e, progress);
            }
            made.put(names.loadBalancer(), lb.loadBalancerArn());
            made.put(dnsKey(lbRef), lb.dnsName());
          });
    }

    // the target group
    TargetGroup tg = p.loadBalancing.targetGroup();
    String path = r.healthCheckPath() != null ? r.healthCheckPath() : EcsDeployService.DEFAULT_HEALTH_CHECK_PATH;
    int interval = r.healthCheckInterval() != null ? r.healthCheckInterval()
        : EcsDeployService.DEFAULT_HEALTH_CHECK_INTERVAL;
    int healthy = r.healthyThreshold() != null ? r.healthyThreshold() : EcsDeployService.DEFAULT_HEALTHY_THRESHOLD;
    int unhealthy = r.unhealthyThreshold() != null ? r.unhealthyThreshold()
        : EcsDeployService.DEFAULT_UNHEALTHY_THRESHOLD;
    int timeout = Math.min(5, interval - 1);
    int delay = r.deregistrationDelay() != null ? r.deregistrationDelay()
        : EcsDeployService.DEFAULT_DEREGISTRATION_DELAY;
    DeployPlan.Ref tgRef = tg == null ? DeployPlan.Ref.created(names.targetGroup())
        : DeployPlan.Ref.existing(tg.targetGroupArn());
    if (tg == null) {
      plan.add(Change.create("elasticloadbalancing:target-group", names.targetGroup(), List.of(
          Change.Field.set("targetType", "ip"), Change.Field.set("protocol", "HTTP"), Change.Field.set("port", port),
          Change.Field.set("vpcId", vpc), Change.Field.set("healthCheckPath", path),
          Change.Field.set("healthCheckIntervalSeconds", interval),
          Change.Field.set("healthyThresholdCount", healthy), Change.Field.set("unhealthyThresholdCount", unhealthy),
          Change.Field.set("deregistrationDelay", delay))),
          "ELB CreateTargetGroup " + names.targetGroup(), made -> {
            TargetGroup created;
            try {
              created = elb.createTargetGroup(b -> b
                  .name(names.targetGroup()).protocol(ProtocolEnum.HTTP).port(port).vpcId(vpc)
                  .targetType(TargetTypeEnum.IP).healthCheckProtocol(ProtocolEnum.HTTP).healthCheckPath(path)
                  .healthCheckIntervalSeconds(interval).healthCheckTimeoutSeconds(timeout)
                  .healthyThresholdCount(healthy).unhealthyThresholdCount(unhealthy)
                  .matcher(Matcher.builder().httpCode("200-399").build()).tags(elbTags(tags))).targetGroups().get(0);
              changed.add("targetGroup created");
              progress.info("created target group " + names.targetGroup() + " (type ip, port " + port
                  + ", health check " + path + " every " + interval + "s)");
            } catch (DuplicateTargetGroupNameException e) {
              created = adoptRaced(elb, owner, "target group " + names.targetGroup(),
                  findTargetGroupByName(elb, names.targetGroup()), TargetGroup::targetGroupArn, e, progress);
            }
            String arn = created.targetGroupArn();
            made.put(names.targetGroup(), arn);
            // a new target group drains for AWS's default (300 s)
            if (!String.valueOf(delay).equals(deregistrationDelay(elb, arn))) {
              setDeregistrationDelay(elb, arn, delay, names, progress, changed);
            }
          });
    } else {
      List<Change.Field> health = List.of(
          Change.Field.of("healthCheckPath", tg.healthCheckPath(), path),
          Change.Field.of("healthCheckIntervalSeconds", tg.healthCheckIntervalSeconds(), interval),
          Change.Field.of("healthyThresholdCount", tg.healthyThresholdCount(), healthy),
          Change.Field.of("unhealthyThresholdCount", tg.unhealthyThresholdCount(), unhealthy));
      Change healthChange = Change.updateIfChanged("elasticloadbalancing:target-group", names.targetGroup(), health);
      boolean delayDiffers = !String.valueOf(delay).equals(p.loadBalancing.deregistrationDelay());
      List<Change.Field> fields = new ArrayList<>(healthChange == null ? List.of() : healthChange.fields());
      if (delayDiffers) {
        String current = p.loadBalancing.deregistrationDelay();
        fields.add(Change.Field.of("deregistrationDelay", current == null ? null : Integer.valueOf(current), delay));
      }
      String arn = tg.targetGroupArn();
      plan.add(fields.isEmpty() ? null : Change.update("elasticloadbalancing:target-group", names.targetGroup(), fields),
          "ELB update of target group " + names.targetGroup(), made -> {
            if (healthChange != null) {
              elb.modifyTargetGroup(b -> b.targetGroupArn(arn).healthCheckPath(path).healthCheckIntervalSeconds(interval)
                  .healthCheckTimeoutSeconds(Math.min(timeout, interval - 1)).healthyThresholdCount(healthy)
                  .unhealthyThresholdCount(unhealthy));
              changed.add("targetGroup healthCheck");
              progress.info("updated the health check of target group " + names.targetGroup());
            }
            if (delayDiffers) {
              setDeregistrationDelay(elb, arn, delay, names, progress, changed);
            }
          });
    }

    // listeners: 80 forwards, or with a certificate 443 forwards and 80 redirects to it
    List<Listener> listeners = existingLb == null ? List.of() : p.loadBalancing.listeners();
    if (r.certificateArn() == null) {
      planListener(plan, elb, lbRef, tgRef, listeners, 80, ProtocolEnum.HTTP, null, names, progress, changed);
    } else {
      planListener(plan, elb, lbRef, tgRef, listeners, 443, ProtocolEnum.HTTPS, r.certificateArn(), names, progress,
          changed);
      planListener(plan, elb, lbRef, null, listeners, 80, ProtocolEnum.HTTP, null, names, progress, changed);
    }
    return new Wiring(tgRef, lbRef, existingLb == null ? null : existingLb.dnsName(), tasksGroupRef);
  }

  private static DeployPlan.Ref ref(SecurityGroup g, String name) {
    return g == null ? DeployPlan.Ref.created(name) : DeployPlan.Ref.existing(g.groupId());
  }

  private static String deregistrationDelay(ElasticLoadBalancingV2Client elb, String tgArn) {
    return AwsErrors.call("ELB DescribeTargetGroupAttributes", () -> elb
        .describeTargetGroupAttributes(b -> b.targetGroupArn(tgArn)).attributes()).stream()
        .filter(a -> "deregistration_delay.timeout_seconds".equals(a.key())).map(TargetGroupAttribute::value)
        .findFirst().orElse(null);
  }

  private static void setDeregistrationDelay(ElasticLoadBalancingV2Client elb, String tgArn, int delay,
      DeployNames names, Progress progress, List<String> changed) {
    elb.modifyTargetGroupAttributes(b -> b.targetGroupArn(tgArn).attributes(TargetGroupAttribute.builder()
        .key("deregistration_delay.timeout_seconds").value(String.valueOf(delay)).build()));
    changed.add("targetGroup deregistrationDelay");
    progress.info("deregistration delay of " + names.targetGroup() + ": " + delay + "s");
  }

  /**
   * One listener: created when the ALB has none on {@code port}, modified when its protocol, certificate or
   * action differ. {@code forwardTo} null means the redirect to HTTPS:443.
   */
  private static void planListener(DeployPlan plan, ElasticLoadBalancingV2Client elb, DeployPlan.Ref lbRef,
      DeployPlan.Ref forwardTo, List<Listener> listeners, int port, ProtocolEnum protocol, String certificateArn,
      DeployNames names, Progress progress, List<String> changed) {
    Listener existing = listeners.stream().filter(l -> l.port() != null && l.port() == port).findFirst().orElse(null);
    String actionText = forwardTo == null ? "redirect to HTTPS:443" : "forward to " + (forwardTo.isNew()
        ? forwardTo.display() : shortName(forwardTo.id()));
    String name = names.loadBalancer() + ":" + port;
    java.util.function.Function<DeployPlan.Made, Action> action = made -> forwardTo == null
        ? Action.builder().type(ActionTypeEnum.REDIRECT).redirectConfig(RedirectActionConfig.builder()
            .protocol("HTTPS").port("443").statusCode(RedirectActionStatusCodeEnum.HTTP_301).build()).build()
        : Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(made.id(forwardTo)).build();
    if (existing == null) {
      List<Change.Field> fields = new ArrayList<>(List.of(Change.Field.set("protocol", protocol.toString()),
          Change.Field.set("defaultAction", actionText)));
      if (certificateArn != null) {
        fields.add(Change.Field.set("certificate", certificateArn));
      }
      plan.add(Change.create("elasticloadbalancing:listener", name, fields), "ELB CreateListener " + port, made -> {
        Action a = action.apply(made);
        String lbArn = made.id(lbRef);
        try {
          elb.createListener(b -> {
            b.loadBalancerArn(lbArn).port(port).protocol(protocol).defaultActions(a);
            if (certificateArn != null) {
              b.certificates(Certificate.builder().certificateArn(certificateArn).build());
            }
          });
        } catch (DuplicateListenerException e) {
          // another run of this deploy made it meanwhile; compare it like one found by the look
          Listener raced = AwsErrors.call("ELB DescribeListeners", () -> elb.describeListeners(b -> b
              .loadBalancerArn(lbArn)).listeners()).stream().filter(l -> l.port() != null && l.port() == port)
              .findFirst().orElseThrow(() -> AwsErrors.translate("ELB CreateListener " + port, e));
          progress.info("listener " + port + " was created meanwhile by another run");
          if (!sameListener(raced, protocol, certificateArn, a)) {
            modifyListener(elb, raced, port, protocol, certificateArn, a, progress, changed);
          }
          return;
        }
        changed.add("listener " + port + " created");
        progress.info("created listener " + protocol + ":" + port + " (" + describe(a) + ")");
      });
      return;
    }
    boolean same = forwardTo == null || !forwardTo.isNew();
    if (same) {
      Action want = action.apply(new DeployPlan.Made());
      same = sameListener(existing, protocol, certificateArn, want);
    }
    if (same) {
      return;
    }
    List<Change.Field> fields = new ArrayList<>();
    if (existing.protocol() != protocol) {
      fields.add(Change.Field.of("protocol", existing.protocolAsString(), protocol.toString()));
    }
    if (certificateArn != null && existing.certificates().stream()
        .noneMatch(c -> certificateArn.equals(c.certificateArn()))) {
      fields.add(Change.Field.of("certificate", existing.certificates().isEmpty() ? null
          : existing.certificates().get(0).certificateArn(), certificateArn));
    }
    String before = existing.defaultActions().size() == 1 ? describeFound(existing.defaultActions().get(0))
        : existing.defaultActions().size() + " actions";
    if (!before.equals(actionText)) {
      fields.add(Change.Field.of("defaultAction", before, actionText));
    }
    if (fields.isEmpty()) {
      fields.add(Change.Field.of("defaultAction", before, actionText));
    }
    plan.add(Change.update("elasticloadbalancing:listener", name, fields), "ELB ModifyListener " + port,
        made -> modifyListener(elb, existing, port, protocol, certificateArn, action.apply(made), progress, changed));
  }

  private static boolean sameListener(Listener found, ProtocolEnum protocol, String certificateArn, Action action) {
    boolean sameCert = certificateArn == null || found.certificates().stream()
        .anyMatch(c -> certificateArn.equals(c.certificateArn()));
    return found.protocol() == protocol && sameCert && found.defaultActions().size() == 1
        && sameAction(found.defaultActions().get(0), action);
  }

  private static void modifyListener(ElasticLoadBalancingV2Client elb, Listener found, int port, ProtocolEnum protocol,
      String certificateArn, Action action, Progress progress, List<String> changed) {
    elb.modifyListener(b -> {
      b.listenerArn(found.listenerArn()).port(port).protocol(protocol).defaultActions(action);
      if (certificateArn != null) {
        b.certificates(Certificate.builder().certificateArn(certificateArn).build());
      }
    });
    changed.add("listener " + port);
    progress.info("updated listener " + protocol + ":" + port + " (" + describe(action) + ")");
  }

  /** An action as found on a listener (forward by target group or forward config, redirect, other). */
  private static String describeFound(Action a) {
    if (a.type() == ActionTypeEnum.FORWARD) {
      String arn = a.targetGroupArn();
      if (arn == null && a.forwardConfig() != null && a.forwardConfig().targetGroups().size() == 1) {
        arn = a.forwardConfig().targetGroups().get(0).targetGroupArn();
      }
      return "forward to " + shortName(arn);
    }
    if (a.type() == ActionTypeEnum.REDIRECT && a.redirectConfig() != null) {
      return "redirect to " + a.redirectConfig().protocol() + ":" + a.redirectConfig().port();
    }
    return a.typeAsString();
  }

  /**
   * A resource another run of this deploy created between this run's look and its create: used when its tags
   * say it is this cluster's and service's, else the create's refusal stands.
   */
  private static <T> T adoptRaced(ElasticLoadBalancingV2Client elb, Map<String, String> owner, String what, T found,
      java.util.function.Function<T, String> arn, SdkException refusal, Progress progress) {
    if (found == null || !owns(tagsOf(elb, List.of(arn.apply(found))).get(arn.apply(found)), owner)) {
      throw AwsErrors.translate("ELB create " + what, refusal);
    }
    progress.info(what + " was created meanwhile by another run for " + describe(owner) + "; using it");
    return found;
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
    return AwsErrors.call("ELB DescribeLoadBalancers", () -> elb.describeLoadBalancers(b -> b
        .loadBalancerArns(lbArn)).loadBalancers()).stream().findFirst().map(LoadBalancer::dnsName).orElse(null);
  }

  /** The DNS name of the (first) load balancer in front of a target group, or null. */
  static String dnsNameOf(ElasticLoadBalancingV2Client elb, String targetGroupArn) {
    String lb = loadBalancerArnOf(elb, targetGroupArn);
    return lb == null ? null : dnsNameOfLoadBalancer(elb, lb);
  }

  /** The load balancer in front of a target group (from this deploy's outcome when there is one). */
  static String loadBalancerArnOf(ElasticLoadBalancingV2Client elb, String targetGroupArn) {
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
