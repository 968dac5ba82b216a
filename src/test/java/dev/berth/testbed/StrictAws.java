package dev.berth.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.aws.AwsSettings;
import dev.berth.report.Json;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Subnet;

/**
 * The test bed's strict layer: a {@link FaultProxy} in front of moto that refuses what real AWS refuses and
 * moto accepts, and plays the eventual-consistency refusals AWS gives right after a create. Every rule cites
 * the AWS document it comes from; docs/aws-rules.md lists them for users.
 *
 * <p>Rules (always on):
 * <ol>
 *   <li>{@code ecs:RegisterTaskDefinition}: a FARGATE definition without {@code executionRoleArn} whose
 *       containers pull from private ECR, use the awslogs driver or have secrets is refused with
 *       {@code ClientException} (ECS developer guide, "Amazon ECS task execution IAM role": Fargate needs the
 *       role to pull from ECR, to use awslogs, and to read secrets).
 *   <li>{@code ecs:CreateService} of a service that exists: {@code InvalidParameterException} "Creation of
 *       service was not idempotent." (ECS API reference, CreateService, clientToken); {@code CreateListener} on
 *       a port that has one: {@code DuplicateListener} (ELBv2 API reference, CreateListener);
 *   <li>{@code elasticloadbalancing:CreateLoadBalancer} of an application load balancer: two subnets in one
 *       zone are refused ({@code InvalidConfigurationRequest}), fewer than two zones are refused
 *       ({@code ValidationError}) (ELBv2 API reference, CreateLoadBalancer, Subnets: "You can specify only one
 *       subnet per Availability Zone", "[Application Load Balancers] You must specify subnets from at least two
 *       Availability Zones"); an internet-facing one in a VPC without an internet gateway is refused
 *       ({@code InvalidSubnet}) (Application Load Balancers guide, "Subnets for your load balancer": an
 *       internet-facing load balancer needs public subnets).
 * </ol>
 * Eventual consistency (on unless made with {@link #withoutEventualConsistency}), each refusal
 * played once per created thing:
 * <ol>
 *   <li>the first EC2 call naming a security group created through this layer answers
 *       {@code InvalidGroup.NotFound} (EC2 developer guide, "Eventual consistency in the Amazon EC2 API");
 *   <li>the first {@code PutScalingPolicy} for a resource registered through this layer answers
 *       {@code ObjectNotFoundException} (Application Auto Scaling API reference, ObjectNotFoundException);
 *   <li>the first {@code CreateService} answers {@code InvalidParameterException} "Unable to assume the
 *       service linked role" (ECS developer guide, "Using service-linked roles for Amazon ECS": ECS creates the
 *       role on first use).
 * </ol>
 */
public final class StrictAws implements AutoCloseable {
  private static final Pattern ECR_PRIVATE = Pattern.compile("\\d{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.*");
  private static final Pattern GROUP_ID = Pattern.compile("<groupId>(sg-[0-9a-zA-Z]+)</groupId>");
  private static final Pattern SG_IN_FORM = Pattern.compile("sg-[0-9a-f]+");

  private final FaultProxy proxy;
  private final URI upstream;
  private final AwsClients moto;
  private final boolean eventual;
  private final Set<String> newGroups = ConcurrentHashMap.newKeySet();
  private final Set<String> newScalableTargets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean serviceLinkedRoleReady = new AtomicBoolean();
  private final Set<String> servicesCreated = ConcurrentHashMap.newKeySet();
  private final Set<String> listenersCreated = ConcurrentHashMap.newKeySet();
  private final Set<String> loadBalancersCreated = ConcurrentHashMap.newKeySet();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  private StrictAws(URI upstream, boolean eventual) {
    this.upstream = upstream;
    this.eventual = eventual;
    this.moto = AwsClients.create(AwsSettings.defaults().withRegion(MotoServer.REGION).withEndpointUrl(upstream),
        Map.of());
    this.proxy = FaultProxy.to(upstream).rate(0).respondWithBody(this::answer).rewrite(this::observe).start();
  }

  /** A strict layer in front of {@code upstream} (moto), with eventual-consistency refusals on. */
  public static StrictAws in(URI upstream) {
    return new StrictAws(upstream, true);
  }

  private static final Map<URI, StrictAws> SHARED = new ConcurrentHashMap<>();

  /** One strict layer per upstream for the whole test JVM (closed with it); {@link #reset} it with moto. */
  public static StrictAws shared(URI upstream) {
    return SHARED.computeIfAbsent(upstream, StrictAws::in);
  }

  /** Forgets what was created (call after moto's reset): the next CreateService is again the account's first. */
  public void reset() {
    newGroups.clear();
    newScalableTargets.clear();
    serviceLinkedRoleReady.set(false);
    servicesCreated.clear();
    listenersCreated.clear();
    loadBalancersCreated.clear();
    refused.clear();
  }

  /** Without the eventual-consistency refusals (tests that count calls exactly). */
  public static StrictAws withoutEventualConsistency(URI upstream) {
    return new StrictAws(upstream, false);
  }

  public URI endpoint() {
    return proxy.endpoint();
  }

  /** Every refusal this layer gave, as {@code action: code: message}. */
  public List<String> refused() {
    return List.copyOf(refused);
  }

  /** The refusals of one AWS error code. */
  public List<String> refused(String code) {
    return refused.stream().filter(r -> r.contains(": " + code + ": ")).toList();
  }

  public List<FaultProxy.Exchange> exchanges() {
    return proxy.exchanges();
  }

  // ------------------------------------------------------------------ requests

  private FaultProxy.Answer answer(FaultProxy.Exchange e, byte[] body) {
    String action = e.action();
    return switch (action) {
      case "ecs:RegisterTaskDefinition" -> registerTaskDefinition(body);
      case "ecs:CreateService" -> createService(json(body));
      case "elasticloadbalancing:CreateLoadBalancer" -> createLoadBalancer(form(body));
      case "elasticloadbalancing:CreateListener" -> createListener(form(body));
      case "application-autoscaling:RegisterScalableTarget" -> {
        newScalableTargets.add(json(body).path("ResourceId").asText());
        yield null;
      }
      case "application-autoscaling:PutScalingPolicy" -> putScalingPolicy(json(body));
      default -> e.service().equals("ec2") ? ec2(e, body) : null;
    };
  }

  private FaultProxy.Answer registerTaskDefinition(byte[] body) {
    JsonNode def = json(body);
    boolean fargate = false;
    for (JsonNode c : def.path("requiresCompatibilities")) {
      fargate |= "FARGATE".equals(c.asText());
    }
    if (!fargate || !def.path("executionRoleArn").asText("").isEmpty()) {
      return null;
    }
    for (JsonNode c : def.path("containerDefinitions")) {
      String need = null;
      if (ECR_PRIVATE.matcher(c.path("image").asText("")).matches()) {
        need = "ECR images";
      } else if ("awslogs".equals(c.path("logConfiguration").path("logDriver").asText())) {
        need = "log driver awslogs";
      } else if (c.path("secrets").size() > 0) {
        need = "secrets";
      }
      if (need != null) {
        return json("ecs:RegisterTaskDefinition", "ClientException",
            "Fargate requires task definition to have execution role ARN to support " + need + ".");
      }
    }
    return null;
  }

  private FaultProxy.Answer createService(JsonNode body) {
    if (eventual && serviceLinkedRoleReady.compareAndSet(false, true)) {
      return json("ecs:CreateService", "InvalidParameterException",
          "Unable to assume the service linked role. Please verify that the ECS service linked role exists.");
    }
    // moto replaces an existing service; ECS refuses a second CreateService of an ACTIVE name without the first
    // call's clientToken (ECS API reference, CreateService, clientToken: "Unique, case-sensitive identifier you
    // provide to ensure the idempotency of the request")
    String cluster = body.path("cluster").asText("default");
    String name = body.path("serviceName").asText();
    synchronized (this) {
      boolean exists = moto.ecs().describeServices(b -> b.cluster(cluster).services(name)).services().stream()
          .anyMatch(x -> "ACTIVE".equals(x.status()));
      // a CreateService forwarded a moment ago may not have reached moto yet: it counts as existing
      if (!servicesCreated.add(cluster + "/" + name) || exists) {
        return json("ecs:CreateService", "InvalidParameterException", "Creation of service was not idempotent.");
      }
    }
    return null;
  }

  private FaultProxy.Answer putScalingPolicy(JsonNode body) {
    String resource = body.path("ResourceId").asText();
    if (eventual && newScalableTargets.remove(resource)) {
      return json("application-autoscaling:PutScalingPolicy", "ObjectNotFoundException",
          "No scalable target registered for service namespace: ecs, resource ID: " + resource
              + ", scalable dimension: ecs:service:DesiredCount");
    }
    return null;
  }

  private FaultProxy.Answer createLoadBalancer(Map<String, List<String>> form) {
    String type = first(form, "Type", "application");
    if (!"application".equals(type)) {
      return null;
    }
    List<String> ids = new ArrayList<>();
    for (int i = 1; form.containsKey("Subnets.member." + i); i++) {
      ids.add(first(form, "Subnets.member." + i, null));
    }
    List<Subnet> subnets = moto.ec2().describeSubnets(b -> b.subnetIds(ids)).subnets();
    Map<String, List<String>> byZone = new LinkedHashMap<>();
    subnets.forEach(s -> byZone.computeIfAbsent(s.availabilityZone(), z -> new ArrayList<>()).add(s.subnetId()));
    for (List<String> inZone : byZone.values()) {
      if (inZone.size() > 1) {
        return elb("InvalidConfigurationRequest",
            "A load balancer cannot be attached to multiple subnets in the same Availability Zone");
      }
    }
    if (byZone.size() < 2) {
      return elb("ValidationError", "At least two subnets in two different Availability Zones must be specified");
    }
    // "This operation is idempotent ... If you attempt to create multiple load balancers with the same settings,
    // each call succeeds" (ELBv2 API reference, CreateLoadBalancer); moto makes a second one of the same name
    String name = first(form, "Name", "");
    synchronized (this) {
      if (!loadBalancersCreated.add(name)) {
        return existingLoadBalancer(name);
      }
    }
    if (!"internal".equals(first(form, "Scheme", "internet-facing")) && !subnets.isEmpty()) {
      String vpc = subnets.get(0).vpcId();
      boolean igw = !moto.ec2().describeInternetGateways(b -> b.filters(Filter.builder()
          .name("attachment.vpc-id").values(vpc).build())).internetGateways().isEmpty();
      if (!igw) {
        return elb("InvalidSubnet", "VPC " + vpc + " has no internet gateway");
      }
    }
    return null;
  }

  /**
   * A second listener on a port of a load balancer: ELBv2 answers DuplicateListener (ELBv2 API reference,
   * CreateListener, Errors: "A listener with the specified port already exists"); moto may add it.
   */
  private synchronized FaultProxy.Answer createListener(Map<String, List<String>> form) {
    String lb = first(form, "LoadBalancerArn", "");
    String port = first(form, "Port", "");
    boolean exists = moto.elb().describeListeners(b -> b.loadBalancerArn(lb)).listeners().stream()
        .anyMatch(l -> String.valueOf(l.port()).equals(port));
    if (!listenersCreated.add(lb + ":" + port) || exists) {
      refused.add("elasticloadbalancing:CreateListener: DuplicateListener: A listener with the specified port already"
          + " exists.");
      return new FaultProxy.Answer(400, "text/xml", "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/"
          + "doc/2015-12-01/\"><Error><Type>Sender</Type><Code>DuplicateListener</Code><Message>A listener with the"
          + " specified port already exists.</Message></Error><RequestId>strict-aws</RequestId></ErrorResponse>");
    }
    return null;
  }

  /** CreateLoadBalancer's answer for a load balancer that exists: moto's own description of it, renamed. */
  private FaultProxy.Answer existingLoadBalancer(String name) {
    java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(upstream)
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/" + MotoServer.REGION
            + "/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("Action=DescribeLoadBalancers&Version=2015-12-01"
            + "&Names.member.1=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))).build();
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(req,
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null; // deleted since: a real create
      }
      return new FaultProxy.Answer(200, "text/xml", r.body().replace("DescribeLoadBalancers", "CreateLoadBalancer"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private FaultProxy.Answer ec2(FaultProxy.Exchange e, byte[] body) {
    // "if you run a command to modify or describe the resource that you just created, its ID might not have
    // propagated": calls naming the group by id (not a filter by name or VPC) are refused once
    if (!eventual || e.operation().equals("CreateSecurityGroup")
        || (e.operation().startsWith("Describe") && !e.operation().equals("DescribeSecurityGroups"))) {
      return null;
    }
    String form = URLDecoder.decode(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    if (e.operation().equals("DescribeSecurityGroups") && !form.contains("GroupId.")) {
      return null;
    }
    Matcher m = SG_IN_FORM.matcher(form);
    while (m.find()) {
      if (newGroups.remove(m.group())) {
        String message = "The security group '" + m.group() + "' does not exist";
        refused.add("ec2:" + e.operation() + ": InvalidGroup.NotFound: " + message);
        return new FaultProxy.Answer(400, "text/xml;charset=UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>" + message
            + "</Message></Error></Errors><RequestID>strict-aws</RequestID></Response>");
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ answers seen

  private byte[] observe(FaultProxy.Exchange e, byte[] body) {
    if (eventual && e.action().equals("ec2:CreateSecurityGroup") && e.status() == 200) {
      Matcher m = GROUP_ID.matcher(new String(body, StandardCharsets.UTF_8));
      if (m.find()) {
        newGroups.add(m.group(1));
      }
    }
    return body;
  }

  // ------------------------------------------------------------------ shapes

  private FaultProxy.Answer json(String action, String type, String message) {
    refused.add(action + ": " + type + ": " + message);
    return new FaultProxy.Answer(400, "application/x-amz-json-1.1",
        Json.write(Json.mapper().createObjectNode().put("__type", type).put("message", message)));
  }

  private FaultProxy.Answer elb(String code, String message) {
    refused.add("elasticloadbalancing:CreateLoadBalancer: " + code + ": " + message);
    return new FaultProxy.Answer(400, "text/xml", "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/"
        + "doc/2015-12-01/\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message
        + "</Message></Error><RequestId>strict-aws</RequestId></ErrorResponse>");
  }

  private static JsonNode json(byte[] body) {
    try {
      return Json.mapper().readTree(body);
    } catch (java.io.IOException e) {
      return Json.mapper().createObjectNode();
    }
  }

  private static Map<String, List<String>> form(byte[] body) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String kv : new String(body, StandardCharsets.UTF_8).split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.computeIfAbsent(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), k -> new ArrayList<>())
            .add(URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return m;
  }

  private static String first(Map<String, List<String>> form, String key, String fallback) {
    List<String> v = form.get(key);
    return v == null || v.isEmpty() ? fallback : v.get(0);
  }

  @Override
  public void close() {
    proxy.close();
    moto.close();
  }
}
