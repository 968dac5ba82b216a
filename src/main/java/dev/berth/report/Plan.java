package dev.berth.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The changes of one step run, in the order they are (or would be) applied, and how a person reads them.
 *
 * <p>A step that changes something builds its plan first (what it observed, what is asked, the difference as
 * {@link Change}s), then applies exactly that list, or with {@code --dry-run} applies nothing. Its result then
 * carries {@code "changes"} (this list) and, in a dry run, {@code "dryRun": true}; the CLI prints a dry run's
 * plan with {@link #text} on stderr and puts it into the GitHub Actions step summary.
 *
 * <pre>{@code
 * Plan.Builder plan = Plan.builder();
 * plan.add(Change.updateIfChanged("ecs:service", "gantt/web",
 *     List.of(Change.Field.of("desiredCount", 2, 3))));         // null (nothing differs) is ignored
 * plan.add(Change.create("ecs:task-definition", "web (new revision)", Plan.diff(latestJson, wantedJson)));
 * Plan p = plan.build();
 * if (!dryRun) { ...apply... }
 * return new Result(..., dryRun ? Boolean.TRUE : null, p.changes());
 * }</pre>
 */
public final class Plan {
  private final List<Change> changes;

  private Plan(List<Change> changes) {
    this.changes = List.copyOf(changes);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static Plan of(List<Change> changes) {
    return new Plan(changes);
  }

  /** The changes in the order they are applied. */
  public List<Change> changes() {
    return changes;
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** Collects changes; a null change (from {@link Change#updateIfChanged}) is skipped. */
  public static final class Builder {
    private final List<Change> changes = new ArrayList<>();

    public Builder add(Change change) {
      if (change != null) {
        changes.add(change);
      }
      return this;
    }

    public Builder addAll(List<Change> more) {
      more.forEach(this::add);
      return this;
    }

    public boolean isEmpty() {
      return changes.isEmpty();
    }

    public Plan build() {
      return new Plan(changes);
    }
  }

  // ------------------------------------------------------------------------------------------------ diff

  /**
   * The fields that differ between two JSON documents, as paths with their values before and after. Objects are
   * compared key by key; lists of objects that all have a {@code name} (containers, volumes, environment) are
   * matched by name ({@code containerDefinitions[web].image}), other lists by position when their lengths agree,
   * else as a whole. A null or missing document is an empty one (everything is set, or removed).
   */
  public static List<Change.Field> diff(JsonNode before, JsonNode after) {
    List<Change.Field> out = new ArrayList<>();
    diff(before, after, "", out);
    return out;
  }

  private static void diff(JsonNode a, JsonNode b, String path, List<Change.Field> out) {
    a = a == null || a.isMissingNode() ? null : a;
    b = b == null || b.isMissingNode() ? null : b;
    if (a == null && b == null) {
      return;
    }
    if (path.isEmpty() || a != null && b != null && a.isObject() && b.isObject()) {
      if ((a == null || a.isObject()) && (b == null || b.isObject())) {
        Set<String> names = new LinkedHashSet<>();
        if (a != null) {
          a.fieldNames().forEachRemaining(names::add);
        }
        if (b != null) {
          b.fieldNames().forEachRemaining(names::add);
        }
        for (String n : names) {
          diff(a == null ? null : a.get(n), b == null ? null : b.get(n), path.isEmpty() ? n : path + "." + n, out);
        }
        return;
      }
    }
    if (a != null && b != null && a.isArray() && b.isArray()) {
      if (named(a) && named(b)) {
        Set<String> names = new LinkedHashSet<>();
        a.forEach(e -> names.add(e.get("name").asText()));
        b.forEach(e -> names.add(e.get("name").asText()));
        for (String n : names) {
          diff(byName(a, n), byName(b, n), path + "[" + n + "]", out);
        }
        return;
      }
      if (a.size() == b.size()) {
        for (int i = 0; i < a.size(); i++) {
          diff(a.get(i), b.get(i), path + "[" + i + "]", out);
        }
        return;
      }
    }
    if (a == null || !a.equals(b)) {
      out.add(new Change.Field(path, a, b));
    }
  }

  /** True for a list of objects each with a distinct text {@code name}. */
  private static boolean named(JsonNode array) {
    if (array.isEmpty()) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    for (JsonNode e : array) {
      if (!e.isObject() || !e.path("name").isTextual() || !seen.add(e.get("name").asText())) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode byName(JsonNode array, String name) {
    for (JsonNode e : array) {
      if (name.equals(e.get("name").asText())) {
        return e;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------------ text

  /** Longest value shown inline; longer ones are cut with "...". */
  static final int MAX_VALUE = 200;

  /**
   * The plan as a person reads it, one line each:
   * <pre>
   * plan (dry run, nothing was changed): 2 changes
   *   + create ecr:repository opensourceapirepo
   *       imageTagMutability: IMMUTABLE
   *   ~ update ecs:service gantt/gantt-exporter
   *       desiredCount: 2 -> 3
   *   - delete ecs:task-definition gantt-exporter-ecs-task:3
   * </pre>
   * With no changes: {@code plan (dry run, nothing was changed): no changes}.
   */
  public static List<String> text(List<Change> changes, boolean dryRun) {
    List<String> lines = new ArrayList<>();
    String head = dryRun ? "plan (dry run, nothing was changed): " : "changes: ";
    lines.add(head + (changes.isEmpty() ? "no changes" : changes.size() + (changes.size() == 1 ? " change" : " changes")));
    for (Change c : changes) {
      lines.add("  " + symbol(c.action()) + " " + c.action().json() + " " + c.resource() + " " + c.name());
      for (Change.Field f : c.fields()) {
        lines.add("      " + field(c.action(), f));
      }
    }
    return lines;
  }

  static String symbol(Change.Action a) {
    return switch (a) {
      case CREATE -> "+";
      case UPDATE -> "~";
      case DELETE -> "-";
    };
  }

  /** {@code field: value} for a create, {@code field: old -> new} for an update, {@code (unset)} for none. */
  static String field(Change.Action action, Change.Field f) {
    if (action == Change.Action.CREATE && f.before().isNull()) {
      return f.field() + ": " + value(f.after());
    }
    return f.field() + ": " + value(f.before()) + " -> " + value(f.after());
  }

  /** A value on one line: text as it is, other JSON as JSON, null as {@code (unset)}. */
  public static String value(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "(unset)";
    }
    String s = v.isTextual() ? v.asText() : Json.write(v);
    s = s.replace("\r", "").replace("\n", "\\n");
    return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE - 3) + "..." : s;
  }

  /**
   * The changes of a result's {@code changes} array (as the CLI reads them back from the result JSON), read field
   * by field: a generic conversion would build Jackson's deserializers for the records, a tenth of a short
   * step's start-up.
   */
  public static List<Change> fromJson(JsonNode changes) {
    List<Change> out = new ArrayList<>();
    if (changes instanceof ArrayNode a) {
      for (JsonNode c : a) {
        List<Change.Field> fields = new ArrayList<>();
        for (JsonNode f : c.path("fields")) {
          fields.add(new Change.Field(f.path("field").asText(), f.get("before"), f.get("after")));
        }
        out.add(new Change(text(c, "resource"), text(c, "name"), Change.Action.of(text(c, "action")), fields));
      }
    }
    return out;
  }

  private static String text(JsonNode change, String name) {
    JsonNode v = change.get(name);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("a change without its " + name + ": " + change);
    }
    return v.asText();
  }
}
