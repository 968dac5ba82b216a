package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.Change;
import dev.berth.report.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.applicationautoscaling.model.MetricType;
import software.amazon.awssdk.services.applicationautoscaling.model.PolicyType;
import software.amazon.awssdk.services.applicationautoscaling.model.PredefinedMetricSpecification;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalingPolicy;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;
import software.amazon.awssdk.services.applicationautoscaling.model.TargetTrackingScalingPolicyConfiguration;

/**
 * Application Auto Scaling of the service's desired count: the scalable target's range and one target-tracking
 * policy per metric asked for, named {@code berth-cpu}, {@code berth-memory}, {@code berth-requests}. A policy
 * berth made whose metric is no longer asked for is deleted; policies with other names are left alone. Only
 * what differs is written.
 */
final class DeployAutoscaling {
  static final String CPU = "berth-cpu";
  static final String MEMORY = "berth-memory";
  static final String REQUESTS = "berth-requests";

  private DeployAutoscaling() {}

  record Existing(ScalableTarget target, List<ScalingPolicy> policies) {}

  static String resourceId(String cluster, String service) {
    return "service/" + cluster + "/" + service;
  }

  static Existing inspect(ApplicationAutoScalingClient aas, String cluster, String service, boolean creating) {
    String id = resourceId(name(cluster), name(service));
    try {
      ScalableTarget target = aas.describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS)
          .resourceIds(id).scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT)).scalableTargets().stream()
          .findFirst().orElse(null);
      List<ScalingPolicy> policies = target == null ? List.of() : aas.describeScalingPolicies(b -> b
          .serviceNamespace(ServiceNamespace.ECS).resourceId(id)
          .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT)).scalingPolicies();
      return new Existing(target, policies);
    } catch (SdkException e) {
      throw AwsErrors.translate("Application Auto Scaling DescribeScalableTargets for " + id, e);
    }
  }

  /** The last part of an ARN (cluster/service given as ARN), else the name itself. */
  static String name(String nameOrArn) {
    if (nameOrArn != null && nameOrArn.startsWith("arn:")) {
      return nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1);
    }
    return nameOrArn;
  }

  /**
   * The autoscaling changes: the scalable target's range (registered or moved), one target-tracking policy per
   * target given (added or updated), and the deletion of a {@code berth-*} policy whose target is no longer
   * given. Returns the range and policies the service has once the plan is applied.
   */
  static EcsDeployService.Autoscaling plan(DeployPlan plan, ApplicationAutoScalingClient aas,
      dev.berth.aws.EventualConsistency ec, EcsDeployService.Request r, EcsDeployService.Observed p,
      DeployPlan.Ref targetGroup, DeployPlan.Ref loadBalancer, Progress progress, List<String> changed) {
    String cluster = p.cluster != null ? p.cluster.clusterName() : name(r.cluster());
    String service = p.service != null ? p.service.serviceName() : name(r.service());
    String id = resourceId(cluster, service);
    ScalableTarget target = p.autoscaling.target();
    int min = r.autoscalingMin() != null ? r.autoscalingMin() : target.minCapacity();
    int max = r.autoscalingMax() != null ? r.autoscalingMax() : target.maxCapacity();
    if (target == null || target.minCapacity() != min || target.maxCapacity() != max) {
      List<Change.Field> fields = List.of(
          Change.Field.of("minCapacity", target == null ? null : target.minCapacity(), min),
          Change.Field.of("maxCapacity", target == null ? null : target.maxCapacity(), max));
      plan.add(target == null ? Change.create(TARGET, id, fields) : Change.updateIfChanged(TARGET, id, fields),
          "Application Auto Scaling RegisterScalableTarget " + id, made -> {
            aas.registerScalableTarget(b -> b.serviceNamespace(ServiceNamespace.ECS).resourceId(id)
                .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).minCapacity(min).maxCapacity(max));
            changed.add("autoscaling range");
            progress.info((target == null ? "registered" : "updated") + " autoscaling range " + min + "-" + max);
          });
    }

    int in = r.scaleInCooldown() != null ? r.scaleInCooldown() : EcsDeployService.DEFAULT_COOLDOWN;
    int out = r.scaleOutCooldown() != null ? r.scaleOutCooldown() : EcsDeployService.DEFAULT_COOLDOWN;
    record Want(double target, MetricType metric, boolean labelled) {}
    Map<String, Want> want = new LinkedHashMap<>();
    if (r.cpuTarget() != null) {
      want.put(CPU, new Want(r.cpuTarget(), MetricType.ECS_SERVICE_AVERAGE_CPU_UTILIZATION, false));
    }
    if (r.memoryTarget() != null) {
      want.put(MEMORY, new Want(r.memoryTarget(), MetricType.ECS_SERVICE_AVERAGE_MEMORY_UTILIZATION, false));
    }
    if (r.requestsPerTarget() != null) {
      want.put(REQUESTS, new Want(r.requestsPerTarget(), MetricType.ALB_REQUEST_COUNT_PER_TARGET, true));
    }
    Map<String, ScalingPolicy> have = new LinkedHashMap<>();
    p.autoscaling.policies().forEach(x -> have.put(x.policyName(), x));
    boolean labelKnown = targetGroup != null && loadBalancer != null && !targetGroup.isNew() && !loadBalancer.isNew();
    for (Map.Entry<String, Want> e : want.entrySet()) {
      String policy = e.getKey();
      Want w = e.getValue();
      String label = !w.labelled() ? null : labelKnown ? resourceLabel(loadBalancer.id(), targetGroup.id())
          : "(label of " + (loadBalancer == null ? "?" : loadBalancer.display()) + " and "
              + (targetGroup == null ? "?" : targetGroup.display()) + ")";
      ScalingPolicy existing = have.get(policy);
      boolean newLabel = w.labelled() && !labelKnown;
      if (existing != null && !newLabel
          && same(existing.targetTrackingScalingPolicyConfiguration(), config(w.target(), w.metric(), label, in, out))) {
        continue;
      }
      TargetTrackingScalingPolicyConfiguration cur = existing == null ? null
          : existing.targetTrackingScalingPolicyConfiguration();
      PredefinedMetricSpecification curSpec = cur == null ? null : cur.predefinedMetricSpecification();
      List<Change.Field> fields = new ArrayList<>(List.of(
          Change.Field.of("targetValue", cur == null ? null : cur.targetValue(), w.target()),
          Change.Field.of("metric", curSpec == null ? null : curSpec.predefinedMetricTypeAsString(),
              w.metric().toString())));
      if (w.labelled() || (curSpec != null && curSpec.resourceLabel() != null)) {
        fields.add(Change.Field.of("resourceLabel", curSpec == null ? null : curSpec.resourceLabel(), label));
      }
      fields.add(Change.Field.of("scaleInCooldown", cur == null ? null : cur.scaleInCooldown(), in));
      fields.add(Change.Field.of("scaleOutCooldown", cur == null ? null : cur.scaleOutCooldown(), out));
      if (cur != null && Boolean.TRUE.equals(cur.disableScaleIn())) {
        fields.add(Change.Field.of("disableScaleIn", true, false));
      }
      Change change = existing == null ? Change.create(POLICY, policy, fields) : Change.updateIfChanged(POLICY, policy, fields);
      if (change == null) {
        change = Change.update(POLICY, policy, fields);
      }
      plan.add(change, "Application Auto Scaling PutScalingPolicy " + policy, made -> {
        String realLabel = w.labelled() ? resourceLabel(made.id(loadBalancer), made.id(targetGroup)) : null;
        TargetTrackingScalingPolicyConfiguration config = config(w.target(), w.metric(), realLabel, in, out);
        // right after RegisterScalableTarget, PutScalingPolicy may answer ObjectNotFoundException for a while
        EcsDeployService.callRetrying(ec, progress, "Application Auto Scaling PutScalingPolicy " + policy,
            () -> aas.putScalingPolicy(b -> b
            .policyName(policy).serviceNamespace(ServiceNamespace.ECS).resourceId(id)
            .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT)
            .policyType(PolicyType.TARGET_TRACKING_SCALING).targetTrackingScalingPolicyConfiguration(config)));
        changed.add("autoscaling policy " + policy);
        progress.info((existing == null ? "added" : "updated") + " autoscaling policy " + policy + " (target "
            + w.target() + ")");
      });
    }
    List<String> policies = new ArrayList<>();
    for (ScalingPolicy existing : p.autoscaling.policies()) {
      String n = existing.policyName();
      if ((n.equals(CPU) || n.equals(MEMORY) || n.equals(REQUESTS)) && !want.containsKey(n)) {
        plan.add(Change.delete(POLICY, n), "Application Auto Scaling DeleteScalingPolicy " + n, made -> {
          aas.deleteScalingPolicy(b -> b.policyName(n).serviceNamespace(ServiceNamespace.ECS).resourceId(id)
              .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT));
          changed.add("autoscaling policy " + n + " removed");
          progress.info("removed autoscaling policy " + n + " (its target is no longer given)");
        });
      } else if (!want.containsKey(n)) {
        policies.add(n);
      }
    }
    policies.addAll(0, want.keySet());
    return new EcsDeployService.Autoscaling(min, max, List.copyOf(policies));
  }

  static final String TARGET = "application-autoscaling:scalable-target";
  static final String POLICY = "application-autoscaling:scaling-policy";

  private static TargetTrackingScalingPolicyConfiguration config(double target, MetricType metric, String label,
      int scaleIn, int scaleOut) {
    PredefinedMetricSpecification.Builder spec = PredefinedMetricSpecification.builder().predefinedMetricType(metric);
    if (label != null) {
      spec.resourceLabel(label);
    }
    return TargetTrackingScalingPolicyConfiguration.builder().targetValue(target)
        .predefinedMetricSpecification(spec.build()).scaleInCooldown(scaleIn).scaleOutCooldown(scaleOut).build();
  }

  private static boolean same(TargetTrackingScalingPolicyConfiguration have, TargetTrackingScalingPolicyConfiguration want) {
    if (have == null || have.predefinedMetricSpecification() == null) {
      return false;
    }
    return Objects.equals(have.targetValue(), want.targetValue())
        && have.predefinedMetricSpecification().predefinedMetricType()
            == want.predefinedMetricSpecification().predefinedMetricType()
        && Objects.equals(have.predefinedMetricSpecification().resourceLabel(),
            want.predefinedMetricSpecification().resourceLabel())
        && Objects.equals(have.scaleInCooldown(), want.scaleInCooldown())
        && Objects.equals(have.scaleOutCooldown(), want.scaleOutCooldown())
        && !Boolean.TRUE.equals(have.disableScaleIn());
  }

  /**
   * ALBRequestCountPerTarget's resource label: {@code app/NAME/ID/targetgroup/NAME/ID}, from the load
   * balancer's ARN ({@code ...:loadbalancer/app/NAME/ID}) and the target group's ({@code ...:targetgroup/NAME/ID}).
   */
  static String resourceLabel(String loadBalancerArn, String targetGroupArn) {
    if (loadBalancerArn == null || targetGroupArn == null) {
      throw new IllegalStateException("--requests-per-target needs the load balancer and target group");
    }
    String lb = loadBalancerArn.substring(loadBalancerArn.indexOf(":loadbalancer/") + ":loadbalancer/".length());
    String tg = targetGroupArn.substring(targetGroupArn.indexOf(":targetgroup/") + 1);
    return lb + "/" + tg;
  }
}
