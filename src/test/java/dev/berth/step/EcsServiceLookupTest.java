package dev.berth.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.report.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.DescribeClustersRequest;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.Service;

/** Answers in the shapes of the ECS API reference (DescribeServices, DescribeClusters). */
class EcsServiceLookupTest {
  static final String CLUSTER_ARN = "arn:aws:ecs:us-east-2:123456789012:cluster/gantt";

  /** ECS with the given clusters and services; every call is recorded. */
  static final class Ecs implements EcsClient {
    final List<String> calls = new ArrayList<>();
    final boolean clusterExists;
    final Service service;

    Ecs(boolean clusterExists, Service service) {
      this.clusterExists = clusterExists;
      this.service = service;
    }

    @Override
    public DescribeServicesResponse describeServices(DescribeServicesRequest r) {
      calls.add("DescribeServices " + r.cluster() + " " + r.services());
      if (!clusterExists) {
        throw (ClusterNotFoundException) ClusterNotFoundException.builder().message("Cluster not found.").build();
      }
      return service == null
          ? DescribeServicesResponse.builder().failures(Failure.builder().arn(r.services().get(0))
              .reason("MISSING").build()).build()
          : DescribeServicesResponse.builder().services(service).build();
    }

    @Override
    public DescribeClustersResponse describeClusters(DescribeClustersRequest r) {
      calls.add("DescribeClusters " + r.clusters());
      return clusterExists
          ? DescribeClustersResponse.builder().clusters(Cluster.builder().clusterArn(CLUSTER_ARN).clusterName("gantt")
              .status("ACTIVE").build()).build()
          : DescribeClustersResponse.builder().failures(Failure.builder().arn(r.clusters().get(0)).reason("MISSING")
              .build()).build();
    }

    @Override
    public String serviceName() {
      return "ecs";
    }

    @Override
    public void close() {}
  }

  static Service service(String status) {
    return Service.builder().serviceName("export").clusterArn(CLUSTER_ARN)
        .serviceArn("arn:aws:ecs:us-east-2:123456789012:service/gantt/export").status(status).build();
  }

  @Test
  void find_whenTheServiceExists_makesOneCallAndTakesTheClusterFromItsArn() {
    Ecs ecs = new Ecs(true, service("ACTIVE"));
    EcsServiceLookup.Found found = EcsServiceLookup.find(ecs, "gantt", "export");
    assertEquals(List.of("DescribeServices gantt [export]"), ecs.calls);
    assertEquals(CLUSTER_ARN, found.cluster().clusterArn());
    assertEquals("gantt", found.clusterName());
    assertEquals("export", found.serviceName());
    assertEquals("service/gantt/export", found.scalableResourceId());
  }

  @Test
  void find_whenTheClusterIsMissing_asksDescribeClustersAndNamesTheCluster() {
    Ecs ecs = new Ecs(false, null);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> EcsServiceLookup.find(ecs, "gant", "export"));
    assertEquals(List.of("DescribeServices gant [export]", "DescribeClusters [gant]"), ecs.calls);
    assertEquals("invalid input: --cluster: cluster 'gant' not found (no ACTIVE cluster of that name or ARN in this "
        + "account and region)", e.getMessage());
  }

  @Test
  void find_whenTheServiceIsMissingOrDraining_namesTheServiceInItsCluster() {
    for (Service s : new Service[] {null, service("DRAINING")}) {
      Ecs ecs = new Ecs(true, s);
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> EcsServiceLookup.find(ecs, "gantt", "export"));
      assertEquals(List.of("DescribeServices gantt [export]", "DescribeClusters [gantt]"), ecs.calls);
      assertEquals("invalid input: --service: service 'export' not found in cluster 'gantt' (no ACTIVE service of "
          + "that name or ARN)", e.getMessage());
    }
  }
}
