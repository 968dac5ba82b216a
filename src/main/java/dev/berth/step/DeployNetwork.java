package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.Route;
import software.amazon.awssdk.services.ec2.model.RouteTable;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;

/** EC2 look-ups and the few security-group changes of a deploy. */
final class DeployNetwork {
  private static final Pattern QUOTED_ID = Pattern.compile("'((?:subnet|sg)-[0-9a-zA-Z]+)'");

  private DeployNetwork() {}

  /** The subnets, or violations naming the ones that do not exist. */
  static List<Subnet> describeSubnets(Ec2Client ec2, List<String> ids, List<Violation> v) {
    try {
      return ec2.describeSubnets(b -> b.subnetIds(ids)).subnets();
    } catch (AwsServiceException e) {
      if ("InvalidSubnetID.NotFound".equals(AwsErrors.code(e)) || "InvalidSubnetID.Malformed".equals(AwsErrors.code(e))) {
        v.add(Violation.error("--subnets", "subnet " + named(e, ids) + " not found: " + e.awsErrorDetails()
            .errorMessage()));
        return List.of();
      }
      throw AwsErrors.translate("EC2 DescribeSubnets " + ids, e);
    } catch (SdkException e) {
      throw AwsErrors.translate("EC2 DescribeSubnets " + ids, e);
    }
  }

  static List<SecurityGroup> describeSecurityGroups(Ec2Client ec2, List<String> ids, List<Violation> v) {
    try {
      return ec2.describeSecurityGroups(b -> b.groupIds(ids)).securityGroups();
    } catch (AwsServiceException e) {
      String code = AwsErrors.code(e);
      if ("InvalidGroup.NotFound".equals(code) || "InvalidGroupId.Malformed".equals(code)) {
        v.add(Violation.error("--security-groups", "security group " + named(e, ids) + " not found: "
            + e.awsErrorDetails().errorMessage()));
        return List.of();
      }
      throw AwsErrors.translate("EC2 DescribeSecurityGroups " + ids, e);
    } catch (SdkException e) {
      throw AwsErrors.translate("EC2 DescribeSecurityGroups " + ids, e);
    }
  }

  private static String named(AwsServiceException e, List<String> ids) {
    String msg = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
    Matcher m = QUOTED_ID.matcher(msg);
    return m.find() ? m.group(1) : String.join(",", ids);
  }

  /** The VPC's default security group (what ECS uses when none is given). */
  static String defaultSecurityGroup(Ec2Client ec2, String vpcId) {
    List<SecurityGroup> groups = AwsErrors.call("EC2 DescribeSecurityGroups default of " + vpcId,
        () -> ec2.describeSecurityGroups(b -> b.filters(filter("vpc-id", vpcId), filter("group-name", "default")))
            .securityGroups());
    if (groups.isEmpty()) {
      throw BerthException.failed("VPC " + vpcId + " has no default security group; pass --security-groups");
    }
    return groups.get(0).groupId();
  }

  /** The group of that name in the VPC, or null. */
  static SecurityGroup findGroup(Ec2Client ec2, String vpcId, String name) {
    return AwsErrors.call("EC2 DescribeSecurityGroups " + name, () -> ec2.describeSecurityGroups(b -> b
        .filters(filter("vpc-id", vpcId), filter("group-name", name))).securityGroups()).stream().findFirst()
        .orElse(null);
  }

  /** The group just created, by its id (which EC2 may not know for a while: retried). */
  static SecurityGroup describeGroup(Ec2Client ec2, dev.berth.aws.EventualConsistency ec,
      dev.berth.report.Progress progress, String id) {
    return EcsDeployService.callRetrying(ec, progress, "EC2 DescribeSecurityGroups " + id,
        () -> ec2.describeSecurityGroups(b -> b.groupIds(id)).securityGroups()).get(0);
  }

  /** EC2 tags of a map. */
  static List<software.amazon.awssdk.services.ec2.model.Tag> ec2Tags(Map<String, String> tags) {
    List<software.amazon.awssdk.services.ec2.model.Tag> t = new ArrayList<>();
    tags.forEach((k, v) -> t.add(software.amazon.awssdk.services.ec2.model.Tag.builder().key(k).value(v).build()));
    return t;
  }

  /** True when the group already lets tcp {@code port} in from anywhere (IPv4). */
  static boolean allowsCidr(SecurityGroup g, int port, String cidr) {
    for (IpPermission p : g.ipPermissions()) {
      if (covers(p, port) && p.ipRanges().stream().anyMatch(r -> cidr.equals(r.cidrIp()))) {
        return true;
      }
    }
    return false;
  }

  /** True when the group already lets tcp {@code port} in from {@code sourceGroup}. */
  static boolean allowsGroup(SecurityGroup g, int port, String sourceGroup) {
    for (IpPermission p : g.ipPermissions()) {
      if (covers(p, port) && p.userIdGroupPairs().stream().anyMatch(u -> sourceGroup.equals(u.groupId()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean covers(IpPermission p, int port) {
    if ("-1".equals(p.ipProtocol())) {
      return true;
    }
    return "tcp".equals(p.ipProtocol()) && p.fromPort() != null && p.toPort() != null && p.fromPort() <= port
        && port <= p.toPort();
  }

  static void allowCidr(Ec2Client ec2, dev.berth.aws.EventualConsistency ec, dev.berth.report.Progress progress,
      String groupId, int port, String cidr, String description) {
    ingress(ec, progress, "EC2 AuthorizeSecurityGroupIngress " + groupId, () -> ec2.authorizeSecurityGroupIngress(b -> b
        .groupId(groupId).ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(port).toPort(port)
            .ipRanges(r -> r.cidrIp(cidr).description(description)).build())));
  }

  static void allowGroup(Ec2Client ec2, dev.berth.aws.EventualConsistency ec, dev.berth.report.Progress progress,
      String groupId, int port, String sourceGroup, String description) {
    ingress(ec, progress, "EC2 AuthorizeSecurityGroupIngress " + groupId, () -> ec2.authorizeSecurityGroupIngress(b -> b
        .groupId(groupId).ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(port).toPort(port)
            .userIdGroupPairs(u -> u.groupId(sourceGroup).description(description)).build())));
  }

  /** How a subnet reaches the internet, from its route table (explicit association, else the VPC's main one). */
  record Reach(boolean internetGateway, boolean natGateway) {}

  /** Reach of each subnet of the VPC named in {@code subnetIds}. */
  static Map<String, Reach> reach(Ec2Client ec2, String vpcId, List<String> subnetIds) {
    List<RouteTable> tables = AwsErrors.call("EC2 DescribeRouteTables " + vpcId, () -> ec2
        .describeRouteTablesPaginator(b -> b.filters(filter("vpc-id", vpcId))).routeTables().stream().toList());
    RouteTable main = tables.stream().filter(t -> t.associations().stream()
        .anyMatch(a -> Boolean.TRUE.equals(a.main()))).findFirst().orElse(null);
    Map<String, Reach> out = new LinkedHashMap<>();
    for (String id : subnetIds) {
      RouteTable t = tables.stream().filter(x -> x.associations().stream().anyMatch(a -> id.equals(a.subnetId())))
          .findFirst().orElse(main);
      boolean igw = false;
      boolean nat = false;
      if (t != null) {
        for (Route r : t.routes()) {
          boolean def = "0.0.0.0/0".equals(r.destinationCidrBlock());
          igw |= def && r.gatewayId() != null && r.gatewayId().startsWith("igw-");
          nat |= def && (r.natGatewayId() != null || r.instanceId() != null || r.transitGatewayId() != null);
        }
      }
      out.put(id, new Reach(igw, nat));
    }
    return out;
  }

  /**
   * True when the VPC has an interface endpoint for ECR's registry API ({@code com.amazonaws.REGION.ecr.dkr}),
   * so tasks without internet access can still pull (ECS developer guide, "Amazon ECR interface VPC endpoints").
   */
  static boolean hasEcrEndpoint(Ec2Client ec2, String vpcId, String region) {
    return !AwsErrors.call("EC2 DescribeVpcEndpoints " + vpcId, () -> ec2.describeVpcEndpoints(b -> b
        .filters(filter("vpc-id", vpcId), filter("service-name", "com.amazonaws." + region + ".ecr.dkr")))
        .vpcEndpoints()).isEmpty();
  }

  /**
   * One subnet per availability zone for an ALB, from {@code candidates} in their order, preferring in each
   * zone one that routes to an internet gateway when {@code preferPublic}. CreateLoadBalancer takes "only one
   * subnet per Availability Zone" and, for an ALB, "subnets from at least two Availability Zones" (ELBv2 API
   * reference, CreateLoadBalancer, Subnets); the caller checks the zone count.
   */
  static List<Subnet> onePerZone(List<Subnet> candidates, Map<String, Reach> reach, boolean preferPublic) {
    Map<String, Subnet> byZone = new LinkedHashMap<>();
    for (Subnet s : candidates) {
      Subnet have = byZone.get(s.availabilityZone());
      if (have == null || (preferPublic && !isPublic(have, reach) && isPublic(s, reach))) {
        byZone.put(s.availabilityZone(), s);
      }
    }
    return List.copyOf(byZone.values());
  }

  static boolean isPublic(Subnet s, Map<String, Reach> reach) {
    Reach r = reach.get(s.subnetId());
    return r != null && r.internetGateway();
  }

  /** An ingress rule; one another run added meanwhile ({@code InvalidPermission.Duplicate}) counts as added. */
  private static void ingress(dev.berth.aws.EventualConsistency ec, dev.berth.report.Progress progress, String what,
      java.util.function.Supplier<?> call) {
    try {
      EcsDeployService.callRetrying(ec, progress, what, call);
    } catch (BerthException e) {
      if (!"InvalidPermission.Duplicate".equals(AwsErrors.code(e.getCause()))) {
        throw e;
      }
      progress.detail(what + ": the rule is there already (added meanwhile by another run)");
    }
  }

  static Filter filter(String name, String value) {
    return Filter.builder().name(name).values(value).build();
  }

  static List<String> ids(List<Subnet> subnets) {
    List<String> out = new ArrayList<>();
    subnets.forEach(s -> out.add(s.subnetId()));
    return out;
  }
}
