package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.Progress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build contexts and image archives written as an attacker would: links out of the context, archives naming
 * files outside themselves, archives that lie about their layers, decompression bombs, FIFOs. Each is refused
 * with exit 3 naming the culprit, or handled safely; the layers that are built are inspected entry by entry.
 */
class HostileImageInputTest {
  @TempDir Path tmp;

  LocalImages.Options options() {
    return new LocalImages.Options(tmp.resolve("cache"), Map.of("PATH", ""), h -> java.util.Optional.empty());
  }

  LocalImages.Layout build(Path ctx, String out) throws Exception {
    return LocalImages.prepare(new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()),
        options()).build(tmp.resolve(out), Progress.silent());
  }

  InvalidInputException refused(Path ctx) {
    return assertThrows(InvalidInputException.class, () -> LocalImages.prepare(
        new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()), options()));
  }

  static JsonNode manifest(LocalImages.Layout l) throws IOException {
    return Json.mapper().readTree(blob(l.dir(), l.digest()).toFile());
  }

  static Path blob(Path layout, String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring(7));
  }

  /** name -> "type:link target or content" of every entry of a gzip layer. */
  static Map<String, String> entries(Path gzipLayer) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(gzipLayer)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.put(e.getName(), e.isSymbolicLink() ? "link:" + e.getLinkName()
            : e.isDirectory() ? "dir" : "file:" + new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  Path context(String dockerfile) throws IOException {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  // ------------------------------------------------------------------------------------------------ contexts

  @Test
  void copyFolder_whenALinkLeadsOutOfTheContext_exits3NamingTheLink() throws Exception {
    Path secret = Files.writeString(tmp.resolve("credentials"), "aws_secret_access_key=AGENTSECRET\n");
    Path ctx = context("FROM scratch\nCOPY conf/ /conf/\n");
    Files.createDirectories(ctx.resolve("conf"));
    Files.writeString(ctx.resolve("conf/app.yml"), "a: 1\n");
    Files.createSymbolicLink(ctx.resolve("conf/creds"), secret);
    Files.createSymbolicLink(ctx.resolve("conf/etc"), Path.of("../../../../../../etc"));

    InvalidInputException e = refused(ctx);

    String all = e.violations().toString();
    assertEquals(2, e.violations().size(), all);
    assertTrue(all.contains("conf/creds") && all.contains("outside the build context"), all);
    assertTrue(all.contains("conf/etc"), all);
    assertEquals(3, dev.berth.cli.ExitCodes.of(e.outcome()));
  }

  @Test
  void copyFolder_whenALinkStaysInside_copiesTheLinkNotItsTarget() throws Exception {
    Path ctx = context("FROM scratch\nCOPY conf/ /conf/\n");
    Files.createDirectories(ctx.resolve("conf/v1"));
    Files.writeString(ctx.resolve("conf/v1/app.yml"), "a: 1\n");
    Files.createSymbolicLink(ctx.resolve("conf/current"), Path.of("v1"));

    LocalImages.Layout l = build(ctx, "out");

    Map<String, String> layer = entries(blob(l.dir(), manifest(l).path("layers").get(0).path("digest").asText()));
    assertEquals("link:v1", layer.get("conf/current"), layer.toString());
    assertEquals("file:a: 1\n", layer.get("conf/v1/app.yml"), layer.toString());
    assertTrue(layer.keySet().stream().noneMatch(k -> k.startsWith("conf/current/")), layer.toString());
  }

  @Test
  void copySource_whenItIsALinkToAnIgnoredFolder_exits3() throws Exception {
    Path ctx = context("FROM scratch\nCOPY alias/ /data/\n");
    Files.createDirectories(ctx.resolve("secrets"));
    Files.writeString(ctx.resolve("secrets/id_rsa"), "PRIVATE KEY");
    Files.writeString(ctx.resolve(".dockerignore"), "secrets\n");
    Files.createSymbolicLink(ctx.resolve("alias"), Path.of("secrets"));

    InvalidInputException e = refused(ctx);

    assertTrue(e.violations().toString().contains("excluded by .dockerignore"), e.violations().toString());
  }

  @Test
  void copySource_whenItIsALinkOutOfTheContext_exits3() throws Exception {
    Files.createDirectories(tmp.resolve("home/.aws"));
    Files.writeString(tmp.resolve("home/.aws/credentials"), "secret");
    Path ctx = context("FROM scratch\nCOPY aws /root/.aws\n");
    Files.createSymbolicLink(ctx.resolve("aws"), tmp.resolve("home/.aws"));

    InvalidInputException e = refused(ctx);

    assertTrue(e.violations().toString().contains("leads outside the build context"), e.violations().toString());
  }

  @Test
  void copyFolder_withAFifo_exits3InsteadOfBlockingOrCopyingAnEmptyFile() throws Exception {
    Path ctx = context("FROM scratch\nCOPY data/ /data/\n");
    Files.createDirectories(ctx.resolve("data"));
    Files.writeString(ctx.resolve("data/ok.txt"), "ok");
    mkfifo(ctx.resolve("data/pipe"));

    InvalidInputException e = refused(ctx);

    String all = e.violations().toString();
    assertTrue(all.contains("data/pipe") && all.contains("FIFO"), all);
  }

  @Test
  void build_whenAFileChangesWithItsModificationTimeKept_theNewContentIsInTheLayer() throws Exception {
    Path ctx = context("FROM scratch\nCOPY app.js /app/\n");
    Path app = Files.writeString(ctx.resolve("app.js"), "console.log(1)");
    FileTime kept = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(app, kept);
    LocalImages.Prepared p = LocalImages.prepare(
        new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()), options());
    LocalImages.Layout first = p.build(Progress.silent());

    Files.writeString(app, "console.log(2)"); // same size, same time
    Files.setLastModifiedTime(app, kept);
    LocalImages.Layout second = p.build(Progress.silent());

    assertNotEquals(first.digest(), second.digest());
    String layer = manifest(second).path("layers").get(0).path("digest").asText();
    assertEquals("file:console.log(2)", entries(blob(second.dir(), layer)).get("app/app.js"));
  }

  @Test
  void layerCache_isKeyedByTheContent_andATamperedEntryIsNotUsed() throws Exception {
    Path ctx = context("FROM scratch\nCOPY app.js /app/\n");
    Files.writeString(ctx.resolve("app.js"), "console.log('honest')");
    LocalImages.Prepared p = LocalImages.prepare(
        new LocalImages.DockerfileSource(ctx.resolve("Dockerfile"), null, Map.of()), options());
    LocalImages.Layout first = p.build(Progress.silent());
    String layer = manifest(first).path("layers").get(0).path("digest").asText();
    Path cached;
    try (var walk = Files.walk(tmp.resolve("cache/layers"))) {
      cached = walk.filter(f -> f.getFileName().toString().equals(layer.substring(7))).findFirst().orElseThrow();
    }

    LocalImages.Layout second = p.build(Progress.silent());
    assertEquals(first.digest(), second.digest());
    assertEquals(2 + 1, ((Number) Files.getAttribute(cached, "unix:nlink")).intValue(),
        "the cached blob is hard-linked into both layouts");

    // an attacker with write access to the cache replaces the cached bytes in place
    Files.delete(blob(first.dir(), layer));
    Files.delete(blob(second.dir(), layer));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(cached))) {
      out.write(tar(List.of(Entry.file("app/app.js", "console.log('EVIL')"))));
    }
    LocalImages.Layout third = p.build(Progress.silent());

    assertEquals(first.digest(), third.digest());
    assertEquals("file:console.log('honest')", entries(blob(third.dir(), layer)).get("app/app.js"));
  }

  // ------------------------------------------------------------------------------------------------ archives

  /** One entry of a hand-made archive: a regular file, or a link. */
  record Entry(String name, byte type, String content) {
    static Entry file(String name, String content) {
      return new Entry(name, TarConstants.LF_NORMAL, content);
    }

    static Entry symlink(String name, String target) {
      return new Entry(name, TarConstants.LF_SYMLINK, target);
    }

    static Entry hardlink(String name, String target) {
      return new Entry(name, TarConstants.LF_LINK, target);
    }
  }

  static String sha256(byte[] b) {
    return Digests.sha256(b);
  }

  /** A docker save archive of one layer (a tar holding /hello.txt) whose config tells the truth, or a given diff id. */
  Path dockerSave(String name, String layerContent, String claimedDiffId, List<Entry> extra, String layersJson)
      throws IOException {
    byte[] layer = tar(List.of(Entry.file("hello.txt", layerContent)));
    String diffId = claimedDiffId != null ? claimedDiffId : sha256(layer);
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/hello\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";
    String configName = sha256(config.getBytes(StandardCharsets.UTF_8)).substring(7) + ".json";
    String manifest = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"x:1\"],\"Layers\":"
        + (layersJson != null ? layersJson : "[\"l1/layer.tar\"]") + "}]";
    List<Entry> all = new ArrayList<>();
    all.add(Entry.file("manifest.json", manifest));
    all.add(Entry.file(configName, config));
    all.add(new Entry("l1/layer.tar", TarConstants.LF_NORMAL, new String(layer, StandardCharsets.ISO_8859_1)));
    all.addAll(extra);
    Path f = tmp.resolve(name);
    Files.write(f, tar(all));
    return f;
  }

  /** A tar of the entries, contents given as ISO-8859-1 strings (bytes as they are). */
  static byte[] tar(List<Entry> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type());
        if (e.type() == TarConstants.LF_NORMAL) {
          byte[] b = e.content().getBytes(StandardCharsets.ISO_8859_1);
          t.setSize(b.length);
          out.putArchiveEntry(t);
          out.write(b);
        } else {
          t.setLinkName(e.content());
          out.putArchiveEntry(t);
        }
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  InvalidInputException refusedTar(Path archive) {
    return assertThrows(InvalidInputException.class, () -> LocalImages.prepare(new LocalImages.TarSource(archive),
        options()).build(tmp.resolve("out-" + archive.getFileName()), Progress.silent()));
  }

  @Test
  void tar_whenManifestNamesAnAbsolutePath_exits3AndReadsNothingOutside() throws Exception {
    Path secret = Files.writeString(tmp.resolve("agent-secret"), "AGENTSECRET");
    Path archive = dockerSave("abs.tar", "hello", null, List.of(), "[\"" + secret + "\"]");

    InvalidInputException e = refusedTar(archive);

    assertTrue(e.violations().toString().contains("outside the archive"), e.violations().toString());
    assertEquals("--tar", e.violations().get(0).where());
  }

  @Test
  void tar_whenManifestNamesADotDotPath_exits3() throws Exception {
    Files.writeString(tmp.resolve("outside.tar"), "AGENTSECRET");
    Path archive = dockerSave("dotdot.tar", "hello", null, List.of(), "[\"l1/../../outside.tar\"]");

    InvalidInputException e = refusedTar(archive);

    assertTrue(e.violations().toString().contains("outside the archive"), e.violations().toString());
  }

  @Test
  void tar_whenALayerIsALinkOutOfTheArchive_exits3() throws Exception {
    Path archive = dockerSave("links.tar", "hello", null, List.of(Entry.symlink("evil/layer.tar", "/etc/passwd"),
        Entry.hardlink("hard/layer.tar", "/etc/hostname")), "[\"evil/layer.tar\",\"hard/layer.tar\"]");

    InvalidInputException e = refusedTar(archive);

    String all = e.violations().toString();
    assertTrue(all.contains("evil/layer.tar") && all.contains("hard/layer.tar")
        && all.contains("not a regular file in the archive"), all);
  }

  @Test
  void tar_whenTheConfigLiesAboutALayer_exits3() throws Exception {
    String honest = sha256(tar(List.of(Entry.file("hello.txt", "honest"))));
    Path archive = dockerSave("lie.tar", "EVIL", honest, List.of(), null);

    InvalidInputException e = refusedTar(archive);

    assertTrue(e.violations().toString().contains("does not match the config"), e.violations().toString());
  }

  @Test
  void tar_gzipCompressedDockerSave_givesTheSameImageAsThePlainOne() throws Exception {
    Path plain = dockerSave("plain.tar", "hello", null, List.of(), null);
    Path gz = tmp.resolve("plain.tar.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(plain, out);
    }

    LocalImages.Layout a = LocalImages.prepare(new LocalImages.TarSource(plain), options())
        .build(tmp.resolve("a"), Progress.silent());
    LocalImages.Layout b = LocalImages.prepare(new LocalImages.TarSource(gz), options())
        .build(tmp.resolve("b"), Progress.silent());

    assertEquals(a.digest(), b.digest());
    String layer = manifest(b).path("layers").get(0).path("digest").asText();
    assertEquals(Map.of("hello.txt", "file:hello"), entries(blob(b.dir(), layer)));
  }

  @Test
  void tar_gzipBomb_isRefusedBeforeWritingIt() throws Exception {
    Path bomb = tmp.resolve("bomb.tar.gz");
    byte[] zeros = new byte[1 << 20];
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(bomb)))) {
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry e = new TarArchiveEntry("blobs/sha256/big");
      e.setSize(300L << 20);
      out.putArchiveEntry(e);
      for (int i = 0; i < 300; i++) {
        out.write(zeros);
      }
      out.closeArchiveEntry();
    }
    assertTrue(Files.size(bomb) < (1 << 20), "a small archive: " + Files.size(bomb));

    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LocalImages.prepare(new LocalImages.TarSource(bomb), options()));

    assertTrue(e.violations().toString().contains("decompression bomb"), e.violations().toString());
    assertTrue(Files.notExists(tmp.resolve("cache")), "nothing written");
  }

  @Test
  void tar_whenGivenAFifo_saysItIsNotARegularFile() throws Exception {
    Path fifo = tmp.resolve("image.tar");
    mkfifo(fifo);

    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LocalImages.prepare(new LocalImages.TarSource(fifo), options()));

    assertTrue(e.violations().get(0).message().contains("not a regular file"), e.violations().toString());
  }

  static void mkfifo(Path p) throws IOException, InterruptedException {
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertEquals(0, mk.waitFor());
  }
}
