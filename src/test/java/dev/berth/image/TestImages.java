package dev.berth.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Builds small test images: from random bytes (gzip layers, a config, a manifest, and indexes over them), or with
 * Jib from scratch out of a few files (base images pushed to a registry, docker save and OCI archives).
 */
public final class TestImages {
  private TestImages() {}

  /** A blob: its bytes and descriptor. */
  public record Blob(String mediaType, byte[] bytes, String digest) {
    public String descriptor() {
      return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + bytes.length + "}";
    }
  }

  /** An image: its manifest and the blobs it names (config first). */
  public record Image(Manifest manifest, List<Blob> blobs) {}

  public static Blob layer(Random random, int uncompressedBytes, boolean oci) {
    byte[] raw = new byte[uncompressedBytes];
    random.nextBytes(raw);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = out.toByteArray();
    return new Blob(oci ? "application/vnd.oci.image.layer.v1.tar+gzip"
        : "application/vnd.docker.image.rootfs.diff.tar.gzip", bytes, Digests.sha256(bytes));
  }

  /** An image of random layers (OCI or Docker v2 media types). */
  public static Image image(Random random, int layers, int layerBytes, boolean oci, String arch) {
    List<Blob> ls = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      ls.add(layer(random, layerBytes, oci));
    }
    StringBuilder diffIds = new StringBuilder();
    for (Blob l : ls) {
      diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(l.digest()).append('"');
    }
    byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Env\":[\"N="
        + random.nextLong() + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
        .getBytes(StandardCharsets.UTF_8);
    Blob cfg = new Blob(oci ? "application/vnd.oci.image.config.v1+json"
        : "application/vnd.docker.container.image.v1+json", config, Digests.sha256(config));
    String type = oci ? Manifest.OCI_MANIFEST : Manifest.DOCKER_MANIFEST;
    StringBuilder m = new StringBuilder("{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"").append(type)
        .append("\",\n   \"config\": ").append(cfg.descriptor()).append(",\n   \"layers\": [");
    for (int i = 0; i < ls.size(); i++) {
      m.append(i == 0 ? "\n      " : ",\n      ").append(ls.get(i).descriptor());
    }
    m.append("\n   ]\n}");
    List<Blob> all = new ArrayList<>();
    all.add(cfg);
    all.addAll(ls);
    return new Image(Manifest.of(m.toString().getBytes(StandardCharsets.UTF_8), type), all);
  }

  /** An index over images (OCI index or Docker manifest list), one entry per image with its architecture. */
  public static Manifest index(List<Image> images, List<String> archs, boolean oci) {
    String type = oci ? Manifest.OCI_INDEX : Manifest.DOCKER_LIST;
    StringBuilder s = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"").append(type).append("\",\"manifests\":[");
    for (int i = 0; i < images.size(); i++) {
      Manifest m = images.get(i).manifest();
      s.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(m.mediaType()).append("\",\"digest\":\"")
          .append(m.digest()).append("\",\"size\":").append(m.bytes().length)
          .append(",\"platform\":{\"architecture\":\"").append(archs.get(i)).append("\",\"os\":\"linux\"}}");
    }
    s.append("]}");
    return Manifest.of(s.toString().getBytes(StandardCharsets.UTF_8), type);
  }

  /** Pushes an image's blobs and manifest to a registry under a tag. */
  public static void push(RegistryClient client, String repository, Image image, String tag) {
    for (Blob b : image.blobs()) {
      if (!client.hasBlob(repository, b.digest())) {
        client.uploadBlob(repository, b.digest(), b.bytes().length, () -> new ByteArrayInputStream(b.bytes()));
      }
    }
    client.putManifest(repository, tag == null ? image.manifest().digest() : tag, image.manifest());
  }

  /** Pushes every image by digest, then the index under the tag. */
  public static void pushIndex(RegistryClient client, String repository, List<Image> images, Manifest index,
      String tag) {
    for (Image i : images) {
      push(client, repository, i, null);
    }
    client.putManifest(repository, tag, index);
  }

  /** Writes an OCI image layout directory by hand: oci-layout, index.json, blobs/sha256/... */
  public static void writeLayout(Path dir, Image image, String refName) throws IOException {
    Path blobs = dir.resolve("blobs").resolve("sha256");
    Files.createDirectories(blobs);
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    for (Blob b : image.blobs()) {
      Files.write(blobs.resolve(b.digest().substring(7)), b.bytes());
    }
    Manifest m = image.manifest();
    Files.write(blobs.resolve(m.digest().substring(7)), m.bytes());
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.OCI_INDEX
        + "\",\"manifests\":[{\"mediaType\":\"" + m.mediaType() + "\",\"digest\":\"" + m.digest() + "\",\"size\":"
        + m.bytes().length + (refName == null ? "" : ",\"annotations\":{\"" + OciLayoutSource.REF_NAME + "\":\""
        + refName + "\"}") + "}]}");
  }

  /**
   * An image from scratch with one layer per file (PATH_IN_IMAGE, TEXT pairs, in order), the files written under
   * WORK; the caller adds environment, entrypoint and so on, then pushes it or writes it as an archive.
   */
  public static JibContainerBuilder scratch(Path work, String... pathThenText) throws IOException {
    if (pathThenText.length % 2 != 0) {
      throw new IllegalArgumentException("pairs of path in the image and text expected");
    }
    JibContainerBuilder image = Jib.fromScratch();
    Path dir = Files.createDirectories(work.resolve("scratch-files-" + System.nanoTime()));
    for (int i = 0; i < pathThenText.length; i += 2) {
      Path file = dir.resolve("f" + i / 2);
      Files.writeString(file, pathThenText[i + 1]);
      image.addFileEntriesLayer(FileEntriesLayer.builder().addEntry(file, AbsoluteUnixPath.get(pathThenText[i])).build());
    }
    return image;
  }

  /**
   * Pushes IMAGE as OCI to REF on a loopback registry over http, with a login when USER is not null (Jib's
   * sendCredentialsOverHttp is set for this push only: what berth does on its own must not rely on it), Jib's
   * caches under WORK; returns the manifest's digest.
   */
  public static String pushToRegistry(JibContainerBuilder image, Path work, String ref, String user, String password)
      throws Exception {
    RegistryImage to = RegistryImage.named(ref);
    if (user != null) {
      to.addCredential(user, password);
      System.setProperty("sendCredentialsOverHttp", "true");
    }
    try {
      return image.setFormat(ImageFormat.OCI)
          .containerize(Containerizer.to(to).setAllowInsecureRegistries(true)
              .setBaseImageLayersCache(work.resolve("jib/b")).setApplicationLayersCache(work.resolve("jib/a")))
          .getDigest().toString();
    } finally {
      System.clearProperty("sendCredentialsOverHttp");
    }
  }

  /** Writes IMAGE as an archive TAR named REF: docker save format (ImageFormat.Docker) or OCI; Jib's caches under WORK. */
  public static Path writeArchive(JibContainerBuilder image, Path work, ImageFormat format, Path tar, String ref)
      throws Exception {
    image.setFormat(format).containerize(Containerizer.to(TarImage.at(tar).named(ref))
        .setBaseImageLayersCache(work.resolve("jib/b")).setApplicationLayersCache(work.resolve("jib/a")));
    return tar;
  }
}
