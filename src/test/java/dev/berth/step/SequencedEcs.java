package dev.berth.step;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.DescribeClustersRequest;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.UpdateServiceRequest;
import software.amazon.awssdk.services.ecs.model.UpdateServiceResponse;

/**
 * An ECS stand-in for the step tests, answering as ECS does: the cluster "gantt" exists; DescribeServices
 * returns {@link #initial} once, then the recorded {@link #polls} in order (the last one repeats);
 * UpdateService is recorded and answered with {@link #afterUpdate()}. Everything else throws, so a call the
 * test did not expect fails it.
 */
abstract class SequencedEcs implements EcsClient {
  static final String CLUSTER_ARN = "arn:aws:ecs:us-east-2:123456789012:cluster/gantt";

  final Deque<Service> polls = new ArrayDeque<>();
  final List<UpdateServiceRequest> updates = new ArrayList<>();
  Service initial;

  /** What UpdateService answers. */
  abstract Service afterUpdate();

  @Override
  public DescribeClustersResponse describeClusters(DescribeClustersRequest r) {
    return DescribeClustersResponse.builder().clusters(Cluster.builder().clusterArn(CLUSTER_ARN)
        .clusterName("gantt").status("ACTIVE").build()).build();
  }

  @Override
  public DescribeServicesResponse describeServices(DescribeServicesRequest r) {
    Service s;
    if (initial != null) {
      s = initial;
      initial = null;
    } else {
      s = polls.size() > 1 ? polls.poll() : polls.peek();
    }
    return DescribeServicesResponse.builder().services(s).build();
  }

  @Override
  public UpdateServiceResponse updateService(UpdateServiceRequest r) {
    updates.add(r);
    return UpdateServiceResponse.builder().service(afterUpdate()).build();
  }

  @Override
  public String serviceName() {
    return "ecs";
  }

  @Override
  public void close() {}
}
