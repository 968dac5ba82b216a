package dev.berth.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.image.RegistryClient;
import dev.berth.image.Sleeper;
import dev.berth.testbed.Berth;
import dev.berth.testbed.FaultProxy;
import dev.berth.testbed.Registry;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Deployment;

/**
 * Races: another deployment replaces the one a step watches (the verdict is SUPERSEDED, exit 1, naming the
 * other deployment, never someone else's success or failure); two ecr-push runs of one immutable tag with
 * different content at the same time (one wins, the other fails cleanly and overwrites nothing); two
 * ecs-deploy-service runs creating the same new service (one wins, the other says so, its rerun converges).
 */
class RacesIT {

  @Test
  void deploy_whoseDeploymentIsReplacedWhileWatched_isSuperseded() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      String image = "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo:v1";
      assertEquals(0, flow.inProcess(Map.of(), flow.register(image)).exitCode());
      // moto runs 2 tasks of a new service: with 3 desired, our rollout never completes on its own
      Berth.Run created = flow.inProcess(Map.of(), Flow.with(flow.deploy("--no-wait"), "--desired-count", "3"));
      assertEquals(0, created.exitCode(), created.toString());
      CompletableFuture<Berth.Run> watched = CompletableFuture.supplyAsync(() -> flow.subprocess(Map.of(),
          Flow.with(Flow.with(flow.deploy("--force-new-deployment"), "--desired-count", "3"), "--timeout", "90s")));
      String ours = null;
      try (AwsClients aws = flow.aws()) {
        // wait until berth's deployment is there, then start another one, as a second pipeline would
        String first = primary(aws).id();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && (ours = primary(aws).id()).equals(first)) {
          Thread.sleep(200);
        }
        assertTrue(!ours.equals(first), "berth started no deployment");
        Thread.sleep(1500);
        aws.ecs().updateService(b -> b.cluster(Flow.CLUSTER).service(Flow.SERVICE).forceNewDeployment(true));
        String theirs = primary(aws).id();
        Berth.Run run = watched.get(3, TimeUnit.MINUTES);
        System.out.println("ours " + ours + ", theirs " + theirs + "\n" + run);
        assertEquals(1, run.exitCode(), run.toString());
        JsonNode r = run.json();
        assertEquals("SUPERSEDED", r.path("verdict").asText(), run.toString());
        assertTrue(run.stdout().contains(theirs) || run.stderr().contains(theirs), "names " + theirs + ": " + run);
      }
    }
  }

  private static Deployment primary(AwsClients aws) {
    return aws.ecs().describeServices(b -> b.cluster(Flow.CLUSTER).services(Flow.SERVICE)).services().get(0)
        .deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst().orElseThrow();
  }

  /*
   * docker-registry does not enforce tag immutability; ECR does, on PutImage. The proxy in front of the
   * registry stands in for it: the first manifest PUT of a tag wins, a later PUT of other bytes gets ECR's
   * answer (TAG_INVALID).
   */
  @Test
  void twoPushes_ofOneImmutableTag_withDifferentContent_oneWinsTheOtherFailsCleanly() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      Map<String, String> firstDigest = new ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
      // the manifest PUT of the tag is held 3 s before it reaches the registry, so that both runs find the tag
      // absent in their pre-check and race to put it: the stand-in refuses the second
      try (FaultProxy ecr = FaultProxy.to(target.url()).rate(1.0).faults(FaultProxy.Fault.DELAY)
          .delay(java.time.Duration.ofSeconds(3))
          .only(ex -> ex.method().equals("PUT") && ex.path().endsWith("/manifests/release"))
          .respondWithBody((ex, body) -> {
        if (!ex.method().equals("PUT") || !ex.path().matches("/v2/.+/manifests/[^/]+")
            || ex.path().contains("sha256:")) {
          return null;
        }
        String digest = "sha256:" + sha256(body);
        String winner = firstDigest.putIfAbsent(ex.path(), digest);
        if (winner == null || winner.equals(digest)) {
          return null;
        }
        String tag = ex.path().substring(ex.path().lastIndexOf('/') + 1);
        refused.incrementAndGet();
        return new FaultProxy.Answer(400, "application/json", "{\"errors\":[{\"code\":\"TAG_INVALID\",\"message\":"
            + "\"The image tag '" + tag + "' already exists in the repository and cannot be overwritten because the"
            + " repository is immutable.\"}]}");
      }).start()) {
        flow.registryEndpoint = ecr.endpoint();
        // the repository exists first (created by a push of another tag), so both runs race only for the tag
        assertEquals(0, flow.inProcess(Map.of(), flow.push("1.0", "base")).exitCode());
        CompletableFuture<Berth.Run> a = CompletableFuture.supplyAsync(() -> flow.subprocess(Map.of(),
            flow.push("1.0", "release")));
        CompletableFuture<Berth.Run> b = CompletableFuture.supplyAsync(() -> flow.subprocess(Map.of(),
            flow.push("2.0", "release")));
        Berth.Run ra = a.get(3, TimeUnit.MINUTES);
        Berth.Run rb = b.get(3, TimeUnit.MINUTES);
        System.out.println("push 1.0 as release:\n" + ra + "\npush 2.0 as release:\n" + rb
            + "\nmanifest PUTs refused by the immutability stand-in: " + refused.get()
            + " (0: the loser saw the winner's tag before its own PUT)");
        assertEquals(1, refused.get(), "both runs reached the PUT of the tag: the registry refused one");
        List<Berth.Run> runs = List.of(ra, rb);
        long won = runs.stream().filter(r -> r.exitCode() == 0).count();
        long lost = runs.stream().filter(r -> r.exitCode() == 1).count();
        assertEquals(1, won, "exactly one wins:\n" + ra + "\n" + rb);
        assertEquals(1, lost, "the other fails with exit 1:\n" + ra + "\n" + rb);
        Berth.Run winner = ra.exitCode() == 0 ? ra : rb;
        Berth.Run loser = ra.exitCode() == 0 ? rb : ra;
        String error = loser.json().path("error").asText();
        assertTrue(error.contains("release"), "the loser names the tag: " + error);
        RegistryClient client = new RegistryClient(target.url(), dev.berth.image.RegistryCredentials.Source.of(
            new dev.berth.image.RegistryCredentials("AWS", Flow.TOKEN)), RegistryClient.Settings.defaults(),
            Sleeper.REAL);
        assertEquals(winner.json().get("digest").asText(),
            client.manifestDigest(Flow.REPOSITORY, "release").orElseThrow(), "the tag holds the winner's image");
      }
    }
  }

  /**
   * Two runs of ecs-deploy-service create the same new service at once (two pipelines of one commit). Both look
   * before either creates (their CreateCluster is held 3 s), then race for every resource through the strict
   * layer, which refuses the second CreateService as ECS does. The loser says another run created the service
   * (exit 1, no raw AWS error) and adopts nothing of anyone else's; its rerun updates what the winner made.
   */
  @Test
  void twoDeploys_creatingTheSameNewService_oneWinsTheOtherSaysSoAndItsRerunConverges() throws Exception {
    try (Registry target = Flow.ecrRegistry()) {
      Flow flow = new Flow(target);
      String image = "123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo:v1";
      assertEquals(0, flow.inProcess(Map.of(), flow.register(image)).exitCode());
      try (FaultProxy hold = FaultProxy.to(flow.strict.endpoint()).rate(1.0).faults(FaultProxy.Fault.DELAY)
          .delay(java.time.Duration.ofSeconds(3)).only(ex -> ex.action().equals("ecs:CreateCluster")).start()) {
        flow.awsEndpoint = hold.endpoint();
        CompletableFuture<Berth.Run> a = CompletableFuture.supplyAsync(() -> flow.subprocess(Map.of(), flow.deploy()));
        CompletableFuture<Berth.Run> b = CompletableFuture.supplyAsync(() -> flow.subprocess(Map.of(), flow.deploy()));
        Berth.Run ra = a.get(4, TimeUnit.MINUTES);
        Berth.Run rb = b.get(4, TimeUnit.MINUTES);
        System.out.println("first:\n" + ra + "\nsecond:\n" + rb);
        List<Berth.Run> runs = List.of(ra, rb);
        assertEquals(1, runs.stream().filter(r -> r.exitCode() == 0).count(), "one wins:\n" + ra + "\n" + rb);
        Berth.Run loser = ra.exitCode() == 0 ? rb : ra;
        assertEquals(1, loser.exitCode(), loser.toString());
        String error = loser.json().path("error").asText();
        assertTrue(error.contains("was created by another run while this one was creating it")
            && error.contains("run the step again"), error);
        assertTrue(flow.strict.refused().stream().anyMatch(x -> x.contains("not idempotent")),
            flow.strict.refused().toString());
      }
      flow.awsEndpoint = flow.strict.endpoint();
      Berth.Run rerun = flow.inProcess(Map.of(), flow.deploy());
      assertEquals(0, rerun.exitCode(), rerun.toString());
      assertTrue(!rerun.json().path("created").asBoolean(), rerun.toString());
      try (AwsClients aws = flow.aws()) {
        assertEquals(1, aws.elb().describeLoadBalancers().loadBalancers().size());
        assertEquals(1, aws.elb().describeTargetGroups().targetGroups().size());
        assertEquals(1, aws.elb().describeListeners(x -> x.loadBalancerArn(aws.elb().describeLoadBalancers()
            .loadBalancers().get(0).loadBalancerArn())).listeners().size());
        assertEquals(1, aws.ecs().listServices(x -> x.cluster(Flow.CLUSTER)).serviceArns().size());
      }
    }
  }

  private static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
