package dev.berth.rollout;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Turns AWS API response JSON (the shapes of the service's API reference, as the AWS CLI prints them) into SDK
 * model objects, through each model's serializable builder. Unknown fields fail, so a typo in a recording
 * cannot pass silently. Timestamps are ISO-8601 strings or epoch seconds.
 */
public final class SdkJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new SimpleModule().addDeserializer(Instant.class, new JsonDeserializer<>() {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
          if (p.currentToken().isNumeric()) {
            return Instant.ofEpochMilli((long) (p.getDoubleValue() * 1000));
          }
          return Instant.parse(p.getText());
        }
      }));

  private SdkJson() {}

  /** The JSON tree of a classpath resource. */
  public static JsonNode resource(String path) {
    try (InputStream in = SdkJson.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code node} as an SDK model object of {@code type} (a request/response or a model shape). */
  @SuppressWarnings("unchecked")
  public static <T extends SdkPojo> T parse(JsonNode node, Class<T> type) {
    try {
      Class<?> builderClass = (Class<?>) type.getMethod("serializableBuilderClass").invoke(null);
      Object builder = MAPPER.treeToValue(node, builderClass);
      return (T) ((SdkBuilder<?, ?>) builder).build();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(type + " has no serializable builder", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + type.getSimpleName() + " from " + node, e);
    }
  }
}
