package dev.berth.jenkins;

import groovy.lang.Closure;
import groovy.lang.GroovyObjectSupport;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A declarative section's delegate for the CPS mode: it only records the calls it knows (never calls a closure,
 * which CPS code must do itself); anything else falls through to the enclosing scope, like the Java-mode sections.
 */
public final class Collector extends GroovyObjectSupport implements Serializable {
  static final Map<String, Set<String>> KNOWN = Map.of(
      "pipeline", Set.of("agent", "options", "parameters", "environment", "stages", "post"),
      "options", Set.of("timeout", "timestamps", "disableConcurrentBuilds", "ansiColor", "buildDiscarder",
          "skipDefaultCheckout"),
      "parameters", Set.of("string", "text", "booleanParam", "choice"),
      "environment", Set.of(),
      "stages", Set.of("stage"),
      "stage", Set.of("steps", "when", "input", "environment", "post", "options", "agent"),
      "when", Set.of("expression", "beforeInput", "beforeAgent"),
      "input", Set.of("message", "ok", "submitter", "id"),
      "post", Set.of("always", "success", "failure", "unsuccessful", "cleanup"));

  private final String section;
  /** Each known call: [name, args]. */
  private final List<List<Object>> records = new ArrayList<>();
  private final Map<String, Object> assignments = new LinkedHashMap<>();

  public Collector(String section) {
    if (!KNOWN.containsKey(section)) {
      throw new IllegalArgumentException(section);
    }
    this.section = section;
  }

  @Override
  public Object invokeMethod(String name, Object args) {
    Object[] a = args instanceof Object[] o ? o : new Object[] {args};
    if (!accept(name, a)) {
      throw new MissingMethodException(name, Collector.class, a);
    }
    return null;
  }

  /** Records the call when this section knows it; false lets it fall through to the enclosing scope. */
  public boolean accept(String name, Object[] a) {
    boolean block = a.length > 0 && a[a.length - 1] instanceof Closure<?>;
    // in a stage, only blocks are sections (input(message: ...) inside steps is the input step)
    boolean stageAgent = section.equals("stage") && name.equals("agent") && a.length == 1;
    if (!KNOWN.get(section).contains(name) || (section.equals("stage") && !(block && a.length == 1) && !stageAgent)) {
      return false;
    }
    records.add(new ArrayList<>(List.of(name, new ArrayList<>(Arrays.asList(a)))));
    return true;
  }

  /** An assignment in environment {}; false when this is another section. */
  public boolean assign(String property, Object value) {
    if (!section.equals("environment")) {
      return false;
    }
    assignments.put(property, value == null ? null : value.toString());
    return true;
  }

  /** Whether the section has a call of NAME. */
  public boolean has(String name) {
    return records.stream().anyMatch(r -> r.get(0).equals(name));
  }

  /** The first argument of the last call of NAME (agent's 'any' / 'none' / block), or null. */
  public Object value(String name) {
    Object v = null;
    for (List<Object> r : records) {
      List<?> args = (List<?>) r.get(1);
      if (r.get(0).equals(name) && !args.isEmpty()) {
        v = args.get(0);
      }
    }
    return v;
  }

  @Override
  public Object getProperty(String property) {
    if ((section.equals("pipeline") || section.equals("stage")) && (property.equals("any") || property.equals("none"))) {
      return property;
    }
    throw new MissingPropertyException(property, Collector.class);
  }

  @Override
  public void setProperty(String property, Object value) {
    if (!section.equals("environment")) {
      throw new MissingPropertyException(property, Collector.class);
    }
    assignments.put(property, value == null ? null : value.toString());
  }

  @Override
  public String toString() {
    return section;
  }

  /** The recorded calls, in order: [name, [args...]]. */
  public List<List<Object>> records() {
    return records;
  }

  /** The last block (closure) given to each section name. */
  public Map<String, Closure<?>> blocks() {
    Map<String, Closure<?>> m = new LinkedHashMap<>();
    for (List<Object> r : records) {
      List<?> args = (List<?>) r.get(1);
      if (!args.isEmpty() && args.get(args.size() - 1) instanceof Closure<?> c) {
        m.put((String) r.get(0), c);
      }
    }
    return m;
  }

  /** Single-argument calls as name -> value (input's message/ok, when's beforeInput). */
  public Map<String, Object> values() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (List<Object> r : records) {
      List<?> args = (List<?>) r.get(1);
      if (args.size() == 1 && !(args.get(0) instanceof Closure<?>)) {
        m.put((String) r.get(0), args.get(0));
      }
    }
    return m;
  }

  /** when's expression blocks. */
  public List<Closure<?>> expressions() {
    List<Closure<?>> l = new ArrayList<>();
    for (List<Object> r : records) {
      if (r.get(0).equals("expression")) {
        l.add((Closure<?>) ((List<?>) r.get(1)).get(0));
      }
    }
    return l;
  }

  /** environment's assignments as withEnv's 'K=V' list. */
  public List<String> envList() {
    List<String> l = new ArrayList<>();
    assignments.forEach((k, v) -> l.add(k + "=" + v));
    return l;
  }
}
