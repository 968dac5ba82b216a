package dev.berth.testbed;

import dev.berth.aws.AwsClients;
import java.util.List;

/**
 * The story's network as a real account has it: a VPC with an internet gateway, two public subnets (a route
 * to the internet gateway) and two private ones (a route to a NAT gateway), one of each in zones us-east-2a
 * and us-east-2b. The tasks run in all four, "two per zone"; the ALB gets one public subnet per zone.
 *
 * @param vpc the VPC
 * @param publicA public subnet in us-east-2a
 * @param publicB public subnet in us-east-2b
 * @param privateA private subnet in us-east-2a
 * @param privateB private subnet in us-east-2b
 */
public record StoryVpc(String vpc, String publicA, String publicB, String privateA, String privateB) {

  /** Creates it with {@code aws} (pointed at moto directly: setting up is not what the tests judge). */
  public static StoryVpc create(AwsClients aws) {
    var ec2 = aws.ec2();
    String vpc = ec2.createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
    String publicA = subnet(aws, vpc, "10.0.1.0/24", "us-east-2a");
    String publicB = subnet(aws, vpc, "10.0.2.0/24", "us-east-2b");
    String privateA = subnet(aws, vpc, "10.0.11.0/24", "us-east-2a");
    String privateB = subnet(aws, vpc, "10.0.12.0/24", "us-east-2b");
    String igw = ec2.createInternetGateway(b -> {}).internetGateway().internetGatewayId();
    ec2.attachInternetGateway(b -> b.internetGatewayId(igw).vpcId(vpc));
    String publicRoutes = ec2.createRouteTable(b -> b.vpcId(vpc)).routeTable().routeTableId();
    ec2.createRoute(b -> b.routeTableId(publicRoutes).destinationCidrBlock("0.0.0.0/0").gatewayId(igw));
    for (String s : List.of(publicA, publicB)) {
      ec2.associateRouteTable(b -> b.routeTableId(publicRoutes).subnetId(s));
    }
    String eip = ec2.allocateAddress(b -> b.domain("vpc")).allocationId();
    String nat = ec2.createNatGateway(b -> b.subnetId(publicA).allocationId(eip)).natGateway().natGatewayId();
    String mainRoutes = ec2.describeRouteTables(b -> b.filters(f -> f.name("vpc-id").values(vpc),
        f -> f.name("association.main").values("true"))).routeTables().get(0).routeTableId();
    ec2.createRoute(b -> b.routeTableId(mainRoutes).destinationCidrBlock("0.0.0.0/0").natGatewayId(nat));
    return new StoryVpc(vpc, publicA, publicB, privateA, privateB);
  }

  /** The task subnets, two per zone, private ones first (so the ALB's choice of public ones is visible). */
  public List<String> taskSubnets() {
    return List.of(privateA, publicA, privateB, publicB);
  }

  private static String subnet(AwsClients aws, String vpc, String cidr, String zone) {
    return aws.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock(cidr).availabilityZone(zone)).subnet().subnetId();
  }
}
