package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A manifest exactly as a registry served it: its bytes (pushed unchanged, so the digest stays), media type and
 * digest; parsed only to find what it points to.
 */
public record Manifest(byte[] bytes, String mediaType, String digest) {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final Set<String> INDEX_TYPES = Set.of(OCI_INDEX, DOCKER_LIST);
  public static final Set<String> IMAGE_TYPES = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  /** What we accept from registries, best first. */
  public static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  /** A pointer to content: media type, digest, size. */
  public record Descriptor(String mediaType, String digest, long size) {}

  /** Builds a manifest from bytes; the media type comes from the server or, when absent, from the document. */
  public static Manifest of(byte[] bytes, String mediaType) {
    String type = mediaType;
    if (type == null || type.isBlank() || !(INDEX_TYPES.contains(type) || IMAGE_TYPES.contains(type))) {
      JsonNode doc = tree(bytes);
      String fromDoc = JsonDocs.text(doc, "mediaType");
      if (fromDoc != null && !fromDoc.isEmpty()) {
        type = fromDoc;
      } else if (doc.has("manifests")) {
        type = OCI_INDEX;
      } else if (doc.has("layers")) {
        type = OCI_MANIFEST;
      }
    }
    int semicolon = type == null ? -1 : type.indexOf(';');
    if (semicolon >= 0) {
      type = type.substring(0, semicolon).trim();
    }
    return new Manifest(bytes, type, Digests.sha256(bytes));
  }

  public boolean isIndex() {
    return INDEX_TYPES.contains(mediaType);
  }

  public boolean isImage() {
    return IMAGE_TYPES.contains(mediaType);
  }

  /** The child manifests of an index (empty for an image manifest). */
  public List<Descriptor> children() {
    return isIndex() ? descriptors(tree(bytes).get("manifests")) : List.of();
  }

  /** The config and the layers of an image manifest, config first (empty for an index). */
  public List<Descriptor> blobs() {
    if (!isImage()) {
      return List.of();
    }
    JsonNode root = tree(bytes);
    List<Descriptor> out = new ArrayList<>();
    if (root.has("config")) {
      out.add(descriptor(root.get("config")));
    }
    out.addAll(descriptors(root.get("layers")));
    return out;
  }

  private static List<Descriptor> descriptors(JsonNode array) {
    List<Descriptor> out = new ArrayList<>();
    if (array != null && array.isArray()) {
      for (JsonNode n : array) {
        out.add(descriptor(n));
      }
    }
    return out;
  }

  private static Descriptor descriptor(JsonNode n) {
    String digest = JsonDocs.text(n, "digest");
    if (!Digests.isValid(digest)) {
      throw new IllegalArgumentException("manifest names a malformed digest: " + digest);
    }
    JsonNode size = n.get("size");
    return new Descriptor(JsonDocs.text(n, "mediaType"), digest, size != null && size.canConvertToLong()
        ? size.asLong() : -1);
  }

  private static JsonNode tree(byte[] bytes) {
    JsonNode doc;
    try {
      doc = JsonDocs.parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("manifest is " + e.getMessage(), e);
    }
    if (!doc.isObject()) {
      throw new IllegalArgumentException("manifest is not a JSON object");
    }
    return doc;
  }

  @Override
  public String toString() {
    return "Manifest[" + mediaType + " " + digest + " " + bytes.length + " bytes]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Manifest m && m.digest.equals(digest) && java.util.Objects.equals(m.mediaType, mediaType);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }
}
