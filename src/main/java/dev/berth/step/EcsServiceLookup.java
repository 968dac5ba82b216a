package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.InvalidInputException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.Service;

/**
 * Finds an existing cluster and service before anything is changed, so that a wrong name ends as invalid
 * input (exit 3) naming it, not as an AWS error halfway through a step.
 */
final class EcsServiceLookup {
  private EcsServiceLookup() {}

  /** The ACTIVE cluster and service found by name or ARN. */
  record Found(Cluster cluster, Service service) {
    String clusterName() {
      return cluster.clusterName();
    }

    String serviceName() {
      return service.serviceName();
    }

    /** Application Auto Scaling's resource id of the service: {@code service/CLUSTER/SERVICE}. */
    String scalableResourceId() {
      return DeployAutoscaling.resourceId(clusterName(), serviceName());
    }
  }

  /**
   * One call when both exist (DescribeServices: the service names its cluster's ARN); DescribeClusters only
   * when the service is not found, to say whether the cluster or the service is missing.
   */
  static Found find(EcsClient ecs, String cluster, String service) {
    Service found = describe(ecs, cluster, service);
    if (found != null && found.clusterArn() != null && found.clusterArn().contains("/")) {
      String arn = found.clusterArn();
      return new Found(Cluster.builder().clusterArn(arn).clusterName(DeployAutoscaling.name(arn)).status("ACTIVE")
          .build(), found);
    }
    DescribeClustersResponse clusters;
    try {
      clusters = ecs.describeClusters(b -> b.clusters(cluster));
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeClusters for " + cluster, e);
    }
    Cluster c = clusters.clusters().stream().filter(x -> "ACTIVE".equals(x.status())).findFirst().orElse(null);
    if (c == null) {
      throw new InvalidInputException("--cluster", "cluster '" + cluster + "' not found (no ACTIVE cluster of that "
          + "name or ARN in this account and region)");
    }
    // the cluster exists: DescribeServices above already asked it for the service
    Service s = found;
    if (s == null) {
      throw new InvalidInputException("--service", "service '" + service + "' not found in cluster '"
          + c.clusterName() + "' (no ACTIVE service of that name or ARN)");
    }
    return new Found(c, s);
  }

  /** The ACTIVE service, or null when ECS does not know it (or it is being deleted). */
  static Service describe(EcsClient ecs, String clusterArn, String service) {
    DescribeServicesResponse r;
    try {
      r = ecs.describeServices(b -> b.cluster(clusterArn).services(service));
    } catch (ClusterNotFoundException e) {
      return null;
    } catch (SdkException e) {
      throw AwsErrors.translate("ECS DescribeServices for " + service, e);
    }
    return r.services().stream().filter(x -> "ACTIVE".equals(x.status())).findFirst().orElse(null);
  }
}
