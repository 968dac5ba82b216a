package dev.berth.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.regions.EndpointTag;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.ServiceEndpointKey;
import software.amazon.awssdk.regions.ServiceMetadata;

/**
 * A service's HTTPS endpoint in a region from the SDK's endpoint metadata (every partition: aws, aws-cn,
 * aws-us-gov, aws-iso*, aws-eusc; FIPS and dual-stack variants when asked for), for berth's light clients, which
 * do not load a service's endpoint rules.
 */
public final class AwsEndpoints {
  private AwsEndpoints() {}

  /**
   * The endpoint of the service whose metadata id is SERVICE ({@code ecs}, {@code application-autoscaling},
   * {@code api.ecr}); throws IllegalArgumentException when the metadata has none for the region and variant.
   */
  public static URI of(String service, String region, boolean fips, boolean dualStack) {
    List<EndpointTag> tags = new ArrayList<>(2);
    if (fips) {
      tags.add(EndpointTag.FIPS);
    }
    if (dualStack) {
      tags.add(EndpointTag.DUALSTACK);
    }
    ServiceMetadata metadata = ServiceMetadata.of(service);
    if (metadata == null) {
      throw new IllegalArgumentException("the AWS SDK has no endpoint metadata for " + service);
    }
    URI host = metadata.endpointFor(ServiceEndpointKey.builder().region(Region.of(region)).tags(tags).build());
    if (host == null || host.toString().isBlank()) {
      throw new IllegalArgumentException("no endpoint for " + service + " in " + region);
    }
    return URI.create("https://" + host);
  }
}
