package dev.berth.jenkins;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The Groovy keys of the Jenkins vars, read from the picocli model of the CLI: one vocabulary, three spellings
 * (--health-check-grace-period, healthCheckGracePeriod, health-check-grace-period).
 */
public final class StepKeys {
  private StepKeys() {}

  /** Options that the var sets itself or that make no sense in a pipeline. */
  static final List<String> NOT_KEYS = List.of("--result-file", "--help", "--version");

  /** How a key's Groovy value becomes arguments. */
  public enum Kind {
    /** a scalar (String, GString, Number): --opt VALUE */
    STRING,
    /** a whole number (Number or digits): --opt N */
    INT,
    /** a value out of a fixed set, case-insensitive: --opt VALUE */
    CHOICE,
    /** true: --opt; false: nothing */
    BOOLEAN,
    /** true: --opt; false: --no-opt */
    NEGATABLE,
    /** true: --opt once; a number N: --opt N times */
    COUNT,
    /** a List (or one scalar): --opt A --opt B */
    LIST,
    /** a List (or one String): --opt A,B */
    CSV,
    /** a Map (or a List of 'K=V' strings): --opt K=V --opt K2=V2 */
    MAP
  }

  /** One key of one step. */
  public record Key(String name, String option, Kind kind, boolean required, boolean common, String negated,
      String split, List<String> choices, String paramLabel, String description) {}

  /** A step: var name, CLI command, description, keys in the CLI's order (step options first, then common). */
  public record Step(String var, String command, String description, List<Key> keys) {
    public Key key(String name) {
      return keys.stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
    }
  }

  /** --health-check-grace-period -> healthCheckGracePeriod; ecr-push -> ecrPush. */
  public static String camel(String kebab) {
    String s = kebab.replaceFirst("^-+", "");
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : s.toCharArray()) {
      if (c == '-') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }

  /** Every step of the CLI, in Main's order. */
  public static List<Step> steps() {
    CommandLine root = dev.berth.cli.Main.commandLine();
    List<Step> steps = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
      if (!e.getKey().equals(e.getValue().getCommandName())) {
        continue; // an alias
      }
      steps.add(step(e.getValue()));
    }
    return steps;
  }

  static Step step(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    List<OptionSpec> commonOptions = new ArrayList<>();
    for (CommandSpec mixin : spec.mixins().values()) {
      commonOptions.addAll(mixin.options());
    }
    List<Key> own = new ArrayList<>();
    List<Key> common = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (o.hidden() || NOT_KEYS.contains(o.longestName()) || !o.longestName().startsWith("--")) {
        continue;
      }
      boolean isCommon = commonOptions.stream().anyMatch(c -> c.longestName().equals(o.longestName()));
      (isCommon ? common : own).add(key(cl, o, isCommon));
    }
    List<Key> all = new ArrayList<>(own);
    all.addAll(common);
    String description = String.join(" ", spec.usageMessage().description());
    return new Step(camel(spec.name()), spec.name(), description, all);
  }

  static Key key(CommandLine cl, OptionSpec o, boolean common) {
    String option = o.longestName();
    Class<?> type = o.type();
    Kind kind;
    String negated = null;
    String split = null;
    List<String> choices = List.of();
    boolean bool = type == boolean.class || type == Boolean.class
        || (type.isArray() && (type.getComponentType() == boolean.class || type.getComponentType() == Boolean.class));
    if (bool && o.isMultiValue()) {
      kind = Kind.COUNT;
    } else if (bool && o.negatable()) {
      kind = Kind.NEGATABLE;
      negated = cl.getNegatableOptionTransformer().makeNegative(option, cl.getCommandSpec());
    } else if (bool) {
      kind = Kind.BOOLEAN;
    } else if (o.typeInfo().isMap()) {
      kind = Kind.MAP;
    } else if (o.isMultiValue() && o.splitRegex() != null && !o.splitRegex().isEmpty()) {
      kind = Kind.CSV;
      split = o.splitRegexSynopsisLabel() != null && !o.splitRegexSynopsisLabel().isEmpty()
          ? o.splitRegexSynopsisLabel() : o.splitRegex().replace("\\", "");
    } else if (o.isMultiValue() && o.paramLabel().contains("=")) {
      kind = Kind.MAP;
    } else if (o.isMultiValue()) {
      kind = Kind.LIST;
    } else if (type.isEnum()) {
      kind = Kind.CHOICE;
      List<String> c = new ArrayList<>();
      for (Object v : type.getEnumConstants()) {
        c.add(((Enum<?>) v).name());
      }
      choices = List.copyOf(c);
    } else if (type == int.class || type == Integer.class || type == long.class || type == Long.class
        || type == short.class || type == Short.class) {
      kind = Kind.INT;
    } else {
      kind = Kind.STRING;
    }
    String description = String.join(" ", o.description()).strip();
    return new Key(camel(option), option, kind, o.required(), common, negated, split, choices, o.paramLabel(),
        description);
  }

  /** What a key takes, for the help pages. */
  static String typeText(Key k) {
    return switch (k.kind()) {
      case STRING -> "String";
      case INT -> "int";
      case CHOICE -> "String, one of " + String.join(", ", k.choices());
      case BOOLEAN -> "boolean";
      case NEGATABLE -> "boolean";
      case COUNT -> "boolean or int";
      case LIST -> "List of String, or one String";
      case CSV -> "List of String, or one comma-separated String";
      case MAP -> "Map, or a List of 'K=V' Strings";
    };
  }

  /** Keys the launcher var adds to every step (not CLI options). */
  static Map<String, String> libraryKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("credentialsId", "String: id of an AWS Credentials entry (access key, secret key, optional IAM role) "
        + "bound as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for this step only (default: none, the agent's "
        + "own credentials and role).");
    m.put("credentialsFileId", "String: id of a Secret file credential holding an AWS shared credentials file, "
        + "bound as AWS_SHARED_CREDENTIALS_FILE; pick the section with profile: (default: none).");
    m.put("configFileId", "String: id of a Secret file credential holding an AWS config file, bound as "
        + "AWS_CONFIG_FILE; pick the section with profile: (default: none).");
    m.put("berthJar", "String: path of the berth jar on the agent (default: BERTH_JAR, else the release this "
        + "library version names, downloaded once into the agent's cache and verified by its SHA-256).");
    return m;
  }

  /** The library keys of one step var: every step's, plus that step's own (ecrPush's source registry login). */
  static Map<String, String> libraryKeys(String var) {
    Map<String, String> m = libraryKeys();
    if (var.equals("ecrPush")) {
      m.put("sourceCredentialsId", "String: id of a Username with password credential for the --image registry, "
          + "bound as BERTH_SOURCE_USERNAME/BERTH_SOURCE_PASSWORD for this step only; the password never reaches "
          + "a command line (default: none; see sourceUsername).");
    }
    return m;
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
