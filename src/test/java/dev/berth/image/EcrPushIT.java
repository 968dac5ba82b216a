package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.aws.AwsClients;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import dev.berth.testbed.TestEcr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecr.model.Repository;

/**
 * ecr-push against moto (ECR API) and docker-registry: the source registry is open, the target registry
 * wants the ECR token moto hands out (user AWS, password 123456789012-auth-token), as real ECR would.
 */
class EcrPushIT {
  static final String TOKEN = EcrTarget.TOKEN;
  static final String ECR_HOST = MotoServer.ACCOUNT + ".dkr.ecr." + MotoServer.REGION + ".amazonaws.com";
  static EcrTarget ecr;
  static MotoServer moto;
  static Registry source;
  static Registry target;
  static RegistryClient src;
  static RegistryClient dst;
  final Random random = new Random(42);

  @BeforeAll
  static void servers() {
    ecr = new EcrTarget();
    moto = ecr.moto;
    target = ecr.registry;
    dst = ecr.client;
    source = Registry.shared();
    src = new RegistryClient(source.url(), null, RegistryClient.Settings.defaults(), Sleeper.REAL);
  }

  @AfterAll
  static void stop() {
    ecr.close();
  }

  @BeforeEach
  void reset() {
    moto.reset();
  }

  Berth.Run push(Map<String, String> env, String... args) {
    return ecr.push(env, args);
  }

  Berth.Run push(String... args) {
    return push(Map.of(), args);
  }

  static Repository describe(String name) {
    try (AwsClients aws = awsClients()) {
      return TestEcr.of(aws).describeRepositories(b -> b.repositoryNames(name)).repositories().get(0);
    }
  }

  static AwsClients awsClients() {
    return moto.clients();
  }

  @Test
  void copy_multiLayerImage_createsRepositoryWithSettingsAndKeepsTheDigest() {
    TestImages.Image image = TestImages.image(random, 3, 300_000, false, "amd64");
    TestImages.push(src, "upstream/app", image, "1.0");

    Berth.Run run = push("--repository", "team/app", "--image", source.host() + "/upstream/app:1.0",
        "--keep-images", "7");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode r = run.json();
    String digest = image.manifest().digest();
    assertEquals(digest, r.get("digest").asText());
    assertEquals(ECR_HOST + "/team/app", r.get("repositoryUri").asText());
    assertEquals(ECR_HOST + "/team/app@" + digest, r.get("image").asText());
    assertEquals("1.0", r.get("tags").get(0).asText(), "default tag is the source's tag");
    assertTrue(r.get("created").asBoolean());
    assertTrue(r.get("pushed").asBoolean());
    assertEquals(4, r.get("blobsUploaded").asInt());
    Repository repo = describe("team/app");
    assertEquals("IMMUTABLE", repo.imageTagMutabilityAsString());
    assertTrue(repo.imageScanningConfiguration().scanOnPush());
    try (AwsClients aws = awsClients()) {
      String policy = TestEcr.of(aws).getLifecyclePolicy(b -> b.repositoryName("team/app")).lifecyclePolicyText();
      assertTrue(policy.contains("\"countNumber\":7"), policy);
    }
    Manifest pushed = dst.getManifest("team/app", "1.0").orElseThrow();
    assertArrayEquals(image.manifest().bytes(), pushed.bytes());
    assertEquals(digest, pushed.digest());
    assertEquals(Manifest.DOCKER_MANIFEST, pushed.mediaType());
    for (TestImages.Blob b : image.blobs()) {
      assertTrue(dst.hasBlob("team/app", b.digest()), b.digest());
    }
  }

  @Test
  void copy_manifestList_staysOneWithEveryChild() {
    List<TestImages.Image> images = List.of(TestImages.image(random, 2, 100_000, true, "amd64"),
        TestImages.image(random, 2, 100_000, true, "arm64"));
    Manifest index = TestImages.index(images, List.of("amd64", "arm64"), true);
    TestImages.pushIndex(src, "upstream/multi", images, index, "2");

    Berth.Run run = push("--repository", "multi", "--image", source.host() + "/upstream/multi:2", "--tag", "v2",
        "--tag", "stable", "--mutable-tags");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(index.digest(), run.json().get("digest").asText());
    assertEquals(Manifest.OCI_INDEX, run.json().get("mediaType").asText());
    assertEquals("MUTABLE", describe("multi").imageTagMutabilityAsString());
    for (String tag : List.of("v2", "stable")) {
      Manifest m = dst.getManifest("multi", tag).orElseThrow();
      assertArrayEquals(index.bytes(), m.bytes());
      assertEquals(Manifest.OCI_INDEX, m.mediaType());
    }
    for (TestImages.Image i : images) {
      assertArrayEquals(i.manifest().bytes(), dst.getManifest("multi", i.manifest().digest()).orElseThrow().bytes());
      for (TestImages.Blob b : i.blobs()) {
        assertTrue(dst.hasBlob("multi", b.digest()));
      }
    }
    assertEquals(6, run.json().get("blobsUploaded").asInt());
  }

  @Test
  void rerun_sameDigest_succeedsWithoutPushingAndUploadsNoBlobTwice() {
    TestImages.Image image = TestImages.image(random, 3, 100_000, true, "amd64");
    TestImages.push(src, "upstream/rerun", image, "1");
    String ref = source.host() + "/upstream/rerun:1";

    Berth.Run first = push("--repository", "rerun", "--image", ref, "--tag", "release");
    Berth.Run second = push("--repository", "rerun", "--image", ref, "--tag", "release");
    Berth.Run newTag = push("--repository", "rerun", "--image", ref, "--tag", "release", "--tag", "extra");

    assertEquals(0, first.exitCode(), first.toString());
    assertEquals(4, first.json().get("blobsUploaded").asInt());
    assertEquals(0, second.exitCode(), second.toString());
    assertFalse(second.json().get("pushed").asBoolean());
    assertFalse(second.json().get("created").asBoolean());
    assertEquals(0, second.json().get("blobsUploaded").asInt());
    assertEquals(image.manifest().digest(), second.json().get("digest").asText());
    assertTrue(second.json().get("message").asText().contains("already"), second.toString());
    assertEquals(0, newTag.exitCode(), newTag.toString());
    assertTrue(newTag.json().get("pushed").asBoolean());
    assertEquals(0, newTag.json().get("blobsUploaded").asInt(), "every blob is already there");
    assertEquals(4, newTag.json().get("blobsSkipped").asInt());
    assertEquals("[\"extra\"]", newTag.json().get("tagsPushed").toString());
    assertEquals(image.manifest().digest(), dst.manifestDigest("rerun", "extra").orElseThrow());
  }

  @Test
  void immutableTag_otherDigest_failsNamingBothDigestsAndOverwritesNothing() {
    TestImages.Image one = TestImages.image(random, 1, 50_000, true, "amd64");
    TestImages.Image two = TestImages.image(random, 1, 50_000, true, "amd64");
    TestImages.push(src, "upstream/imm", one, "1");
    TestImages.push(src, "upstream/imm", two, "2");
    assertEquals(0, push("--repository", "imm", "--image", source.host() + "/upstream/imm:1", "--tag", "prod")
        .exitCode());

    Berth.Run run = push("--repository", "imm", "--image", source.host() + "/upstream/imm:2", "--tag", "prod");

    assertEquals(1, run.exitCode(), run.toString());
    String error = run.json().get("error").asText();
    assertTrue(error.contains("prod") && error.contains(one.manifest().digest())
        && error.contains(two.manifest().digest()), error);
    assertEquals(one.manifest().digest(), dst.manifestDigest("imm", "prod").orElseThrow());
    assertFalse(dst.hasBlob("imm", two.blobs().get(1).digest()), "nothing of the refused image was uploaded");
  }

  @Test
  void ociLayout_source_isPushedWithItsDigest(@TempDir Path dir) throws Exception {
    TestImages.Image image = TestImages.image(random, 2, 80_000, true, "amd64");
    TestImages.writeLayout(dir, image, "app");

    Berth.Run run = push("--repository", "layout/app", "--oci-layout", dir.toString(), "--tag", "b1");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(image.manifest().digest(), run.json().get("digest").asText());
    assertArrayEquals(image.manifest().bytes(), dst.getManifest("layout/app", "b1").orElseThrow().bytes());
    assertEquals(3, run.json().get("blobsUploaded").asInt());
  }

  @Test
  void sameRegistry_otherRepository_mountsBlobs() {
    TestImages.Image image = TestImages.image(random, 2, 60_000, true, "amd64");
    TestImages.push(dst, "base/img", image, "1");

    Berth.Run run = push(Map.of("BERTH_SOURCE_PASSWORD", TOKEN), "--repository", "mounted",
        "--image", target.host() + "/base/img:1", "--source-username", "AWS");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(3, run.json().get("blobsMounted").asInt(), run.toString());
    assertEquals(0, run.json().get("blobsUploaded").asInt());
    assertEquals(image.manifest().digest(), dst.manifestDigest("mounted", "1").orElseThrow());
    assertFalse(run.stdout().contains(TOKEN) || run.stderr().contains(TOKEN), "token masked");
  }

  @Test
  void sourceInTheSameEcrRegistry_isReadWithTheEcrTokenAndMounted() {
    TestImages.Image image = TestImages.image(random, 2, 40_000, true, "amd64");
    TestImages.push(src, "upstream/base", image, "3");
    assertEquals(0, push("--repository", "base", "--image", source.host() + "/upstream/base:3").exitCode());

    Berth.Run run = push("--repository", "derived", "--image", ECR_HOST + "/base:3", "--tag", "from-base");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(image.manifest().digest(), run.json().get("digest").asText());
    assertEquals(3, run.json().get("blobsMounted").asInt(), run.toString());
    assertTrue(run.json().get("created").asBoolean());
    assertEquals(image.manifest().digest(), dst.manifestDigest("derived", "from-base").orElseThrow());
  }

  @Test
  void badInputs_exit3AllAtOnceAndCreateNothing(@TempDir Path dir) {
    Berth.Run none = push("--repository", "ok-name");
    Berth.Run two = push("--repository", "ok-name", "--image", "a/b:1", "--oci-layout", dir.toString());
    Berth.Run many = Berth.inProcess(Map.of(), "ecr-push", "--region", MotoServer.REGION, "--endpoint-url",
        moto.endpoint().toString(), "--repository", "Bad_Name", "--image", "upper/Case:x", "--tag", "bad tag!",
        "--registry-endpoint", "http://registry.example.com");
    Berth.Run missing = push("--repository", "ok-name", "--oci-layout", dir.resolve("nope").toString());

    for (Berth.Run r : List.of(none, two, many, missing)) {
      assertEquals(3, r.exitCode(), r.toString());
    }
    JsonNode v = many.json().get("violations");
    assertEquals(4, v.size(), many.toString());
    String all = v.toString();
    assertTrue(all.contains("--repository") && all.contains("--image") && all.contains("--tag")
        && all.contains("--registry-endpoint"), all);
    assertTrue(missing.json().get("error").asText().contains("nope"));
    try (AwsClients aws = awsClients()) {
      assertTrue(TestEcr.of(aws).describeRepositories().repositories().isEmpty());
    }
  }

  @Test
  void wrongRegistryPassword_exits4() {
    TestImages.Image image = TestImages.image(random, 1, 10_000, true, "amd64");
    TestImages.push(src, "upstream/denied", image, "1");
    try (Registry other = Registry.start("AWS", "another-token")) {
      Berth.Run run = Berth.inProcess(Map.of("DOCKER_CONFIG", "/nonexistent"), "ecr-push", "--region",
          MotoServer.REGION, "--endpoint-url", moto.endpoint().toString(), "--registry-endpoint",
          other.url().toString(), "--repository", "denied", "--image", source.host() + "/upstream/denied:1");
      assertEquals(4, run.exitCode(), run.toString());
    }
  }
}
