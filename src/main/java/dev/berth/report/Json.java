package dev.berth.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one JSON mapper of berth: results are rendered with it, nulls are left out. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /**
   * For documents from outside (registries, archives, Docker config, AWS answers): a duplicate key, nesting
   * deeper than 200, a string longer than 4 MiB or trailing content is an error, not a silent guess.
   */
  private static final ObjectMapper UNTRUSTED = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200)
              .maxStringLength(4 << 20).maxNumberLength(100).build())
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /** Parses a document from outside with the limits above; throws IOException with Jackson's reason. */
  public static JsonNode parseUntrusted(byte[] bytes) throws java.io.IOException {
    return UNTRUSTED.readTree(bytes);
  }

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
