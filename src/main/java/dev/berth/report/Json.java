package dev.berth.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one JSON mapper of berth: results are rendered with it, nulls are left out. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

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
