package dev.berth.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.report.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Task-definition JSON against the ECS model of the AWS SDK: the field names and types of
 * RegisterTaskDefinitionRequest (and every nested shape) come from the SDK's {@link SdkField}s, so the set of
 * known fields follows the SDK version instead of a hand-written list. Converts JSON to SDK objects and back.
 */
final class SdkJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The fields RegisterTaskDefinition takes, by JSON name. */
  static final Map<String, SdkField<?>> REQUEST_FIELDS = byName(RegisterTaskDefinitionRequest.builder().sdkFields());

  /** Fields describe-task-definition returns that register-task-definition does not take. */
  static final Set<String> READ_ONLY_FIELDS;

  static {
    Set<String> ro = new LinkedHashSet<>();
    for (SdkField<?> f : TaskDefinition.builder().sdkFields()) {
      if (!REQUEST_FIELDS.containsKey(f.locationName())) {
        ro.add(f.locationName());
      }
    }
    READ_ONLY_FIELDS = Set.copyOf(ro);
  }

  private SdkJson() {}

  static Map<String, SdkField<?>> byName(List<SdkField<?>> fields) {
    Map<String, SdkField<?>> m = new LinkedHashMap<>();
    for (SdkField<?> f : fields) {
      m.put(f.locationName(), f);
    }
    return m;
  }

  /** The fields of a structure-valued field. */
  static Map<String, SdkField<?>> nestedFields(SdkField<?> f) {
    return byName(f.constructor().get().sdkFields());
  }

  static SdkField<?> listMember(SdkField<?> f) {
    return f.getTrait(ListTrait.class).memberFieldInfo();
  }

  static SdkField<?> mapValue(SdkField<?> f) {
    return f.getTrait(MapTrait.class).valueFieldInfo();
  }

  // ---------------------------------------------------------------- checking (parse)

  /**
   * Checks an object against the fields, returning a copy holding only known fields with values of the right
   * type (numbers given as strings and the like are converted). Every unknown field and wrong type is added
   * to {@code out} with its JSON path.
   */
  static ObjectNode check(ObjectNode in, Map<String, SdkField<?>> fields, String path, List<Violation> out) {
    ObjectNode copy = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = join(path, e.getKey());
      SdkField<?> f = fields.get(e.getKey());
      if (f == null) {
        out.add(Violation.error(p, unknownMessage(e.getKey(), fields.keySet())));
        continue;
      }
      if (e.getValue() == null || e.getValue().isNull()) {
        continue;
      }
      JsonNode v = checkValue(e.getValue(), f, p, out);
      if (v != null) {
        copy.set(e.getKey(), v);
      }
    }
    return copy;
  }

  static String unknownMessage(String name, Collection<String> known) {
    String guess = Suggest.closest(name, known);
    return "unknown field" + (guess == null ? "" : ", did you mean " + guess + "?");
  }

  private static JsonNode checkValue(JsonNode v, SdkField<?> f, String path, List<Violation> out) {
    MarshallingType<?> t = f.marshallingType();
    if (t == MarshallingType.STRING) {
      if (v.isTextual()) {
        return v;
      }
      if (v.isNumber() || v.isBoolean()) {
        return NODES.textNode(v.asText());
      }
      out.add(Violation.error(path, "expected a string, found " + kind(v)));
      return null;
    }
    if (t == MarshallingType.INTEGER || t == MarshallingType.LONG) {
      if (v.isIntegralNumber()) {
        return v;
      }
      if (v.isTextual() && v.asText().trim().matches("-?\\d{1,18}")) {
        return NODES.numberNode(Long.parseLong(v.asText().trim()));
      }
      out.add(Violation.error(path, "expected a whole number, found " + kind(v)));
      return null;
    }
    if (t == MarshallingType.DOUBLE || t == MarshallingType.FLOAT || t == MarshallingType.BIG_DECIMAL) {
      if (v.isNumber()) {
        return v;
      }
      out.add(Violation.error(path, "expected a number, found " + kind(v)));
      return null;
    }
    if (t == MarshallingType.BOOLEAN) {
      if (v.isBoolean()) {
        return v;
      }
      if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
        return NODES.booleanNode(Boolean.parseBoolean(v.asText().toLowerCase(Locale.ROOT)));
      }
      out.add(Violation.error(path, "expected true or false, found " + kind(v)));
      return null;
    }
    if (t == MarshallingType.LIST) {
      if (!v.isArray()) {
        out.add(Violation.error(path, "expected a list, found " + kind(v)));
        return null;
      }
      SdkField<?> member = listMember(f);
      ArrayNode a = NODES.arrayNode();
      for (int i = 0; i < v.size(); i++) {
        if (v.get(i).isNull()) {
          continue;
        }
        JsonNode m = checkValue(v.get(i), member, path + "[" + i + "]", out);
        if (m != null) {
          a.add(m);
        }
      }
      return a;
    }
    if (t == MarshallingType.MAP) {
      if (!v.isObject()) {
        out.add(Violation.error(path, "expected an object of names to values, found " + kind(v)));
        return null;
      }
      SdkField<?> value = mapValue(f);
      ObjectNode o = NODES.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          continue;
        }
        JsonNode m = checkValue(e.getValue(), value, join(path, e.getKey()), out);
        if (m != null) {
          o.set(e.getKey(), m);
        }
      }
      return o;
    }
    if (t == MarshallingType.SDK_POJO) {
      if (!v.isObject()) {
        out.add(Violation.error(path, "expected an object, found " + kind(v)));
        return null;
      }
      return check((ObjectNode) v, nestedFields(f), path, out);
    }
    // timestamps and other types appear only in read-only fields
    return v;
  }

  private static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "a string";
    }
    if (v.isNumber()) {
      return "a number";
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "an object";
    }
    return v.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  static String join(String path, String name) {
    return path == null || path.isEmpty() ? name : path + "." + name;
  }

  // ---------------------------------------------------------------- JSON -> SDK

  /** The register request for a checked definition (see {@link #check}). */
  static RegisterTaskDefinitionRequest toRequest(ObjectNode definition) {
    RegisterTaskDefinitionRequest.Builder b = RegisterTaskDefinitionRequest.builder();
    populate(b, REQUEST_FIELDS, definition);
    return b.build();
  }

  private static void populate(Object builder, Map<String, SdkField<?>> fields, ObjectNode json) {
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      SdkField<?> f = fields.get(e.getKey());
      if (f == null || e.getValue().isNull()) {
        continue;
      }
      Object value = toSdk(e.getValue(), f);
      if (value != null) {
        f.set(builder, value);
      }
    }
  }

  private static Object toSdk(JsonNode v, SdkField<?> f) {
    MarshallingType<?> t = f.marshallingType();
    if (t == MarshallingType.STRING) {
      return v.asText();
    }
    if (t == MarshallingType.INTEGER) {
      return v.asInt();
    }
    if (t == MarshallingType.LONG) {
      return v.asLong();
    }
    if (t == MarshallingType.DOUBLE) {
      return v.asDouble();
    }
    if (t == MarshallingType.FLOAT) {
      return (float) v.asDouble();
    }
    if (t == MarshallingType.BIG_DECIMAL) {
      return v.decimalValue();
    }
    if (t == MarshallingType.BOOLEAN) {
      return v.asBoolean();
    }
    if (t == MarshallingType.LIST) {
      SdkField<?> member = listMember(f);
      List<Object> list = new ArrayList<>();
      for (JsonNode m : v) {
        list.add(toSdk(m, member));
      }
      return list;
    }
    if (t == MarshallingType.MAP) {
      SdkField<?> value = mapValue(f);
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), toSdk(e.getValue(), value));
      }
      return map;
    }
    if (t == MarshallingType.SDK_POJO) {
      SdkPojo nested = f.constructor().get();
      populate(nested, byName(nested.sdkFields()), (ObjectNode) v);
      return ((SdkBuilder<?, ?>) nested).build();
    }
    return null;
  }

  // ---------------------------------------------------------------- SDK -> JSON

  /** Any SDK model object as JSON with the API's member names; unset members are left out. */
  static ObjectNode fromSdk(SdkPojo pojo) {
    ObjectNode o = NODES.objectNode();
    for (SdkField<?> f : pojo.sdkFields()) {
      JsonNode v = valueFromSdk(f.getValueOrDefault(pojo), f);
      if (v != null) {
        o.set(f.locationName(), v);
      }
    }
    return o;
  }

  private static JsonNode valueFromSdk(Object v, SdkField<?> f) {
    if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) {
      return null;
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    if (v instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (v instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Float d) {
      return NODES.numberNode(d);
    }
    if (v instanceof java.math.BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Instant i) {
      return NODES.numberNode(i.toEpochMilli() / 1000.0);
    }
    if (v instanceof List<?> list) {
      SdkField<?> member = listMember(f);
      ArrayNode a = NODES.arrayNode();
      for (Object m : list) {
        JsonNode n = valueFromSdk(m, member);
        if (n != null) {
          a.add(n);
        }
      }
      return a;
    }
    if (v instanceof Map<?, ?> map) {
      SdkField<?> value = mapValue(f);
      ObjectNode o = NODES.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        JsonNode n = valueFromSdk(e.getValue(), value);
        if (n != null) {
          o.set(String.valueOf(e.getKey()), n);
        }
      }
      return o;
    }
    if (v instanceof SdkPojo p) {
      return fromSdk(p);
    }
    return NODES.textNode(String.valueOf(v));
  }
}
