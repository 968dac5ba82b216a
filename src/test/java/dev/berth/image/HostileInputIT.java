package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.Json;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of a contributor who controls the build context or the archive, run end to end: ecr-push against
 * moto (ECR API) and docker-registry (the image), then the registry's stored blobs are read back and searched
 * for the agent's secret, and the pushed layers are pulled and inspected entry by entry.
 */
class HostileInputIT {
  static final String SECRET = "AGENTSECRET-" + Long.toHexString(System.nanoTime());
  static EcrTarget ecr;
  static MotoServer moto;
  static Registry target;
  static RegistryClient dst;

  @TempDir Path tmp;

  @BeforeAll
  static void servers() {
    ecr = new EcrTarget();
    moto = ecr.moto;
    target = ecr.registry;
    dst = ecr.client;
  }

  @AfterAll
  static void stop() {
    ecr.close();
  }

  @BeforeEach
  void reset() {
    moto.reset();
  }

  Berth.Run push(String... args) {
    return ecr.push(Map.of("BERTH_CACHE_DIR", tmp.resolve("cache").toString()), args);
  }

  /** Every blob the registry stores, gunzipped when gzip. */
  static List<byte[]> storedContents() throws IOException {
    List<byte[]> out = new ArrayList<>();
    Path blobs = target.root().resolve("docker/registry/v2/blobs");
    if (!Files.isDirectory(blobs)) {
      return out;
    }
    try (var walk = Files.walk(blobs)) {
      for (Path p : walk.filter(f -> f.getFileName().toString().equals("data")).toList()) {
        byte[] b = Files.readAllBytes(p);
        if (b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
          try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            b = in.readAllBytes();
          }
        }
        out.add(b);
      }
    }
    return out;
  }

  static boolean registryHolds(String marker) throws IOException {
    for (byte[] b : storedContents()) {
      if (new String(b, StandardCharsets.ISO_8859_1).contains(marker)) {
        return true;
      }
    }
    return false;
  }

  /** The pushed image's layers, pulled back: entry name -> "link:target", "dir" or "file:content". */
  static List<Map<String, String>> pulledLayers(String repository, String tag) throws IOException {
    JsonNode manifest = Json.mapper().readTree(dst.getManifest(repository, tag).orElseThrow().bytes());
    List<Map<String, String>> out = new ArrayList<>();
    for (JsonNode l : manifest.path("layers")) {
      Path f = Files.createTempFile("layer", ".tgz");
      try (InputStream in = dst.openBlob(repository, l.path("digest").asText()).stream()) {
        Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        out.add(HostileImageInputTest.entries(f));
      } finally {
        Files.delete(f);
      }
    }
    return out;
  }

  @Test
  void dockerfile_linkToTheAgentsCredentials_exits3_andNoSecretReachesTheRegistry() throws Exception {
    Path secret = Files.writeString(tmp.resolve("credentials"), "aws_secret_access_key=" + SECRET + "\n");
    Path ctx = Files.createDirectories(tmp.resolve("ctx/conf"));
    Files.writeString(ctx.resolve("app.yml"), "a: 1\n");
    Files.createSymbolicLink(ctx.resolve("creds"), secret);
    Files.writeString(tmp.resolve("ctx/Dockerfile"), "FROM scratch\nCOPY conf/ /conf/\n");

    Berth.Run run = push("--repository", "hostile/link", "--dockerfile", tmp.resolve("ctx/Dockerfile").toString());

    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().toString().contains("conf/creds"), run.toString());
    assertFalse(registryHolds(SECRET), "the secret reached the registry");
    assertTrue(dst.manifestDigest("hostile/link", "latest").isEmpty());
  }

  @Test
  void dockerfile_linkInsideTheContext_isPushedAsALink() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx/conf/v1"));
    Files.writeString(ctx.resolve("app.yml"), "a: " + SECRET + "\n");
    Files.createSymbolicLink(tmp.resolve("ctx/conf/current"), Path.of("v1"));
    Files.writeString(tmp.resolve("ctx/Dockerfile"), "FROM scratch\nCOPY conf/ /conf/\n");

    Berth.Run run = push("--repository", "hostile/inside", "--dockerfile", tmp.resolve("ctx/Dockerfile").toString());

    assertEquals(0, run.exitCode(), run.toString());
    Map<String, String> layer = pulledLayers("hostile/inside", "latest").get(0);
    assertEquals("link:v1", layer.get("conf/current"), layer.toString());
    assertEquals("file:a: " + SECRET + "\n", layer.get("conf/v1/app.yml"), layer.toString());
    assertEquals(1, layer.values().stream().filter(v -> v.contains(SECRET)).count(), "copied once, not through the link");
  }

  @Test
  void tar_manifestNamingAFileOfTheAgent_exits3_andNoSecretReachesTheRegistry() throws Exception {
    Path secret = Files.writeString(tmp.resolve("id_rsa"), SECRET);
    HostileImageInputTest h = new HostileImageInputTest();
    h.tmp = tmp;
    Path abs = h.dockerSave("abs.tar", "hello", null, List.of(), "[\"" + secret + "\"]");
    Path dotdot = h.dockerSave("dotdot.tar", "hello", null, List.of(), "[\"l1/../../id_rsa\"]");
    Path link = h.dockerSave("link.tar", "hello", null,
        List.of(HostileImageInputTest.Entry.symlink("evil/layer.tar", secret.toString())), "[\"evil/layer.tar\"]");

    for (Path archive : List.of(abs, dotdot, link)) {
      Berth.Run run = push("--repository", "hostile/tar", "--tar", archive.toString());
      assertEquals(3, run.exitCode(), archive + ": " + run);
      assertTrue(run.json().toString().contains("--tar"), run.toString());
    }
    assertFalse(registryHolds(SECRET), "the secret reached the registry");
    assertTrue(dst.manifestDigest("hostile/tar", "latest").isEmpty());
  }

  @Test
  void tar_archiveLyingAboutALayer_exits3_andALaterHonestPushCarriesTheHonestBytes() throws Exception {
    HostileImageInputTest h = new HostileImageInputTest();
    h.tmp = tmp;
    String honestDiffId = HostileImageInputTest.sha256(HostileImageInputTest.tar(List.of(
        HostileImageInputTest.Entry.file("hello.txt", "honest"))));
    Path lying = h.dockerSave("lying.tar", SECRET, honestDiffId, List.of(), null);
    Path honest = h.dockerSave("honest.tar", "honest", null, List.of(), null);

    Berth.Run attack = push("--repository", "hostile/cache", "--tar", lying.toString(), "--tag", "attack");
    Berth.Run run = push("--repository", "hostile/cache", "--tar", honest.toString(), "--tag", "honest");

    assertEquals(3, attack.exitCode(), attack.toString());
    assertTrue(attack.json().toString().contains("does not match the config"), attack.toString());
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(Map.of("hello.txt", "file:honest"), pulledLayers("hostile/cache", "honest").get(0));
    assertFalse(registryHolds(SECRET), "the attacker's layer reached the registry");
  }

  @Test
  void dockerfile_fileChangedWithItsTimeKept_theNewBytesArePushed() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path app = Files.writeString(ctx.resolve("app.js"), "console.log('v1')");
    FileTime kept = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(app, kept);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY app.js /app/\n");
    Berth.Run v1 = push("--repository", "hostile/mtime", "--dockerfile", ctx.resolve("Dockerfile").toString(),
        "--tag", "v1");
    Files.writeString(app, "console.log('v2')");
    Files.setLastModifiedTime(app, kept);

    Berth.Run v2 = push("--repository", "hostile/mtime", "--dockerfile", ctx.resolve("Dockerfile").toString(),
        "--tag", "v2");

    assertEquals(0, v1.exitCode(), v1.toString());
    assertEquals(0, v2.exitCode(), v2.toString());
    assertEquals("file:console.log('v2')", pulledLayers("hostile/mtime", "v2").get(0).get("app/app.js"));
  }

  @Test
  void registryEndpoint_withUserInfoHidingTheHost_exits3_andTheRegistryGetsNothing() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("app.js"), "x");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY app.js /app/\n");
    List<String> args = new ArrayList<>(List.of("ecr-push", "--region", MotoServer.REGION, "--endpoint-url",
        moto.endpoint().toString(), "--registry-endpoint", "http://localhost:1@" + target.host(),
        "--repository", "hostile/endpoint", "--dockerfile", ctx.resolve("Dockerfile").toString()));

    Berth.Run run = Berth.inProcess(Map.of("DOCKER_CONFIG", "/nonexistent", "BERTH_CACHE_DIR",
        tmp.resolve("cache").toString()), args.toArray(String[]::new));

    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().toString().contains("user information"), run.toString());
    assertTrue(dst.manifestDigest("hostile/endpoint", "latest").isEmpty());
  }
}
