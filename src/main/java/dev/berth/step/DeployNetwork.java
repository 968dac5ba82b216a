package dev.berth.step;

import dev.berth.aws.AwsErrors;
import dev.berth.report.BerthException;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
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
    List<SecurityGroup> groups = EcsDeployService.call("EC2 DescribeSecurityGroups default of " + vpcId,
        () -> ec2.describeSecurityGroups(b -> b.filters(filter("vpc-id", vpcId), filter("group-name", "default")))
            .securityGroups());
    if (groups.isEmpty()) {
      throw BerthException.failed("VPC " + vpcId + " has no default security group; pass --security-groups");
    }
    return groups.get(0).groupId();
  }

  /** The group of that name in the VPC, or null. */
  static SecurityGroup findGroup(Ec2Client ec2, String vpcId, String name) {
    return EcsDeployService.call("EC2 DescribeSecurityGroups " + name, () -> ec2.describeSecurityGroups(b -> b
        .filters(filter("vpc-id", vpcId), filter("group-name", name))).securityGroups()).stream().findFirst()
        .orElse(null);
  }

  static SecurityGroup describeGroup(Ec2Client ec2, String id) {
    return EcsDeployService.call("EC2 DescribeSecurityGroups " + id,
        () -> ec2.describeSecurityGroups(b -> b.groupIds(id)).securityGroups()).get(0);
  }

  static String createGroup(Ec2Client ec2, String vpcId, String name, String description) {
    return EcsDeployService.call("EC2 CreateSecurityGroup " + name, () -> ec2.createSecurityGroup(b -> b
        .groupName(name).description(description).vpcId(vpcId)).groupId());
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

  static void allowCidr(Ec2Client ec2, String groupId, int port, String cidr, String description) {
    EcsDeployService.call("EC2 AuthorizeSecurityGroupIngress " + groupId, () -> ec2.authorizeSecurityGroupIngress(b -> b
        .groupId(groupId).ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(port).toPort(port)
            .ipRanges(r -> r.cidrIp(cidr).description(description)).build())));
  }

  static void allowGroup(Ec2Client ec2, String groupId, int port, String sourceGroup, String description) {
    EcsDeployService.call("EC2 AuthorizeSecurityGroupIngress " + groupId, () -> ec2.authorizeSecurityGroupIngress(b -> b
        .groupId(groupId).ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(port).toPort(port)
            .userIdGroupPairs(u -> u.groupId(sourceGroup).description(description)).build())));
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
