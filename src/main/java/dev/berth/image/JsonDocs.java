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

  /** A member's text, or null when it is missing or not a string. */
  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
