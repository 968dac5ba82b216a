package dev.berth.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.traits.TimestampFormatTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.DateUtils;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * The AWS JSON protocol (awsJson1_1: ECS, Application Auto Scaling) for the SDK's model objects, as the SDK's own
 * marshaller and unmarshaller do it, driven by the same {@link SdkField}s: members by their wire names, unset
 * members and untouched auto-constructed lists and maps left out, the defaults a model declares filled in,
 * timestamps as epoch seconds with milliseconds, blobs in base64; unknown members of an answer ignored; documents
 * (CreateService's hookDetails) as the JSON they hold. LightJsonClientIT holds it to the SDK's own results and
 * request bodies.
 */
final class JsonWire {
  private static final JsonFactory FACTORY = new JsonFactory();
  /** Floats as exact decimals, so that a timestamp's digits are read as sent. */
  private static final ObjectReader READER = dev.berth.report.Json.mapper().reader()
      .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .with(JsonNodeFactory.withExactBigDecimals(true));

  private JsonWire() {}

  /** A member the light client does not carry (headers, URI labels): LightClientsInSyncTest keeps them out. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  // ------------------------------------------------------------------ request -> JSON

  static byte[] marshal(SdkPojo request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writeObject(g, request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeObject(JsonGenerator g, SdkPojo pojo) throws IOException {
    g.writeStartObject();
    for (SdkField<?> f : pojo.sdkFields()) {
      if (f.location() != MarshallLocation.PAYLOAD) {
        throw new Unsupported(f.memberName() + " goes in the " + f.location());
      }
      Object v = f.getValueOrDefault(pojo);
      if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) {
        continue;
      }
      g.writeFieldName(f.locationName());
      writeValue(g, v, f);
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, Object v, SdkField<?> f) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Integer i) {
      g.writeNumber(i);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Float d) {
      g.writeNumber(d);
    } else if (v instanceof Short s) {
      g.writeNumber(s);
    } else if (v instanceof Byte b) {
      g.writeNumber(b);
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(d.toString());
    } else if (v instanceof Instant i) {
      TimestampFormatTrait.Format format = format(f);
      if (format == TimestampFormatTrait.Format.ISO_8601) {
        g.writeString(DateUtils.formatIso8601Date(i));
      } else if (format == TimestampFormatTrait.Format.RFC_822) {
        g.writeString(DateUtils.formatRfc822Date(i));
      } else {
        g.writeNumber(DateUtils.formatUnixTimestampInstant(i));
      }
    } else if (v instanceof SdkBytes b) {
      g.writeString(Base64.getEncoder().encodeToString(b.asByteArrayUnsafe()));
    } else if (v instanceof List<?> list) {
      SdkField<?> member = f.getTrait(ListTrait.class).memberFieldInfo();
      g.writeStartArray();
      for (Object m : list) {
        writeValue(g, m, member);
      }
      g.writeEndArray();
    } else if (v instanceof Map<?, ?> map) {
      SdkField<?> value = f.getTrait(MapTrait.class).valueFieldInfo();
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue(), value);
      }
      g.writeEndObject();
    } else if (v instanceof SdkPojo p) {
      writeObject(g, p);
    } else if (v instanceof Document d) {
      writeDocument(g, d);
    } else {
      throw new Unsupported(f.memberName() + " is a " + v.getClass().getSimpleName());
    }
  }

  /** A document member (CreateService's hookDetails) as the JSON it holds. */
  private static void writeDocument(JsonGenerator g, Document d) throws IOException {
    if (d == null || d.isNull()) {
      g.writeNull();
    } else if (d.isString()) {
      g.writeString(d.asString());
    } else if (d.isBoolean()) {
      g.writeBoolean(d.asBoolean());
    } else if (d.isNumber()) {
      g.writeNumber(d.asNumber().stringValue());
    } else if (d.isList()) {
      g.writeStartArray();
      for (Document m : d.asList()) {
        writeDocument(g, m);
      }
      g.writeEndArray();
    } else {
      g.writeStartObject();
      for (Map.Entry<String, Document> e : d.asMap().entrySet()) {
        g.writeFieldName(e.getKey());
        writeDocument(g, e.getValue());
      }
      g.writeEndObject();
    }
  }

  private static Document document(JsonNode v) {
    if (v == null || v.isNull()) {
      return Document.fromNull();
    }
    if (v.isTextual()) {
      return Document.fromString(v.asText());
    }
    if (v.isBoolean()) {
      return Document.fromBoolean(v.booleanValue());
    }
    if (v.isNumber()) {
      return Document.fromNumber(SdkNumber.fromString(v.isBigDecimal() ? v.decimalValue().toString() : v.asText()));
    }
    if (v.isArray()) {
      List<Document> list = new ArrayList<>(v.size());
      for (JsonNode m : v) {
        list.add(document(m));
      }
      return Document.fromList(list);
    }
    Map<String, Document> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      map.put(e.getKey(), document(e.getValue()));
    }
    return Document.fromMap(map);
  }

  private static TimestampFormatTrait.Format format(SdkField<?> f) {
    TimestampFormatTrait t = f.getTrait(TimestampFormatTrait.class);
    return t == null ? TimestampFormatTrait.Format.UNIX_TIMESTAMP : t.format();
  }

  // ------------------------------------------------------------------ JSON -> response

  /** An answer's body as a tree; an empty body is an empty object. */
  static JsonNode parse(byte[] body) throws IOException {
    if (body.length == 0) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode n = READER.readTree(body);
    return n == null ? JsonNodeFactory.instance.objectNode() : n;
  }

  /** Sets the members of BUILDER (an SDK model builder) from a JSON object. */
  static void populate(SdkPojo builder, JsonNode json) {
    if (json == null || !json.isObject()) {
      return;
    }
    for (SdkField<?> f : builder.sdkFields()) {
      if (f.location() != MarshallLocation.PAYLOAD) {
        continue;
      }
      JsonNode v = json.get(f.locationName());
      if (v == null || v.isNull()) {
        continue;
      }
      f.set(builder, read(v, f));
    }
  }

  private static Object read(JsonNode v, SdkField<?> f) {
    if (v == null || v.isNull()) {
      return null;
    }
    MarshallingType<?> t = f.marshallingType();
    if (t == MarshallingType.STRING) {
      return v.asText();
    }
    if (t == MarshallingType.INTEGER) {
      return v.isNumber() ? v.intValue() : Integer.valueOf(v.asText());
    }
    if (t == MarshallingType.LONG) {
      return v.isNumber() ? v.longValue() : Long.valueOf(v.asText());
    }
    if (t == MarshallingType.BOOLEAN) {
      return v.isBoolean() ? v.booleanValue() : Boolean.valueOf(v.asText());
    }
    if (t == MarshallingType.DOUBLE) {
      return v.isNumber() ? v.doubleValue() : Double.valueOf(v.asText());
    }
    if (t == MarshallingType.FLOAT) {
      return v.isNumber() ? v.floatValue() : Float.valueOf(v.asText());
    }
    if (t == MarshallingType.SHORT) {
      return v.isNumber() ? v.shortValue() : Short.valueOf(v.asText());
    }
    if (t == MarshallingType.BYTE) {
      return Byte.valueOf(v.asText());
    }
    if (t == MarshallingType.BIG_DECIMAL) {
      return v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText());
    }
    if (t == MarshallingType.INSTANT) {
      TimestampFormatTrait.Format format = format(f);
      if (format == TimestampFormatTrait.Format.ISO_8601 && v.isTextual()) {
        return DateUtils.parseIso8601Date(v.asText());
      }
      if (format == TimestampFormatTrait.Format.RFC_822 && v.isTextual()) {
        return DateUtils.parseRfc822Date(v.asText());
      }
      return DateUtils.parseUnixTimestampInstant(v.isNumber() ? v.decimalValue().toPlainString() : v.asText());
    }
    if (t == MarshallingType.SDK_BYTES) {
      return SdkBytes.fromByteArrayUnsafe(Base64.getDecoder().decode(v.asText()));
    }
    if (t == MarshallingType.LIST) {
      SdkField<?> member = f.getTrait(ListTrait.class).memberFieldInfo();
      List<Object> list = new ArrayList<>(v.size());
      for (JsonNode m : v) {
        list.add(read(m, member));
      }
      return list;
    }
    if (t == MarshallingType.MAP) {
      SdkField<?> value = f.getTrait(MapTrait.class).valueFieldInfo();
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), read(e.getValue(), value));
      }
      return map;
    }
    if (t == MarshallingType.SDK_POJO) {
      SdkPojo nested = f.constructor().get();
      populate(nested, v);
      return ((SdkBuilder<?, ?>) nested).build();
    }
    if (t == MarshallingType.DOCUMENT) {
      return document(v);
    }
    throw new Unsupported(f.memberName() + " is a " + t);
  }
}
