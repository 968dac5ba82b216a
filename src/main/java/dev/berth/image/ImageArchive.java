package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.InvalidInputException;
import dev.berth.report.Json;
import dev.berth.report.Violation;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Image archives given to {@code --tar} (or written by {@code docker save}): an OCI layout archive, taken as it is,
 * or a {@code docker save} archive, turned into an OCI layout by berth. Archives come from contributors, so:
 * only regular entries inside the archive are read (links, devices and paths that leave the archive never are);
 * {@code manifest.json} may name only such entries; each layer's digest and diff id are computed from its bytes
 * and must match what the archive's config claims; a compressed archive may expand to at most
 * {@value #MAX_RATIO} times its size plus 64 MiB (a gzip bomb stops there, before it fills the disk); metadata
 * files are read up to 4 MiB, the registries' own manifest limit. Tar reading is commons-compress's (ustar, PAX
 * including {@code size} records, GNU long names).
 */
final class ImageArchive {
  /** The largest manifest, index or config read (the registries' manifest limit). */
  static final int MAX_METADATA = 4 << 20;
  static final int MAX_RATIO = 50;
  static final long SLACK = 64L << 20;
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  /** What a first pass over the archive found: its format, its regular entries and its metadata files. */
  record Scan(Path archive, boolean oci, boolean docker, Set<String> regular, Map<String, byte[]> metadata,
      String config, List<String> layers) {}

  private ImageArchive() {}

  /**
   * Reads the archive once, without writing anything: its format, and for a docker save archive the config and
   * layers its manifest.json names, each checked to be a regular entry inside the archive. Throws an
   * {@link InvalidInputException} (on {@code --tar}) naming every problem.
   */
  static Scan scan(Path archive) {
    if (!Files.exists(archive)) {
      throw new InvalidInputException("--tar", "no such file: " + archive);
    }
    if (!Files.isRegularFile(archive)) {
      throw new InvalidInputException("--tar", archive + " is not a regular file (a folder, FIFO or device);"
          + " give the archive file itself");
    }
    Set<String> regular = new LinkedHashSet<>();
    Map<String, byte[]> metadata = new HashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(open(archive))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        String name = name(e);
        if (name == null) {
          continue;
        }
        if (isRegular(e)) {
          regular.add(name);
          if (name.equals("manifest.json") || name.equals("index.json") || name.equals("oci-layout")) {
            metadata.put(name, readMetadata(in, name));
          }
        } else {
          regular.remove(name);
          metadata.remove(name);
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      Bomb b = bomb(e);
      throw new InvalidInputException("--tar", b != null ? b.getMessage()
          : archive + " is not a tar archive: " + e.getMessage());
    }
    boolean oci = metadata.containsKey("oci-layout") && metadata.containsKey("index.json");
    boolean docker = metadata.containsKey("manifest.json");
    if (!oci && !docker) {
      throw new InvalidInputException("--tar", archive + " is neither a docker save archive (manifest.json) nor an"
          + " OCI layout archive (oci-layout, index.json), as regular files in the archive");
    }
    if (oci) {
      return new Scan(archive, true, docker, regular, metadata, null, List.of());
    }
    List<Violation> problems = new ArrayList<>();
    String config = null;
    List<String> layers = new ArrayList<>();
    try {
      JsonNode manifest = parse(metadata.get("manifest.json"));
      JsonNode first = manifest.path(0);
      if (!manifest.isArray() || !first.isObject()) {
        throw new IOException("expected an array of images");
      }
      config = member(first.path("Config"), "Config", regular, problems);
      JsonNode ls = first.path("Layers");
      if (!ls.isArray()) {
        problems.add(Violation.error("--tar", "manifest.json has no Layers list"));
      }
      for (JsonNode l : ls) {
        layers.add(member(l, "Layers", regular, problems));
      }
    } catch (IOException e) {
      problems.add(Violation.error("--tar", "manifest.json of " + archive + " is not valid: " + e.getMessage()));
    }
    InvalidInputException.throwIfAny(problems);
    return new Scan(archive, false, true, regular, metadata, config, List.copyOf(layers));
  }

  /** A path manifest.json names: relative, inside the archive, a regular entry of it. */
  private static String member(JsonNode node, String field, Set<String> regular, List<Violation> problems) {
    String raw = node.isTextual() ? node.asText() : null;
    if (raw == null || raw.isEmpty()) {
      problems.add(Violation.error("--tar", "manifest.json: " + field + " must name a file of the archive"));
      return null;
    }
    String clean = Glob.clean(raw);
    if (raw.startsWith("/") || clean.startsWith("/") || clean.equals("..") || clean.startsWith("../")) {
      problems.add(Violation.error("--tar", "manifest.json: " + field + " names " + raw + ", outside the archive;"
          + " only files inside the archive are read"));
      return null;
    }
    if (!regular.contains(clean)) {
      problems.add(Violation.error("--tar", "manifest.json: " + field + " names " + raw + ", which is not a"
          + " regular file in the archive (missing, or a link or device); only regular files inside the archive are"
          + " read"));
      return null;
    }
    return clean;
  }

  /** An OCI layout archive, extracted as it is (regular files only), so the digest is the archive's. */
  static String extractLayout(Scan scan, Path dir) throws IOException {
    extract(scan.archive(), dir, name -> true);
    return readIndexDigest(dir);
  }

  /**
   * A docker save archive as an OCI layout in dir: the config kept byte for byte, each layer gzip-compressed when
   * it is not already, its digest and diff id computed here and checked against the config's {@code diff_ids}.
   * Returns the manifest digest.
   */
  static String convertDockerSave(Scan scan, Path dir) throws IOException {
    Path staging = dir.resolve(".archive");
    Set<String> wanted = new LinkedHashSet<>(scan.layers());
    wanted.add(scan.config());
    extract(scan.archive(), staging, wanted::contains);
    Path blobs = Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
    byte[] config = readBounded(staging.resolve(scan.config()), "the config " + scan.config());
    JsonNode configJson;
    try {
      configJson = parse(config);
    } catch (IOException e) {
      throw new InvalidInputException("--tar", "the config " + scan.config() + " is not valid JSON: "
          + e.getMessage());
    }
    JsonNode claimed = configJson.path("rootfs").path("diff_ids");
    if (!claimed.isArray() || claimed.size() != scan.layers().size()) {
      throw new InvalidInputException("--tar", "the config " + scan.config() + " lists " + claimed.size()
          + " layer diff ids, manifest.json " + scan.layers().size() + " layers");
    }
    String configDigest = Digests.sha256(config);
    Files.write(blobs.resolve(configDigest.substring(7)), config);
    ObjectNode manifest = Json.mapper().createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", Manifest.OCI_MANIFEST);
    ObjectNode cfg = manifest.putObject("config");
    cfg.put("mediaType", OCI_CONFIG);
    cfg.put("digest", configDigest);
    cfg.put("size", config.length);
    ArrayNode layers = manifest.putArray("layers");
    List<Violation> lies = new ArrayList<>();
    for (int i = 0; i < scan.layers().size(); i++) {
      String name = scan.layers().get(i);
      Blob b = layerBlob(staging.resolve(name), blobs);
      String expected = claimed.get(i).asText();
      if (!b.diffId().equals(expected)) {
        lies.add(Violation.error("--tar", "layer " + name + " does not match the config: its content is "
            + b.diffId() + ", the config claims " + expected + "; the archive is corrupt or forged"));
      }
      ObjectNode l = layers.addObject();
      l.put("mediaType", OCI_LAYER_GZIP);
      l.put("digest", b.digest());
      l.put("size", b.size());
    }
    InvalidInputException.throwIfAny(lies);
    LocalImages.deleteTree(staging);
    byte[] manifestBytes = Json.mapper().writeValueAsBytes(manifest);
    String digest = Digests.sha256(manifestBytes);
    Files.write(blobs.resolve(digest.substring(7)), manifestBytes);
    writeIndex(dir, digest, manifestBytes.length);
    return digest;
  }

  /** oci-layout and index.json naming one manifest. */
  static void writeIndex(Path dir, String manifestDigest, long manifestSize) throws IOException {
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    ObjectNode index = Json.mapper().createObjectNode();
    index.put("schemaVersion", 2);
    ObjectNode m = index.putArray("manifests").addObject();
    m.put("mediaType", Manifest.OCI_MANIFEST);
    m.put("digest", manifestDigest);
    m.put("size", manifestSize);
    Files.write(dir.resolve("index.json"), Json.mapper().writeValueAsBytes(index));
  }

  record Blob(String digest, String diffId, long size) {}

  /** A layer file as a gzip blob in blobs: moved when already gzip, else compressed; digests from the bytes. */
  private static Blob layerBlob(Path file, Path blobs) throws IOException {
    if (isGzip(file)) {
      MessageDigest gz = Digests.newSha256();
      MessageDigest tar = Digests.newSha256();
      try (InputStream raw = new DigestInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), gz);
          InputStream in = new DigestInputStream(bounded(new GZIPInputStream(raw, 1 << 16), Files.size(file),
              file.getFileName().toString()), tar)) {
        in.transferTo(OutputStream.nullOutputStream());
        raw.transferTo(OutputStream.nullOutputStream()); // anything after the gzip stream is part of the blob
      } catch (Bomb b) {
        throw new InvalidInputException("--tar", "layer " + b.getMessage());
      }
      String digest = Digests.hex(gz);
      long size = Files.size(file);
      Files.move(file, blobs.resolve(digest.substring(7)), StandardCopyOption.REPLACE_EXISTING);
      return new Blob(digest, Digests.hex(tar), size);
    }
    MessageDigest gz = Digests.newSha256();
    MessageDigest tar = Digests.newSha256();
    Path tmp = Files.createTempFile(blobs, "layer-", ".tmp");
    try {
      try (InputStream in = Files.newInputStream(file);
          OutputStream out = new DigestOutputStream(new GZIPOutputStream(new DigestOutputStream(
              new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), gz), 1 << 16), tar)) {
        in.transferTo(out);
      }
      String digest = Digests.hex(gz);
      long size = Files.size(tmp);
      Files.move(tmp, blobs.resolve(digest.substring(7)), StandardCopyOption.REPLACE_EXISTING);
      Files.delete(file);
      return new Blob(digest, Digests.hex(tar), size);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Extracts the regular entries that wanted accepts into dir. Links, devices and folders' own entries are not
   * written; a name that would leave dir is an error.
   */
  static void extract(Path archive, Path dir, Predicate<String> wanted) throws IOException {
    Path root = Files.createDirectories(dir).toAbsolutePath().normalize();
    try (TarArchiveInputStream in = new TarArchiveInputStream(open(archive))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        String name = name(e);
        if (name == null || !isRegular(e) || !wanted.test(name)) {
          continue;
        }
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
          throw new IOException("archive entry leaves the folder: " + e.getName());
        }
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
          in.transferTo(out);
        }
      }
    } catch (IOException e) {
      Bomb b = bomb(e);
      if (b != null) {
        throw new InvalidInputException("--tar", b.getMessage());
      }
      throw e;
    }
  }

  private static Bomb bomb(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Bomb b) {
        return b;
      }
    }
    return null;
  }

  /** The digest of the (first) manifest in a layout's index.json. */
  static String readIndexDigest(Path layout) throws IOException {
    Path index = layout.resolve("index.json");
    if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidInputException("--tar", "the OCI layout has no index.json file");
    }
    JsonNode manifests = parse(readBounded(index, "index.json")).path("manifests");
    if (!manifests.isArray() || manifests.isEmpty() || !Digests.isValid(manifests.get(0).path("digest").asText())) {
      throw new InvalidInputException("--tar", "the OCI layout's index.json lists no manifest");
    }
    return manifests.get(0).path("digest").asText();
  }

  /** A document from the archive, read strictly (duplicate keys, trailing content, limits): berth's one reader. */
  static JsonNode parse(byte[] bytes) throws IOException {
    try {
      return Json.readDocument(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    } catch (Json.InvalidJson e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** An entry's name, cleaned (no leading ./); null for the archive's root. */
  private static String name(TarArchiveEntry e) {
    String c = Glob.clean(e.getName());
    return c.isEmpty() || c.equals(".") ? null : c;
  }

  private static boolean isRegular(TarArchiveEntry e) {
    byte f = e.getLinkFlag();
    return (f == '0' || f == 0 || f == '7') && !e.getName().endsWith("/");
  }

  private static byte[] readMetadata(InputStream in, String name) throws IOException {
    try {
      return JsonDocs.readBounded(in, -1, MAX_METADATA, name + " in the archive");
    } catch (JsonDocs.TooLarge e) {
      throw new Bomb(e.getMessage());
    }
  }

  static byte[] readBounded(Path file, String what) throws IOException {
    try {
      return JsonDocs.readBounded(file, MAX_METADATA, what);
    } catch (JsonDocs.TooLarge e) {
      throw new InvalidInputException("--tar", e.getMessage());
    }
  }

  /** The archive's bytes, gunzipped (and bounded) when it is gzip. */
  static InputStream open(Path archive) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
    if (isGzip(archive)) {
      return bounded(new GZIPInputStream(in, 1 << 16), Files.size(archive), archive.toString());
    }
    return in;
  }

  private static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  /** At most MAX_RATIO times the compressed size plus 64 MiB: more is a gzip bomb, refused as it is read. */
  private static InputStream bounded(InputStream in, long compressedSize, String what) {
    long limit = SLACK + MAX_RATIO * compressedSize;
    return new FilterInputStream(in) {
      long total;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          count(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          count(n);
        }
        return n;
      }

      private void count(long n) throws Bomb {
        total += n;
        if (total > limit) {
          throw new Bomb(what + " expands to more than " + limit + " bytes (" + MAX_RATIO + " times its compressed"
              + " size plus 64 MiB): refused as a decompression bomb");
        }
      }
    };
  }

  /** An archive that expands beyond its bound, or metadata beyond its limit. */
  static final class Bomb extends IOException {
    Bomb(String message) {
      super(message);
    }
  }
}
