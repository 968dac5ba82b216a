package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.Json;
import java.nio.charset.StandardCharsets;

/**
 * Documents from registries, archives, Docker configs and ECR answers, read with berth's one strict JSON reader
 * ({@link Json#readDocument}: Jackson, duplicate keys and trailing content refused, nesting and lengths bounded).
 */
final class JsonDocs {
  private JsonDocs() {}

  /** Parses bytes; throws IllegalArgumentException naming the problem. */
  static JsonNode parse(byte[] bytes) {
    try {
      return Json.readDocument(new String(bytes, StandardCharsets.UTF_8));
    } catch (Json.InvalidJson e) {
      throw new IllegalArgumentException("not acceptable JSON: " + e.getMessage(), e);
    }
  }

  /** A document larger than berth reads. */
  static final class TooLarge extends java.io.IOException {
    TooLarge(String message) {
      super(message);
    }
  }

  /**
   * The one bounded read of a document from outside (manifest, index, config, token or ECR answer): at most max
   * bytes; more, announced (Content-Length, file size) or sent, is {@link TooLarge}.
   */
  static byte[] readBounded(java.io.InputStream in, long announced, int max, String what) throws java.io.IOException {
    String limit = max >= 1 << 20 ? (max >> 20) + " MiB" : max + " bytes";
    if (announced > max) {
      throw new TooLarge(what + " is " + announced + " bytes, more than the " + limit + " berth reads");
    }
    byte[] b = in.readNBytes(max + 1);
    if (b.length > max) {
      throw new TooLarge(what + " is larger than the " + limit + " berth reads");
    }
    return b;
  }

  /** A file, read with {@link #readBounded(java.io.InputStream, long, int, String)}. */
  static byte[] readBounded(java.nio.file.Path file, int max, String what) throws java.io.IOException {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      return readBounded(in, -1, max, what);
    }
  }

  /** A member's text, or null when it is missing or not a string. */
  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
