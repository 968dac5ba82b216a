package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalImagesTest {
  @TempDir Path tmp;

  private Path cache() {
    return tmp.resolve("cache");
  }

  private LocalImages.Options options() {
    return new LocalImages.Options(cache(), Map.of("PATH", ""), h -> java.util.Optional.empty());
  }

  private Path app(String appJs) throws IOException {
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx.resolve("deps/lib"));
    Files.writeString(ctx.resolve("deps/lib/dep.js"), "module.exports = 1;\n");
    Files.writeString(ctx.resolve("deps/README.md"), "ignored\n");
    Files.createDirectories(ctx.resolve("deps/empty"));
    Files.writeString(ctx.resolve("app.js"), appJs);
    Path run = ctx.resolve("run.sh");
    Files.writeString(run, "#!/bin/sh\nexec node app.js\n");
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxr-x"));
    Files.writeString(ctx.resolve("secret.env"), "TOKEN=x\n");
    Files.writeString(ctx.resolve(".dockerignore"), "**/*.md\n*.env\n");
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM scratch
        WORKDIR /app
        COPY deps/ deps/
        COPY --chown=1000:1000 app.js run.sh ./
        ENV NODE_ENV=production
        LABEL org.opencontainers.image.title=demo
        EXPOSE 80
        USER 1000
        ENTRYPOINT ["/app/run.sh"]
        """);
    return ctx;
  }

  private LocalImages.Layout build(Path ctx, String outName) throws Exception {
    LocalImages.Prepared p = LocalImages.prepare(
        new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()), options());
    return p.build(tmp.resolve(outName), Progress.silent());
  }

  private static JsonNode json(Path layout, String digest) throws IOException {
    return Json.mapper().readTree(blob(layout, digest).toFile());
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
  }

  private static JsonNode manifest(LocalImages.Layout l) throws IOException {
    return json(l.dir(), l.digest());
  }

  private static List<String> layerDigests(LocalImages.Layout l) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode layer : manifest(l).path("layers")) {
      out.add(layer.path("digest").asText());
    }
    return out;
  }

  /** path -> "mode uid:gid" of each entry in a gzip layer. */
  private static Map<String, String> entries(Path layout, String digest) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(blob(layout, digest)));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.put(e.getName(), Integer.toOctalString(e.getMode() & 0777) + " " + e.getLongUserId() + ":"
            + e.getLongGroupId() + " " + e.getModTime().toInstant().getEpochSecond());
      }
    }
    return out;
  }

  @Test
  void dockerfile_buildsAnOciLayoutWithOneLayerPerCopy() throws Exception {
    LocalImages.Layout l = build(app("console.log('v1');\n"), "out");
    assertTrue(Files.isRegularFile(l.dir().resolve("oci-layout")));
    JsonNode index = Json.mapper().readTree(l.dir().resolve("index.json").toFile());
    assertEquals(l.digest(), index.path("manifests").get(0).path("digest").asText());
    JsonNode m = manifest(l);
    assertEquals("application/vnd.oci.image.manifest.v1+json", m.path("mediaType").asText());
    List<String> layers = layerDigests(l);
    assertEquals(2, layers.size());

    Map<String, String> deps = entries(l.dir(), layers.get(0));
    assertEquals("644 0:0 1", deps.get("app/deps/lib/dep.js"));
    assertEquals("755 0:0 1", deps.get("app/deps/empty/"));
    assertTrue(deps.keySet().stream().noneMatch(k -> k.endsWith(".md")), deps.toString());
    Map<String, String> app = entries(l.dir(), layers.get(1));
    assertEquals("644 1000:1000 1", app.get("app/app.js"));
    assertEquals("755 1000:1000 1", app.get("app/run.sh"));
    assertTrue(app.keySet().stream().noneMatch(k -> k.contains("secret")), app.toString());

    JsonNode config = json(l.dir(), m.path("config").path("digest").asText()).path("config");
    assertEquals("/app", config.path("WorkingDir").asText());
    assertEquals("1000", config.path("User").asText());
    assertEquals("[\"/app/run.sh\"]", config.path("Entrypoint").toString());
    assertTrue(config.path("Env").toString().contains("NODE_ENV=production"), config.toString());
    assertEquals("demo", config.path("Labels").path("org.opencontainers.image.title").asText());
    assertTrue(config.path("ExposedPorts").has("80/tcp"), config.toString());
  }

  @Test
  void dockerfile_sameInputs_sameDigest_evenWithAnotherCacheAndTimestamps() throws Exception {
    Path ctx = app("console.log('v1');\n");
    LocalImages.Layout a = build(ctx, "a");
    Files.setLastModifiedTime(ctx.resolve("app.js"), java.nio.file.attribute.FileTime.fromMillis(12345));
    LocalImages.Prepared p = LocalImages.prepare(new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), ctx,
        Map.of()), new LocalImages.Options(tmp.resolve("other-cache"), Map.of(), h -> java.util.Optional.empty()));
    LocalImages.Layout b = p.build(tmp.resolve("b"), Progress.silent());
    assertEquals(a.digest(), b.digest());
  }

  @Test
  void dockerfile_appOnlyChange_changesOnlyTheAppLayer() throws Exception {
    Path ctx = app("console.log('v1');\n");
    LocalImages.Layout a = build(ctx, "a");
    Files.writeString(ctx.resolve("app.js"), "console.log('v2');\n");
    LocalImages.Layout b = build(ctx, "b");
    List<String> la = layerDigests(a);
    List<String> lb = layerDigests(b);
    assertEquals(la.get(0), lb.get(0));
    assertNotEquals(la.get(1), lb.get(1));
    assertNotEquals(a.digest(), b.digest());
  }

  @Test
  void build_besideTheCache_deletesCleanly() throws Exception {
    Path ctx = app("console.log('v1');\n");
    LocalImages.Prepared p = LocalImages.prepare(
        new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()), options());
    p.build(Progress.silent()).delete(); // fills the cache
    LocalImages.Layout l = p.build(Progress.silent());
    assertTrue(l.dir().startsWith(cache().resolve("tmp")), l.dir().toString());
    l.delete();
    assertTrue(Files.notExists(l.dir()));
    try (var left = Files.list(cache().resolve("tmp"))) {
      assertEquals(0, left.count());
    }
    LocalImages.Layout again = p.build(Progress.silent());
    assertEquals(l.digest(), again.digest(), "the cache is intact after a delete");
  }

  @Test
  void dockerfile_allProblemsAtOnce_includingMissingSourcesAndArchives() throws Exception {
    Path ctx = tmp.resolve("bad");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("ignored.txt"), "x");
    Files.writeString(ctx.resolve(".dockerignore"), "ignored.txt\n");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(ctx.resolve("pkg.tgz")))) {
      out.write("x".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM scratch
        COPY missing.txt /m
        COPY ignored.txt /i
        RUN echo hi
        ADD pkg.tgz /opt/
        COPY *.nothing /n/
        """);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> LocalImages.prepare(
        new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()), options()));
    List<String> wheres = e.violations().stream().map(v -> v.where()).toList();
    assertEquals(List.of("Dockerfile:4", "Dockerfile:2", "Dockerfile:3", "Dockerfile:5", "Dockerfile:6"), wheres,
        e.getMessage());
    assertTrue(e.getMessage().contains("COPY source ignored.txt is excluded by .dockerignore"), e.getMessage());
    assertTrue(e.getMessage().contains("Docker would extract this archive"), e.getMessage());
  }

  @Test
  void dockerfile_missingFileOrContext_isInvalidInput() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> LocalImages.prepare(
        new LocalImages.DockerfileSource(tmp.resolve("nope/Dockerfile"), tmp.resolve("nope"), Map.of()), options()));
    assertEquals(List.of("--dockerfile", "--context"), e.violations().stream().map(v -> v.where()).toList());
  }

  @Test
  void dockerfile_wildcardAndDotSource() throws Exception {
    Path ctx = tmp.resolve("w");
    Files.createDirectories(ctx.resolve("conf"));
    Files.writeString(ctx.resolve("a.json"), "{}");
    Files.writeString(ctx.resolve("b.json"), "{}");
    Files.writeString(ctx.resolve("conf/c.json"), "{}");
    Files.writeString(ctx.resolve(".dockerignore"), "Dockerfile\n.dockerignore\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY *.json /cfg/\nCOPY . /all\n");
    LocalImages.Layout l = LocalImages.prepare(new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null,
        Map.of()), options()).build(tmp.resolve("out"), Progress.silent());
    List<String> layers = layerDigests(l);
    assertEquals(List.of("cfg/", "cfg/a.json", "cfg/b.json"), List.copyOf(entries(l.dir(), layers.get(0)).keySet()));
    assertEquals(List.of("all/", "all/a.json", "all/b.json", "all/conf/", "all/conf/c.json"),
        List.copyOf(entries(l.dir(), layers.get(1)).keySet()));
  }

  // ------------------------------------------------------------------------------------------------ archives

  /** A small two-layer image written by Jib as a docker save (or OCI) archive. */
  private Path jibArchive(ImageFormat format, String name) throws Exception {
    return TestImages.writeArchive(TestImages.scratch(tmp, "/f1.txt", "one", "/f2.txt", "two")
        .setEntrypoint("/bin/app").addEnvironmentVariable("FROM_ARCHIVE", "yes"), tmp, format, tmp.resolve(name),
        "demo/app:1");
  }

  @Test
  void tar_ociArchive_isTakenExactly() throws Exception {
    Path tar = jibArchive(ImageFormat.OCI, "oci.tar");
    Path reference = tmp.resolve("reference");
    LocalImages.extract(tar, reference);
    String expected = LocalImages.readDigest(reference);
    LocalImages.Layout l = LocalImages.prepare(new LocalImages.TarSource(tar), options())
        .build(tmp.resolve("out"), Progress.silent());
    assertEquals(expected, l.digest());
    assertEquals(2, layerDigests(l).size());
  }

  @Test
  void tar_dockerSaveArchive_becomesAnOciLayoutKeepingTheConfig() throws Exception {
    Path tar = jibArchive(ImageFormat.Docker, "docker.tar");
    LocalImages.Layout l = LocalImages.prepare(new LocalImages.TarSource(tar), options())
        .build(tmp.resolve("out"), Progress.silent());
    JsonNode m = manifest(l);
    assertEquals(2, m.path("layers").size());
    JsonNode config = json(l.dir(), m.path("config").path("digest").asText()).path("config");
    assertEquals("[\"/bin/app\"]", config.path("Entrypoint").toString());
    assertTrue(config.path("Env").toString().contains("FROM_ARCHIVE=yes"));
    assertEquals(Map.of("f2.txt", "644 0:0 1"), entries(l.dir(), layerDigests(l).get(1)));
    LocalImages.Layout again = LocalImages.prepare(new LocalImages.TarSource(tar), options())
        .build(tmp.resolve("again"), Progress.silent());
    assertEquals(l.digest(), again.digest());
  }

  @Test
  void tar_missingOrNotAnImage_isInvalidInput() throws Exception {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LocalImages.prepare(new LocalImages.TarSource(tmp.resolve("none.tar")), options()));
    assertEquals("--tar", e.violations().get(0).where());
    Path notImage = tmp.resolve("x.txt");
    Files.writeString(notImage, "hello");
    e = assertThrows(InvalidInputException.class,
        () -> LocalImages.prepare(new LocalImages.TarSource(notImage), options()));
    assertEquals("--tar", e.violations().get(0).where());
  }

  // ------------------------------------------------------------------------------------------------ docker daemon

  /** A stand-in {@code docker} that answers inspect and save for one image from a docker save tarball. */
  static Path dockerStandIn(Path dir, Path dockerTar, String reference) throws IOException {
    Files.createDirectories(dir);
    Path extracted = dir.resolve("image");
    LocalImages.extract(dockerTar, extracted);
    JsonNode manifest = Json.mapper().readTree(extracted.resolve("manifest.json").toFile()).get(0);
    String configName = manifest.path("Config").asText();
    byte[] configBytes = Files.readAllBytes(extracted.resolve(configName));
    JsonNode config = Json.mapper().readTree(configBytes);
    var inspect = Json.mapper().createObjectNode();
    inspect.put("Id", "sha256:" + sha256(configBytes));
    inspect.put("Size", Files.size(dockerTar));
    inspect.putObject("RootFS").set("Layers", config.path("rootfs").path("diff_ids"));
    Files.writeString(dir.resolve("inspect.json"), Json.mapper().writeValueAsString(inspect));
    Files.copy(dockerTar, dir.resolve("image.tar"));
    Path docker = dir.resolve("docker");
    Files.writeString(docker, """
        #!/bin/sh
        # stand-in for the Docker CLI: one image, %s
        d='%s'
        echo "$*" >> "$d/calls.log"
        case "$1" in
          inspect) for a in "$@"; do last="$a"; done
                   [ "$last" = "%s" ] || { echo "Error: No such image: $last" >&2; exit 1; }
                   cat "$d/inspect.json" ;;
          save)    [ "$2" = "%s" ] || { echo "Error: No such image: $2" >&2; exit 1; }
                   cat "$d/image.tar" ;;
          *)       echo "stand-in docker: unsupported: $*" >&2; exit 1 ;;
        esac
        """.formatted(reference, dir.toAbsolutePath(), reference, reference));
    Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
    return docker;
  }

  static String sha256(byte[] b) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void dockerDaemon_readsTheImageThroughTheDockerCli() throws Exception {
    Path tar = jibArchive(ImageFormat.Docker, "docker.tar");
    Path bin = tmp.resolve("bin");
    dockerStandIn(bin, tar, "demo/app:1");
    LocalImages.Options o = new LocalImages.Options(cache(), Map.of("PATH", bin + ":" + System.getenv("PATH")),
        h -> java.util.Optional.empty());
    LocalImages.Layout l = LocalImages.prepare(new LocalImages.DockerDaemonSource("demo/app:1"), o)
        .build(tmp.resolve("out"), Progress.silent());
    assertEquals(2, layerDigests(l).size());
    LocalImages.Layout fromTar = LocalImages.prepare(new LocalImages.TarSource(tar), options())
        .build(tmp.resolve("fromtar"), Progress.silent());
    assertEquals(fromTar.digest(), l.digest(), "the same image, whichever way it comes in");
    String calls = Files.readString(bin.resolve("calls.log"));
    assertTrue(calls.contains("save demo/app:1"), calls);
  }

  @Test
  void dockerDaemon_noDockerOrBadReference_isInvalidInput() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> LocalImages.prepare(
        new LocalImages.DockerDaemonSource("Bad Ref"), options()));
    assertEquals(2, e.violations().size(), e.getMessage());
    assertTrue(e.getMessage().contains("no docker executable on PATH"), e.getMessage());
  }

  @Test
  void dockerfileSource_toString_showsBuildArgNamesOnly() {
    String text = new LocalImages.DockerfileSource(Path.of("Dockerfile"), null,
        Map.of("NPM_TOKEN", "npm_S3cretToken", "VERSION", "1.2.3")).toString();
    assertEquals("DockerfileSource[dockerfile=Dockerfile, context=null, buildArgs=[NPM_TOKEN, VERSION] (values not"
        + " shown)]", text);
  }
}
