package dev.berth.reliability;

import dev.berth.aws.AwsClients;
import dev.berth.testbed.TestEcr;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalingPolicy;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;

/**
 * Everything berth can change, as sorted lines of names and settings without generated ids (ARN suffixes,
 * group ids, DNS names), so that two accounts built by two runs compare equal when they hold the same
 * resources, and a snapshot before and after a failed run shows whether anything changed.
 */
final class State {
  private State() {}

  static List<String> snapshot(AwsClients aws, URI registry, String registryUser, String registryPassword) {
    TreeSet<String> lines = new TreeSet<>();
    // ECR
    for (Repository r : TestEcr.of(aws).describeRepositoriesPaginator().repositories()) {
      lines.add("ecr repository " + r.repositoryName() + " tags=" + r.imageTagMutabilityAsString() + " scanOnPush="
          + r.imageScanningConfiguration().scanOnPush());
      for (ImageIdentifier i : TestEcr.of(aws).listImagesPaginator(b -> b.repositoryName(r.repositoryName())).imageIds()) {
        lines.add("ecr image " + r.repositoryName() + " " + i.imageTag() + " " + i.imageDigest());
      }
      try {
        lines.add("ecr lifecycle " + r.repositoryName() + " "
            + TestEcr.of(aws).getLifecyclePolicy(b -> b.repositoryName(r.repositoryName())).lifecyclePolicyText());
      } catch (software.amazon.awssdk.services.ecr.model.LifecyclePolicyNotFoundException e) {
        // none
      }
    }
    // ECS
    for (String family : aws.ecs().listTaskDefinitionFamiliesPaginator(b -> b.status("ACTIVE")).families()) {
      for (String arn : aws.ecs().listTaskDefinitionsPaginator(b -> b.familyPrefix(family)).taskDefinitionArns()) {
        TaskDefinition td = aws.ecs().describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition();
        StringBuilder sb = new StringBuilder("ecs task-definition " + td.family() + ":" + td.revision() + " "
            + td.statusAsString() + " cpu=" + td.cpu() + " memory=" + td.memory());
        td.containerDefinitions().forEach(c -> sb.append(" ").append(c.name()).append("=").append(c.image()));
        lines.add(sb.toString());
      }
    }
    Map<String, String> tgNames = new HashMap<>();
    List<TargetGroup> tgs = new ArrayList<>();
    aws.elb().describeTargetGroupsPaginator().targetGroups().forEach(tgs::add);
    tgs.forEach(t -> tgNames.put(t.targetGroupArn(), t.targetGroupName()));
    for (String cluster : aws.ecs().listClustersPaginator().clusterArns()) {
      String cname = cluster.substring(cluster.lastIndexOf('/') + 1);
      lines.add("ecs cluster " + cname);
      List<String> arns = new ArrayList<>();
      aws.ecs().listServicesPaginator(b -> b.cluster(cluster)).serviceArns().forEach(arns::add);
      for (int i = 0; i < arns.size(); i += 10) {
        List<String> batch = arns.subList(i, Math.min(arns.size(), i + 10));
        for (Service s : aws.ecs().describeServices(b -> b.cluster(cluster).services(batch)).services()) {
          StringBuilder sb = new StringBuilder("ecs service " + cname + "/" + s.serviceName() + " "
              + s.status() + " desired=" + s.desiredCount() + " td=" + tail(s.taskDefinition())
              + " grace=" + s.healthCheckGracePeriodSeconds() + " deployments=" + s.deployments().size());
          s.loadBalancers().forEach(lb -> sb.append(" lb=").append(tgNames.getOrDefault(lb.targetGroupArn(),
              lb.targetGroupArn())).append(":").append(lb.containerName()).append(":").append(lb.containerPort()));
          lines.add(sb.toString());
        }
      }
    }
    // ELBv2
    Map<String, String> sgNames = new HashMap<>();
    for (SecurityGroup g : aws.ec2().describeSecurityGroupsPaginator().securityGroups()) {
      sgNames.put(g.groupId(), g.groupName());
    }
    for (LoadBalancer lb : aws.elb().describeLoadBalancersPaginator().loadBalancers()) {
      List<String> sgs = lb.securityGroups().stream().map(g -> sgNames.getOrDefault(g, g)).sorted().toList();
      lines.add("elb load-balancer " + lb.loadBalancerName() + " " + lb.schemeAsString() + " " + lb.typeAsString()
          + " zones=" + lb.availabilityZones().size() + " sg=" + sgs);
      for (Listener l : aws.elb().describeListenersPaginator(b -> b.loadBalancerArn(lb.loadBalancerArn())).listeners()) {
        StringBuilder sb = new StringBuilder("elb listener " + lb.loadBalancerName() + ":" + l.port() + " "
            + l.protocolAsString());
        l.defaultActions().forEach(a -> sb.append(" ").append(a.typeAsString()).append("->")
            .append(a.targetGroupArn() == null ? "" : tgNames.getOrDefault(a.targetGroupArn(), a.targetGroupArn())));
        lines.add(sb.toString());
      }
    }
    for (TargetGroup t : tgs) {
      lines.add("elb target-group " + t.targetGroupName() + " " + t.protocolAsString() + ":" + t.port() + " "
          + t.targetTypeAsString() + " path=" + t.healthCheckPath() + " lbs=" + t.loadBalancerArns().size());
    }
    // EC2 security groups (the default ones are the account's, not berth's)
    for (SecurityGroup g : aws.ec2().describeSecurityGroupsPaginator().securityGroups()) {
      if (g.groupName().equals("default")) {
        continue;
      }
      TreeSet<String> rules = new TreeSet<>();
      g.ipPermissions().forEach(p -> {
        p.ipRanges().forEach(r -> rules.add(p.ipProtocol() + ":" + p.fromPort() + "-" + p.toPort() + " " + r.cidrIp()));
        p.userIdGroupPairs().forEach(u -> rules.add(p.ipProtocol() + ":" + p.fromPort() + "-" + p.toPort() + " "
            + sgNames.getOrDefault(u.groupId(), u.groupId())));
      });
      lines.add("ec2 security-group " + g.groupName() + " ingress=" + rules);
    }
    // Application Auto Scaling
    for (ScalableTarget t : aws.autoscaling().describeScalableTargetsPaginator(b -> b.serviceNamespace(
        ServiceNamespace.ECS)).scalableTargets()) {
      lines.add("autoscaling target " + t.resourceId() + " " + t.minCapacity() + "-" + t.maxCapacity());
    }
    for (ScalingPolicy p : aws.autoscaling().describeScalingPoliciesPaginator(b -> b.serviceNamespace(
        ServiceNamespace.ECS)).scalingPolicies()) {
      var c = p.targetTrackingScalingPolicyConfiguration();
      lines.add("autoscaling policy " + p.resourceId() + " " + p.policyName() + " " + p.policyTypeAsString()
          + (c == null ? "" : " target=" + c.targetValue() + " metric=" + (c.predefinedMetricSpecification() == null
          ? null : c.predefinedMetricSpecification().predefinedMetricTypeAsString())));
    }
    // CloudWatch Logs
    aws.logs().describeLogGroupsPaginator().logGroups().forEach(g -> lines.add("logs group " + g.logGroupName()));
    // the registry
    if (registry != null) {
      lines.addAll(registry(registry, registryUser, registryPassword));
    }
    return List.copyOf(lines);
  }

  private static String tail(String arn) {
    return arn == null ? null : arn.substring(arn.lastIndexOf('/') + 1);
  }

  /** The registry's catalog and every repository's tags. */
  static List<String> registry(URI registry, String user, String password) {
    List<String> lines = new ArrayList<>();
    String catalog = get(registry.resolve("/v2/_catalog?n=1000"), user, password);
    for (String repo : strings(catalog, "repositories")) {
      lines.add("registry repository " + repo);
      String tags = get(registry.resolve("/v2/" + repo + "/tags/list"), user, password);
      for (String tag : strings(tags, "tags")) {
        lines.add("registry tag " + repo + ":" + tag);
      }
    }
    return lines;
  }

  private static List<String> strings(String json, String field) {
    try {
      var node = dev.berth.report.Json.mapper().readTree(json).get(field);
      List<String> out = new ArrayList<>();
      if (node != null && node.isArray()) {
        node.forEach(n -> out.add(n.asText()));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(json, e);
    }
  }

  private static String get(URI uri, String user, String password) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
          .getBytes(StandardCharsets.UTF_8)));
    }
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) {
        return "{}";
      }
      if (r.statusCode() != 200) {
        throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
