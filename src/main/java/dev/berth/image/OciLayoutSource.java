package dev.berth.image;

import dev.berth.report.BerthException;
import dev.berth.report.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image layout directory: {@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}. */
final class OciLayoutSource implements ContentSource {
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  private final Path dir;
  private final String refName;
  private Manifest root;

  OciLayoutSource(Path dir, String refName) {
    this.dir = dir;
    this.refName = refName;
  }

  /** What is wrong with a layout directory, for validation before anything changes. */
  static List<Violation> check(String where, Path dir) {
    List<Violation> v = new ArrayList<>();
    if (dir == null || !Files.isDirectory(dir)) {
      v.add(Violation.error(where, "OCI layout directory " + dir + " does not exist"));
    } else if (!Files.isRegularFile(dir.resolve("index.json")) || !Files.isRegularFile(dir.resolve("oci-layout"))) {
      v.add(Violation.error(where, dir + " is not an OCI image layout (no oci-layout or index.json)"));
    }
    return v;
  }

  @Override
  public synchronized Manifest root() {
    if (root != null) {
      return root;
    }
    JsonNode index;
    try {
      index = JsonDocs.parse(readBounded(dir.resolve("index.json")));
    } catch (IOException | IllegalArgumentException e) {
      throw BerthException.failed("cannot read " + dir.resolve("index.json") + ": " + e.getMessage(), e);
    }
    List<JsonNode> candidates = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      if (refName == null || refName.equals(JsonDocs.text(m.path("annotations"), REF_NAME))) {
        candidates.add(m);
      }
    }
    if (candidates.size() != 1) {
      throw BerthException.failed(dir.resolve("index.json") + " holds " + candidates.size() + " manifests"
          + (refName == null ? "" : " named " + refName) + "; expected exactly one");
    }
    JsonNode d = candidates.get(0);
    Manifest.Descriptor descriptor = new Manifest.Descriptor(JsonDocs.text(d, "mediaType"),
        JsonDocs.text(d, "digest"), d.path("size").canConvertToLong() ? d.path("size").asLong() : -1);
    if (!Digests.isValid(descriptor.digest())) {
      throw BerthException.failed(dir.resolve("index.json") + " names a malformed digest " + descriptor.digest());
    }
    root = manifest(descriptor);
    return root;
  }

  @Override
  public Manifest manifest(Manifest.Descriptor d) {
    try {
      byte[] bytes = readBounded(blob(d.digest()));
      Manifest m = Manifest.of(bytes, d.mediaType());
      if (!m.digest().equals(d.digest())) {
        throw BerthException.failed("OCI layout " + dir + ": blob " + d.digest() + " has digest " + m.digest());
      }
      RemoteSource.check(m);
      return m;
    } catch (IOException e) {
      throw BerthException.failed("OCI layout " + dir + " lacks manifest " + d.digest() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream open(Manifest.Descriptor d) throws IOException {
    Path p = blob(d.digest());
    long size = Files.size(p);
    if (d.size() >= 0 && size != d.size()) {
      throw BerthException.failed("OCI layout " + dir + ": blob " + d.digest() + " is " + size
          + " bytes, its manifest says " + d.size());
    }
    return Files.newInputStream(p);
  }

  private Path blob(String digest) {
    int colon = digest.indexOf(':');
    return dir.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
  }

  @Override
  public Optional<String> mountableFrom(RegistryClient target) {
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "OCI layout " + dir;
  }

  /** A manifest or index file, read up to the registries' 4 MiB limit. */
  private static byte[] readBounded(Path file) throws IOException {
    return JsonDocs.readBounded(file, RegistryClient.MAX_MANIFEST, file.toString());
  }
}
