package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.berth.aws.AwsClients;
import dev.berth.report.Json;
import dev.berth.testbed.Berth;
import dev.berth.testbed.MotoServer;
import dev.berth.testbed.Registry;
import dev.berth.testbed.TestEcr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ecr-push of local sources (--dockerfile, --tar, --docker-daemon) against moto (ECR API) and docker-registry:
 * base images live in an open registry, the target registry wants the ECR token, as real ECR would.
 */
class EcrPushBuildIT {
  static EcrTarget ecr;
  static MotoServer moto;
  static Registry base;
  static Registry target;
  static RegistryClient dst;
  static String baseRef;

  @TempDir Path tmp;

  @BeforeAll
  static void servers(@TempDir Path dir) throws Exception {
    ecr = new EcrTarget();
    moto = ecr.moto;
    target = ecr.registry;
    dst = ecr.client;
    base = Registry.shared();
    // the base image: built with Jib from scratch and pushed to the local registry
    baseRef = base.host() + "/test/base-os:1";
    TestImages.pushToRegistry(TestImages.scratch(dir, "/etc/os-release", "NAME=berth-test-base\n")
        .addEnvironmentVariable("PATH", "/usr/local/bin:/usr/bin:/bin").setProgramArguments("base-cmd"),
        dir, baseRef, null, null);
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
    Map<String, String> e = new HashMap<>(env);
    e.putIfAbsent("BERTH_CACHE_DIR", tmp.resolve("cache").toString());
    return ecr.push(e, args);
  }

  Berth.Run push(String... args) {
    return push(Map.of(), args);
  }

  Path app(String appJs) throws IOException {
    Path ctx = tmp.resolve("app");
    Files.createDirectories(ctx.resolve("deps"));
    Files.writeString(ctx.resolve("deps/lib.js"), "module.exports = 42;\n");
    Files.writeString(ctx.resolve("app.js"), appJs);
    Files.writeString(ctx.resolve("notes.md"), "not in the image\n");
    Files.writeString(ctx.resolve(".dockerignore"), "*.md\n");
    Files.writeString(ctx.resolve("Dockerfile"), """
        ARG BASE
        FROM ${BASE}
        ARG VERSION=dev
        ENV PATH=/app/bin:$PATH APP_VERSION=$VERSION
        WORKDIR /app
        COPY deps/ deps/
        COPY app.js .
        EXPOSE 80
        CMD ["node", "app.js"]
        """);
    return ctx;
  }

  JsonNode config(String repository, String tag) throws IOException {
    Manifest m = dst.getManifest(repository, tag).orElseThrow();
    JsonNode manifest = Json.mapper().readTree(m.bytes());
    String digest = manifest.path("config").path("digest").asText();
    RegistryClient.Blob b = dst.openBlob(repository, digest);
    try (var in = b.stream()) {
      return Json.mapper().readTree(in.readAllBytes());
    }
  }

  List<String> layers(String repository, String tag) throws IOException {
    JsonNode manifest = Json.mapper().readTree(dst.getManifest(repository, tag).orElseThrow().bytes());
    List<String> out = new ArrayList<>();
    manifest.path("layers").forEach(l -> out.add(l.path("digest").asText()));
    return out;
  }

  @Test
  void dockerfile_fromBaseInLocalRegistry_isBuiltAndPushed_rerunPushesNothing() throws Exception {
    Path ctx = app("console.log('v1');\n");

    Berth.Run run = push("--repository", "team/web", "--dockerfile", ctx.resolve("Dockerfile").toString(),
        "--build-arg", "BASE=" + baseRef, "--build-arg", "VERSION=1.2.3", "--tag", "1.2.3");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode r = run.json();
    assertTrue(r.get("created").asBoolean());
    assertTrue(r.get("pushed").asBoolean());
    String digest = r.get("digest").asText();
    assertEquals(digest, dst.manifestDigest("team/web", "1.2.3").orElseThrow());
    assertEquals(4, r.get("blobsUploaded").asInt(), "base layer, deps layer, app layer, config");
    JsonNode cfg = config("team/web", "1.2.3").path("config");
    assertTrue(cfg.path("Env").toString().contains("PATH=/app/bin:/usr/local/bin:/usr/bin:/bin"), cfg.toString());
    assertTrue(cfg.path("Env").toString().contains("APP_VERSION=1.2.3"), cfg.toString());
    assertEquals("[\"node\",\"app.js\"]", cfg.path("Cmd").toString());
    assertEquals("/app", cfg.path("WorkingDir").asText());
    List<String> layers = layers("team/web", "1.2.3");
    assertEquals(3, layers.size());
    JsonNode baseManifest = Json.mapper().readTree(
        new RegistryClient(base.url(), null, RegistryClient.Settings.defaults(), Sleeper.REAL)
            .getManifest("test/base-os", "1").orElseThrow().bytes());
    assertEquals(baseManifest.path("layers").get(0).path("digest").asText(), layers.get(0), "base layer kept");

    // the same inputs again, with a cold cache: the same digest, nothing pushed
    Berth.Run again = push(Map.of("BERTH_CACHE_DIR", tmp.resolve("other-cache").toString()), "--repository",
        "team/web", "--dockerfile", ctx.resolve("Dockerfile").toString(), "--build-arg", "BASE=" + baseRef,
        "--build-arg", "VERSION=1.2.3", "--tag", "1.2.3");
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals(digest, again.json().get("digest").asText());
    assertFalse(again.json().get("pushed").asBoolean());
    assertFalse(again.json().get("created").asBoolean());

    // only the app changes: only its layer (and the config) is uploaded
    Files.writeString(ctx.resolve("app.js"), "console.log('v2');\n");
    Berth.Run v2 = push("--repository", "team/web", "--dockerfile", ctx.resolve("Dockerfile").toString(),
        "--build-arg", "BASE=" + baseRef, "--build-arg", "VERSION=1.2.3", "--tag", "1.2.4");
    assertEquals(0, v2.exitCode(), v2.toString());
    assertNotEquals(digest, v2.json().get("digest").asText());
    assertEquals(2, v2.json().get("blobsUploaded").asInt(), v2.toString());
    assertEquals(2, v2.json().get("blobsSkipped").asInt(), v2.toString());
    List<String> v2Layers = layers("team/web", "1.2.4");
    assertEquals(layers.subList(0, 2), v2Layers.subList(0, 2));
    assertNotEquals(layers.get(2), v2Layers.get(2));
  }

  @Test
  void dockerfile_baseInARegistryWithAuth_usesTheSourceCredentials() throws Exception {
    try (Registry locked = Registry.start("puller", "base-secret")) {
      String ref = locked.host() + "/private/base:1";
      TestImages.pushToRegistry(TestImages.scratch(tmp, "/hello.txt", "hello").addEnvironmentVariable("HOME", "/home/app"),
          tmp, ref, "puller", "base-secret");
      Path ctx = tmp.resolve("private");
      Files.createDirectories(ctx);
      Files.writeString(ctx.resolve("Dockerfile"), "FROM " + ref + "\nENV DATA=$HOME/data\n");

      Berth.Run denied = push("--repository", "private/app", "--dockerfile", ctx.resolve("Dockerfile").toString());
      Berth.Run run = push(Map.of("BERTH_SOURCE_PASSWORD", "base-secret"), "--repository", "private/app",
          "--dockerfile", ctx.resolve("Dockerfile").toString(), "--source-username", "puller");

      assertEquals(4, denied.exitCode(), denied.toString());
      assertEquals(0, run.exitCode(), run.toString());
      assertTrue(config("private/app", "latest").path("config").path("Env").toString()
          .contains("DATA=/home/app/data"), "the base's environment, read with the credentials");
      assertFalse(run.stdout().contains("base-secret") || run.stderr().contains("base-secret"));
    }
  }

  @Test
  void dockerfile_baseLoginFromADockerCredentialHelper_isUsed() throws Exception {
    try (Registry locked = Registry.start("helper-user", "helper-secret")) {
      String ref = locked.host() + "/private/base:1";
      TestImages.pushToRegistry(TestImages.scratch(tmp, "/hello.txt", "hello")
          .addEnvironmentVariable("HOME", "/home/helper"), tmp, ref, "helper-user", "helper-secret");
      // the Docker config names a credential helper for the registry, as docker-credential-ecr-login is named
      Path bin = Files.createDirectories(tmp.resolve("bin"));
      Path helper = bin.resolve("docker-credential-berthtest");
      Files.writeString(helper, "#!/bin/sh\nread server\necho \"$1 $server\" >> '" + bin.resolve("helper.log")
          + "'\necho '{\"ServerURL\":\"'$server'\",\"Username\":\"helper-user\",\"Secret\":\"helper-secret\"}'\n");
      Files.setPosixFilePermissions(helper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      Path dockerConfig = Files.createDirectories(tmp.resolve("docker-config"));
      Files.writeString(dockerConfig.resolve("config.json"), "{\"credHelpers\":{\"" + locked.host()
          + "\":\"berthtest\"}}");
      Path ctx = Files.createDirectories(tmp.resolve("helped"));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM " + ref + "\nENV DATA=$HOME/data\n");

      Berth.Run run = Berth.subprocess(Map.of("DOCKER_CONFIG", dockerConfig.toString(), "PATH",
          bin + ":" + System.getenv("PATH"), "BERTH_CACHE_DIR", tmp.resolve("cache").toString(),
          "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing"),
          "ecr-push", "--region", MotoServer.REGION, "--endpoint-url", moto.endpoint().toString(),
          "--registry-endpoint", target.url().toString(), "--repository", "helped/app",
          "--dockerfile", ctx.resolve("Dockerfile").toString());

      assertEquals(0, run.exitCode(), run.toString());
      assertTrue(Files.readString(bin.resolve("helper.log")).contains("get " + locked.host()));
      assertTrue(config("helped/app", "latest").path("config").path("Env").toString()
          .contains("DATA=/home/helper/data"), "the base's environment, read with the helper's login");
      assertFalse(run.stdout().contains("helper-secret") || run.stderr().contains("helper-secret"));
    }
  }

  @Test
  void dockerfile_withRun_exits3NamingTheLine_andCreatesNothing() throws Exception {
    Path ctx = tmp.resolve("bad");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + baseRef + "\nCOPY missing.txt /x\nRUN apk add curl\n");

    Berth.Run run = push("--repository", "bad/app", "--dockerfile", ctx.resolve("Dockerfile").toString(),
        "--tag", "bad tag");

    assertEquals(3, run.exitCode(), run.toString());
    String violations = run.json().get("violations").toString();
    assertTrue(violations.contains("\"where\":\"Dockerfile:3\"") && violations.contains("RUN"), violations);
    assertTrue(violations.contains("\"where\":\"Dockerfile:2\"") && violations.contains("missing.txt"), violations);
    assertTrue(violations.contains("\"where\":\"--tag\""), "request and Dockerfile problems at once: " + violations);
    assertTrue(run.stderr().contains("--tar, --docker-daemon or --image"), run.stderr());
    try (AwsClients aws = AwsClients.create(dev.berth.aws.AwsSettings.defaults().withRegion(MotoServer.REGION)
        .withEndpointUrl(moto.endpoint()), Map.of())) {
      assertTrue(TestEcr.of(aws).describeRepositories().repositories().isEmpty());
    }
  }

  @Test
  void sources_exactlyOne() throws Exception {
    Path ctx = app("x");
    Berth.Run run = push("--repository", "two", "--dockerfile", ctx.resolve("Dockerfile").toString(),
        "--tar", tmp.resolve("x.tar").toString());
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.json().get("error").asText().contains("exactly one source"), run.toString());
    Berth.Run stray = push("--repository", "two", "--tar", tmp.resolve("x.tar").toString(), "--build-arg", "A=1");
    assertEquals(3, stray.exitCode(), stray.toString());
    String v = stray.json().get("violations").toString();
    assertTrue(v.contains("--build-arg") && v.contains("no such file"), v);
  }

  /** A two-layer image as an archive written by Jib (docker save format, or OCI layout). */
  Path archive(ImageFormat format, String name) throws Exception {
    return TestImages.writeArchive(TestImages.scratch(tmp, "/one.txt", "one " + name, "/two.txt", "two " + name)
        .setEntrypoint("/bin/app"), tmp, format, tmp.resolve(name), "local/app:1");
  }

  @Test
  void tar_dockerSave_isPushed() throws Exception {
    Path tar = archive(ImageFormat.Docker, "docker-save.tar");

    Berth.Run run = push("--repository", "from/tar", "--tar", tar.toString(), "--tag", "t1");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(3, run.json().get("blobsUploaded").asInt());
    assertEquals(run.json().get("digest").asText(), dst.manifestDigest("from/tar", "t1").orElseThrow());
    assertEquals("[\"/bin/app\"]", config("from/tar", "t1").path("config").path("Entrypoint").toString());
    assertEquals("tar:" + tar, run.json().get("source").asText());
  }

  @Test
  void tar_ociArchive_isPushedWithItsOwnDigest() throws Exception {
    Path tar = archive(ImageFormat.OCI, "oci.tar");
    Path layout = tmp.resolve("layout");
    LocalImages.extract(tar, layout);
    String expected = LocalImages.readDigest(layout);

    Berth.Run run = push("--repository", "from/oci", "--tar", tar.toString(), "--tag", "o1");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(expected, run.json().get("digest").asText());
    assertEquals(expected, dst.manifestDigest("from/oci", "o1").orElseThrow());
  }

  @Test
  void dockerDaemon_throughAStandInDockerCli_isPushed() throws Exception {
    Path tar = archive(ImageFormat.Docker, "daemon.tar");
    Path bin = tmp.resolve("bin");
    LocalImagesTest.dockerStandIn(bin, tar, "local/app:1");

    Berth.Run run = push(Map.of("PATH", bin + ":" + System.getenv("PATH")), "--repository", "from/daemon",
        "--docker-daemon", "local/app:1", "--tag", "d1");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(run.json().get("digest").asText(), dst.manifestDigest("from/daemon", "d1").orElseThrow());
    assertEquals(2, layers("from/daemon", "d1").size());
    assertTrue(Files.readString(bin.resolve("calls.log")).contains("save local/app:1"));

    Berth.Run missing = push(Map.of("PATH", bin + ":" + System.getenv("PATH")), "--repository", "from/daemon",
        "--docker-daemon", "local/other:1", "--tag", "d2");
    assertEquals(1, missing.exitCode(), missing.toString());
    assertTrue(missing.json().get("error").asText().contains("No such image"), missing.toString());
  }
}
