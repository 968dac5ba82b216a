package dev.berth.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON implementation of berth (Jackson): results are rendered with {@link #mapper()}, nulls left out;
 * documents from outside (task-definition files, registry and AWS answers) are read with {@link #readDocument},
 * which refuses what JSON does not allow or what would let a document hide or explode.
 */
public final class Json {
  /** Nesting deeper than this is refused (a task definition nests 6 levels, an image manifest 4). */
  public static final int MAX_DEPTH = 64;
  /** A string or a number longer than these is refused. */
  public static final int MAX_STRING_LENGTH = 1 << 20;
  public static final int MAX_NUMBER_LENGTH = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /**
   * Strict reading: a key twice in one object (which value wins differs between readers, so a document could
   * show a reviewer one value and ECS another), anything after the document, nesting, string and number length
   * past the limits above are refused; leading zeros, NaN, comments and raw control characters are refused as
   * JSON refuses them (Jackson's defaults).
   */
  private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(MAX_DEPTH)
              .maxStringLength(MAX_STRING_LENGTH)
              .maxNumberLength(MAX_NUMBER_LENGTH)
              .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /**
   * A document that is not acceptable JSON. {@code path} is where in the document (berth's
   * {@code containerDefinitions[0].image} style; empty at the top), {@code line}/{@code column} are 1-based or 0
   * when unknown.
   */
  public static final class InvalidJson extends Exception {
    private final String path;
    private final int line;
    private final int column;
    private final String reason;

    InvalidJson(String path, int line, int column, String reason, Throwable cause) {
      super((path.isEmpty() ? "" : path + ": ") + reason + (line > 0 ? " (line " + line + ", column " + column + ")" : ""),
          cause);
      this.path = path;
      this.line = line;
      this.column = column;
      this.reason = reason;
    }

    public String path() {
      return path;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }

    public String reason() {
      return reason;
    }
  }

  /** Reads one JSON document from outside, strictly (see {@link #STRICT}); null text is an empty document. */
  public static JsonNode readDocument(String text) throws InvalidJson {
    JsonNode node;
    try {
      node = STRICT.readTree(text == null ? "" : text);
    } catch (StreamConstraintsException e) {
      throw new InvalidJson("", 0, 0, e.getOriginalMessage().contains("nesting depth")
          ? "nested deeper than " + MAX_DEPTH + " levels" : e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      String path = e.getProcessor() instanceof JsonParser p ? path(p.getParsingContext()) : "";
      JsonLocation loc = e.getLocation();
      String reason = e.getOriginalMessage();
      if (reason.startsWith("Duplicate field ")) {
        reason = "duplicate key " + reason.substring("Duplicate field ".length())
            + ": each key may appear once in an object (readers disagree on which value wins)";
      } else if (reason.startsWith("Trailing token")) {
        reason = "more content after the JSON document";
      } else {
        reason = "not valid JSON: " + reason;
      }
      throw new InvalidJson(path, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr(), reason, e);
    }
    if (node == null || node.isMissingNode()) {
      throw new InvalidJson("", 0, 0, "empty: no JSON document", null);
    }
    return node;
  }

  /** {@code containerDefinitions[0].image} for a parser context. */
  static String path(JsonStreamContext context) {
    StringBuilder b = new StringBuilder();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        b.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        b.insert(0, (c.getParent() != null && !c.getParent().inRoot() ? "." : "") + c.getCurrentName());
      }
    }
    return b.toString();
  }

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** One line of JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render result as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The value as a JSON object tree (results are records or maps). */
  public static ObjectNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }
}
