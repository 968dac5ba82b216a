package dev.berth.report;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One change a step makes, or would make with {@code --dry-run}: a resource, what happens to it, and the fields
 * that change with their values before and after. A step builds its list of changes from what it observed and
 * what is asked (observe, desired, diff), then applies that list or, in a dry run, only prints it; the result
 * carries it as {@code "changes"} (see {@link Plan}).
 *
 * <p>JSON shape (one entry of a result's {@code changes} array):
 * <pre>{@code {"resource": "ecs:service", "name": "gantt/gantt-exporter", "action": "update",
 *  "fields": [{"field": "desiredCount", "before": 2, "after": 3}]}}</pre>
 *
 * @param resource the kind of resource, as {@code service:type} in IAM's spelling ({@code ecs:service},
 *     {@code ecs:task-definition}, {@code ecr:repository}, {@code application-autoscaling:scalable-target}, ...)
 * @param name the resource's name as a person knows it ({@code gantt/gantt-exporter}, {@code family:3})
 * @param action create, update or delete
 * @param fields the fields that change (for a create: the ones set; for a delete: usually none)
 */
public record Change(String resource, String name, Action action, List<Field> fields) {
  public Change {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    fields = fields == null ? List.of() : List.copyOf(fields);
  }

  /** What happens to the resource. Written in JSON in lower case. */
  public enum Action {
    CREATE, UPDATE, DELETE;

    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Action of(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * One field of a change. {@code before} is JSON null for a field being set on a new resource (or one that was
   * not set), {@code after} is JSON null for a field being removed.
   *
   * @param field the field's name or JSON path ({@code desiredCount},
   *     {@code containerDefinitions[web].image})
   */
  public record Field(String field, JsonNode before, JsonNode after) {
    public Field {
      Objects.requireNonNull(field, "field");
      before = before == null ? NullNode.instance : before;
      after = after == null ? NullNode.instance : after;
    }

    /** A field from plain values (strings, numbers, booleans, lists, maps, records; null for none). */
    public static Field of(String field, Object before, Object after) {
      return new Field(field, node(before), node(after));
    }

    /** A field set on a new resource. */
    public static Field set(String field, Object value) {
      return of(field, null, value);
    }

    private static JsonNode node(Object value) {
      if (value == null) {
        return NullNode.instance;
      }
      if (value instanceof JsonNode n) {
        return n;
      }
      // the plain values most fields hold, as Jackson's valueToTree makes them, without its serializer lookup
      if (value instanceof String s) {
        return TextNode.valueOf(s);
      }
      if (value instanceof Integer i) {
        return IntNode.valueOf(i);
      }
      if (value instanceof Long l) {
        return LongNode.valueOf(l);
      }
      if (value instanceof Boolean b) {
        return BooleanNode.valueOf(b);
      }
      return Json.mapper().valueToTree(value);
    }
  }

  /** A resource that would be created, with the fields it is created with. */
  public static Change create(String resource, String name, List<Field> fields) {
    return new Change(resource, name, Action.CREATE, fields);
  }

  /** A resource whose fields change. */
  public static Change update(String resource, String name, List<Field> fields) {
    return new Change(resource, name, Action.UPDATE, fields);
  }

  /** A resource that would be deleted (deregistered, removed). */
  public static Change delete(String resource, String name) {
    return new Change(resource, name, Action.DELETE, List.of());
  }

  /**
   * An update with one field per value that differs between the two objects; null when nothing differs (so
   * {@code Plan.Builder#add} can take it as it is). Values compare as JSON.
   */
  public static Change updateIfChanged(String resource, String name, List<Field> candidates) {
    List<Field> changed = new ArrayList<>();
    for (Field f : candidates) {
      if (!f.before().equals(f.after())) {
        changed.add(f);
      }
    }
    return changed.isEmpty() ? null : update(resource, name, changed);
  }
}
