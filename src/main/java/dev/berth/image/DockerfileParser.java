package dev.berth.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.report.ImageReference;
import dev.berth.report.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and evaluates the Dockerfile subset berth builds without a daemon: FROM (one stage; a registry image or
 * scratch; ARG before FROM), COPY, ADD of local files and folders, ENV, ARG, LABEL, EXPOSE, WORKDIR, USER, VOLUME,
 * ENTRYPOINT, CMD; line continuations, comments, parser directives (escape), variable substitution. Every other
 * instruction is refused with its line and the alternatives. All problems are collected, none is thrown here.
 */
public final class DockerfileParser {
  static final String ALTERNATIVES = "build those steps in CI before berth (and COPY their output), or build the"
      + " image elsewhere and give it to berth with --tar, --docker-daemon or --image";

  private static final Set<String> SUPPORTED = Set.of(
      "FROM", "COPY", "ADD", "ENV", "ARG", "LABEL", "EXPOSE", "WORKDIR", "USER", "VOLUME", "ENTRYPOINT", "CMD");
  private static final Map<String, String> REFUSED = Map.of(
      "RUN", "RUN needs a container runtime, which berth does not use",
      "HEALTHCHECK", "HEALTHCHECK is not supported (on ECS, set healthCheck in the task definition's container)",
      "SHELL", "SHELL is not supported (write ENTRYPOINT/CMD in exec form instead)",
      "ONBUILD", "ONBUILD is not supported",
      "STOPSIGNAL", "STOPSIGNAL is not supported (on ECS, set stopTimeout in the task definition)",
      "MAINTAINER", "MAINTAINER is not supported (use LABEL maintainer=\"...\")");
  private static final Pattern HEREDOC = Pattern.compile("<<(-?)\\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\\2");
  /** The names ARG accepts (and so {@code --build-arg}). */
  public static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern NUMERIC_ID = Pattern.compile("[0-9]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One logical instruction: its first line, keyword (upper case) and the rest (continuations joined). */
  record Instruction(int line, String keyword, String args, boolean heredoc) {}

  /** The parser's answer: the plan (null when the Dockerfile could not be evaluated at all) and every problem. */
  public record Result(BuildPlan plan, List<Violation> violations) {
    public boolean ok() {
      return violations.stream().noneMatch(v -> !v.warning());
    }
  }

  private final String fileName;
  private final Map<String, String> buildArgs;
  private final Function<String, Map<String, String>> baseEnv;
  private String baseRef;
  private Map<String, String> baseEnvValue;
  private final List<Violation> violations = new ArrayList<>();
  private final Set<String> consumedArgs = new LinkedHashSet<>();
  private char escape = '\\';

  private DockerfileParser(
      String fileName, Map<String, String> buildArgs, Function<String, Map<String, String>> baseEnv) {
    this.fileName = fileName;
    this.buildArgs = buildArgs;
    this.baseEnv = baseEnv;
  }

  /**
   * Parses and evaluates a Dockerfile.
   *
   * @param text the Dockerfile
   * @param fileName the name used in each problem's location ("Dockerfile" gives "Dockerfile:7")
   * @param buildArgs --build-arg values
   * @param baseEnv base image reference -> its environment; asked (at most once) only when a substitution names a
   *     variable that neither an ARG nor an ENV of the Dockerfile sets; may return an empty map
   */
  public static Result parse(
      String text, String fileName, Map<String, String> buildArgs, Function<String, Map<String, String>> baseEnv) {
    DockerfileParser p = new DockerfileParser(fileName, buildArgs, baseEnv);
    BuildPlan plan = p.evaluate(p.split(text));
    return new Result(plan, List.copyOf(p.violations));
  }

  private void error(int line, String message) {
    violations.add(Violation.error(fileName + ":" + line, message));
  }

  // ---------------------------------------------------------------------------------------------- lexing

  List<Instruction> split(String text) {
    String[] lines = text.split("\r?\n", -1);
    List<Instruction> out = new ArrayList<>();
    int i = 0;
    // parser directives: "# key=value" lines at the very top
    Pattern directive = Pattern.compile("^#\\s*([A-Za-z]+)\\s*=\\s*(.*?)\\s*$");
    Set<String> seenDirectives = new java.util.HashSet<>();
    while (i < lines.length) {
      Matcher m = directive.matcher(lines[i]);
      if (!m.matches()) {
        break;
      }
      String key = m.group(1).toLowerCase(Locale.ROOT);
      if (!seenDirectives.add(key)) {
        break;
      }
      if (key.equals("escape")) {
        String v = m.group(2);
        if (v.equals("`")) {
          escape = '`';
        } else if (!v.equals("\\")) {
          error(i + 1, "invalid escape directive '" + v + "': only \\ and ` are allowed");
        }
      }
      i++;
    }
    while (i < lines.length) {
      String raw = lines[i];
      String trimmed = raw.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        i++;
        continue;
      }
      int start = i + 1;
      StringBuilder logical = new StringBuilder();
      String cur = raw;
      while (true) {
        String stripped = stripTrailing(cur);
        if (!stripped.isEmpty() && stripped.charAt(stripped.length() - 1) == escape) {
          logical.append(stripped, 0, stripped.length() - 1);
          i++;
          // continuation: skip comment lines and blank lines inside it
          while (i < lines.length && (lines[i].strip().startsWith("#") || lines[i].isBlank())) {
            i++;
          }
          if (i >= lines.length) {
            break;
          }
          cur = lines[i];
        } else {
          logical.append(cur);
          i++;
          break;
        }
      }
      String line = logical.toString().strip();
      int sp = indexOfWhitespace(line);
      String keyword = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
      String args = sp < 0 ? "" : line.substring(sp).strip();
      boolean heredoc = false;
      if (!keyword.equals("ENTRYPOINT") && !keyword.equals("CMD") && !keyword.equals("ENV")
          && !keyword.equals("LABEL") && !keyword.equals("ARG")) {
        Matcher h = HEREDOC.matcher(args);
        while (h.find()) {
          heredoc = true;
          boolean dash = !h.group(1).isEmpty();
          String terminator = h.group(3);
          while (i < lines.length) {
            String body = dash ? lines[i].replaceFirst("^\t+", "") : lines[i];
            i++;
            if (body.equals(terminator)) {
              break;
            }
          }
        }
      }
      out.add(new Instruction(start, keyword, args, heredoc));
    }
    return out;
  }

  private static String stripTrailing(String s) {
    int e = s.length();
    while (e > 0 && Character.isWhitespace(s.charAt(e - 1))) {
      e--;
    }
    return s.substring(0, e);
  }

  private static int indexOfWhitespace(String s) {
    for (int k = 0; k < s.length(); k++) {
      if (Character.isWhitespace(s.charAt(k))) {
        return k;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------- evaluation

  private final Map<String, String> globalArgs = new LinkedHashMap<>();
  private final Map<String, String> stageArgs = new LinkedHashMap<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private boolean inStage;
  private boolean scratch;

  /** Variable lookup: before FROM the global ARGs; after it ENV, then ARG, then the base image's environment. */
  private String lookup(String name) {
    if (!inStage) {
      return globalArgs.get(name);
    }
    if (env.containsKey(name)) {
      return env.get(name);
    }
    if (stageArgs.get(name) != null) {
      return stageArgs.get(name);
    }
    if (scratch || baseRef == null) {
      return null;
    }
    if (baseEnvValue == null) {
      Map<String, String> be = baseEnv.apply(baseRef);
      baseEnvValue = be == null ? Map.of() : be;
    }
    return baseEnvValue.get(name);
  }

  private BuildPlan evaluate(List<Instruction> instructions) {
    String base = null;
    String platform = null;
    boolean sawFrom = false;
    List<BuildPlan.Copy> copies = new ArrayList<>();
    Map<String, String> labels = new LinkedHashMap<>();
    Set<String> ports = new LinkedHashSet<>();
    Set<String> volumes = new LinkedHashSet<>();
    String workdir = null;
    String user = null;
    List<String> entrypoint = null;
    List<String> cmd = null;
    boolean fromOk = false;

    for (Instruction ins : instructions) {
      int line = ins.line();
      String kw = ins.keyword();
      if (ins.heredoc()) {
        error(line, kw + " with a heredoc (<<) is not supported; " + ALTERNATIVES);
        continue;
      }
      if (REFUSED.containsKey(kw)) {
        error(line, REFUSED.get(kw) + "; " + ALTERNATIVES);
        continue;
      }
      if (!SUPPORTED.contains(kw)) {
        error(line, "unknown instruction " + kw);
        continue;
      }
      if (!sawFrom && !kw.equals("FROM") && !kw.equals("ARG")) {
        error(line, kw + " before FROM: only ARG may come before FROM");
        continue;
      }
      try {
        switch (kw) {
          case "ARG" -> arg(ins);
          case "FROM" -> {
            if (sawFrom) {
              error(line, "a second FROM (multi-stage build) is not supported; " + ALTERNATIVES);
              continue;
            }
            sawFrom = true;
            String[] from = from(ins);
            if (from != null) {
              fromOk = true;
              base = from[0];
              platform = from[1];
              baseRef = base;
            }
            inStage = true;
            scratch = base == null;
          }
          case "ENV" -> {
            Map<String, String> pairs = nameValues(ins, true);
            env.putAll(pairs);
          }
          case "LABEL" -> labels.putAll(nameValues(ins, false));
          case "EXPOSE" -> {
            for (String w : ShellWords.words(ins.args(), escape, this::lookup)) {
              expose(line, w, ports);
            }
            if (ins.args().isBlank()) {
              error(line, "EXPOSE needs at least one port");
            }
          }
          case "WORKDIR" -> {
            String w = ShellWords.word(ins.args(), escape, this::lookup).strip();
            if (w.isEmpty()) {
              error(line, "WORKDIR needs a path");
            } else {
              workdir = Glob.clean(w.startsWith("/") ? w : (workdir == null ? "/" : workdir) + "/" + w);
            }
          }
          case "USER" -> {
            String u = ShellWords.word(ins.args(), escape, this::lookup).strip();
            if (u.isEmpty() || u.contains(" ")) {
              error(line, "USER needs one user[:group]");
            } else {
              user = u;
            }
          }
          case "VOLUME" -> {
            List<String> vs = jsonArray(ins.args());
            if (vs == null) {
              vs = ShellWords.words(ins.args(), escape, this::lookup);
            }
            if (vs.isEmpty()) {
              error(line, "VOLUME needs at least one path");
            }
            for (String v : vs) {
              if (!v.startsWith("/")) {
                error(line, "VOLUME path must be absolute: " + v);
              } else {
                volumes.add(Glob.clean(v));
              }
            }
          }
          case "ENTRYPOINT" -> entrypoint = command(ins);
          case "CMD" -> cmd = command(ins);
          case "COPY", "ADD" -> {
            BuildPlan.Copy c = copy(ins, workdir);
            if (c != null) {
              copies.add(c);
            }
          }
          default -> throw new IllegalStateException(kw);
        }
      } catch (ShellWords.SyntaxException e) {
        error(line, kw + ": " + e.getMessage());
      }
    }
    if (!sawFrom) {
      violations.add(Violation.error(fileName, "no FROM instruction"));
    }
    for (String k : buildArgs.keySet()) {
      if (!consumedArgs.contains(k)) {
        violations.add(Violation.warning("--build-arg " + k, "not used: the Dockerfile declares no ARG " + k));
      }
    }
    if (!sawFrom || !fromOk) {
      return null;
    }
    return new BuildPlan(base, platform, List.copyOf(copies), new LinkedHashMap<>(env),
        labels, ports, volumes, workdir, user, entrypoint, cmd);
  }

  private void arg(Instruction ins) throws ShellWords.SyntaxException {
    List<String> parts = splitNameValueWords(ins.args());
    if (parts.isEmpty()) {
      error(ins.line(), "ARG needs a name");
      return;
    }
    for (String part : parts) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      if (!ARG_NAME.matcher(name).matches()) {
        error(ins.line(), "invalid ARG name '" + name + "'");
        continue;
      }
      String value = eq < 0 ? null : ShellWords.word(part.substring(eq + 1), escape, this::lookup);
      consumedArgs.add(name);
      if (buildArgs.containsKey(name)) {
        value = buildArgs.get(name);
      } else if (value == null && inStage) {
        value = globalArgs.get(name);
      }
      if (inStage) {
        stageArgs.put(name, value);
      } else {
        globalArgs.put(name, value);
      }
    }
  }

  /** [reference or null for scratch, platform or null], or null when invalid (reported). */
  private String[] from(Instruction ins) throws ShellWords.SyntaxException {
    List<String> words = ShellWords.words(ins.args(), escape, this::lookup);
    String platform = null;
    int k = 0;
    boolean ok = true;
    while (k < words.size() && words.get(k).startsWith("--")) {
      String flag = words.get(k);
      if (flag.startsWith("--platform=")) {
        platform = flag.substring("--platform=".length());
        if (!platform.matches("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")) {
          error(ins.line(), "FROM --platform must be os/arch[/variant], got '" + platform + "'");
          ok = false;
        }
      } else {
        error(ins.line(), "FROM: unsupported flag " + flag);
        ok = false;
      }
      k++;
    }
    List<String> rest = words.subList(k, words.size());
    if (rest.size() == 3 && rest.get(1).equalsIgnoreCase("AS")) {
      rest = rest.subList(0, 1);
    }
    if (rest.size() != 1) {
      error(ins.line(), "FROM needs one image (optionally 'AS name'), got: " + ins.args());
      return null;
    }
    String image = rest.get(0);
    if (image.isEmpty()) {
      error(ins.line(), "FROM names no image (is a build argument empty?)");
      return null;
    }
    if (image.equals("scratch")) {
      return ok ? new String[] {null, platform} : null;
    }
    try {
      ImageReference.parse(image);
    } catch (ImageReference.InvalidReference e) {
      error(ins.line(), "FROM: " + e.getMessage());
      return null;
    }
    return ok ? new String[] {image, platform} : null;
  }

  /** ENV/LABEL: key=value pairs (values may be quoted), or the legacy "key value" form. */
  private Map<String, String> nameValues(Instruction ins, boolean allowLegacy) throws ShellWords.SyntaxException {
    Map<String, String> out = new LinkedHashMap<>();
    String args = ins.args();
    List<String> parts = splitNameValueWords(args);
    if (parts.isEmpty()) {
      error(ins.line(), ins.keyword() + " needs key=value");
      return out;
    }
    if (!parts.get(0).contains("=")) {
      if (!allowLegacy && parts.size() < 2) {
        error(ins.line(), ins.keyword() + " needs key=value");
        return out;
      }
      // legacy "KEY value with spaces"
      int sp = indexOfWhitespace(args);
      if (sp < 0) {
        error(ins.line(), ins.keyword() + " " + args + " has no value (write " + args + "=VALUE)");
        return out;
      }
      String key = ShellWords.word(args.substring(0, sp), escape, this::lookup);
      out.put(key, ShellWords.word(args.substring(sp).strip(), escape, this::lookup));
      return out;
    }
    for (String part : parts) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        error(ins.line(), ins.keyword() + ": '" + part + "' is not key=value");
        continue;
      }
      String key = ShellWords.word(part.substring(0, eq), escape, this::lookup);
      // every value of one instruction sees the variables as they were before it (as Docker does)
      out.put(key, ShellWords.word(part.substring(eq + 1), escape, this::lookup));
    }
    return out;
  }

  /** Splits on unquoted whitespace, keeping quotes and escapes in the pieces. */
  private List<String> splitNameValueWords(String s) throws ShellWords.SyntaxException {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
        continue;
      }
      cur.append(c);
      if (c == escape && quote != '\'' && k + 1 < s.length()) {
        cur.append(s.charAt(++k));
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      }
    }
    if (quote != 0) {
      throw new ShellWords.SyntaxException("unterminated quote");
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private void expose(int line, String w, Set<String> ports) {
    String proto = "tcp";
    String p = w;
    int slash = w.indexOf('/');
    if (slash >= 0) {
      proto = w.substring(slash + 1).toLowerCase(Locale.ROOT);
      p = w.substring(0, slash);
    }
    if (!proto.equals("tcp") && !proto.equals("udp")) {
      error(line, "EXPOSE " + w + ": protocol must be tcp or udp");
      return;
    }
    try {
      int dash = p.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
      if (from < 1 || to > 65535 || to < from || to - from > 1000) {
        error(line, "EXPOSE " + w + ": not a port (1-65535) or a range of at most 1000 ports");
        return;
      }
      for (int k = from; k <= to; k++) {
        ports.add(k + "/" + proto);
      }
    } catch (NumberFormatException e) {
      error(line, "EXPOSE " + w + ": not a port number");
    }
  }

  /** The exec form's list, or null when the text is not a JSON array of strings. */
  private static List<String> jsonArray(String args) {
    String t = args.strip();
    if (!t.startsWith("[")) {
      return null;
    }
    try {
      return JSON.readValue(t, new TypeReference<List<String>>() {});
    } catch (Exception e) {
      return null;
    }
  }

  private List<String> command(Instruction ins) {
    List<String> exec = jsonArray(ins.args());
    if (exec != null) {
      return List.copyOf(exec);
    }
    if (ins.args().isBlank()) {
      error(ins.line(), ins.keyword() + " needs a command");
      return null;
    }
    return List.of("/bin/sh", "-c", ins.args());
  }

  private BuildPlan.Copy copy(Instruction ins, String workdir) throws ShellWords.SyntaxException {
    int line = ins.line();
    String kw = ins.keyword();
    String args = ins.args();
    String chown = null;
    String chmod = null;
    boolean ok = true;
    boolean urlRefused = false;
    // flags
    while (args.startsWith("--")) {
      int sp = indexOfWhitespace(args);
      String flag = sp < 0 ? args : args.substring(0, sp);
      args = sp < 0 ? "" : args.substring(sp).strip();
      int eq = flag.indexOf('=');
      String name = eq < 0 ? flag : flag.substring(0, eq);
      String value = eq < 0 ? "" : ShellWords.word(flag.substring(eq + 1), escape, this::lookup);
      switch (name) {
        case "--chown" -> {
          chown = chown(line, value);
          ok &= chown != null;
        }
        case "--chmod" -> {
          if (!value.matches("[0-7]{3,4}")) {
            error(line, kw + " --chmod must be an octal mode such as 755, got '" + value + "'");
            ok = false;
          } else {
            chmod = value.length() == 4 ? value.substring(1) : value;
            if (value.length() == 4 && value.charAt(0) != '0') {
              error(line, kw + " --chmod with setuid/setgid/sticky bits is not supported: " + value);
              ok = false;
            }
          }
        }
        case "--link" -> {
          // a cache hint for BuildKit; berth's layers are independent anyway
        }
        case "--from" -> {
          error(line, kw + " --from (multi-stage or copy from an image) is not supported; " + ALTERNATIVES);
          ok = false;
        }
        case "--checksum", "--keep-git-dir" -> {
          error(line, "ADD of a URL or git repository (" + name + ") is not supported; download it in CI and"
              + " COPY it, or " + ALTERNATIVES);
          ok = false;
          urlRefused = true;
        }
        default -> {
          error(line, kw + ": unsupported flag " + name);
          ok = false;
        }
      }
    }
    List<String> raw = jsonArray(args);
    List<String> words = new ArrayList<>();
    if (raw != null) {
      for (String r : raw) {
        words.add(ShellWords.word(r, escape, this::lookup));
      }
    } else {
      for (String r : args.split("\\s+")) {
        if (!r.isEmpty()) {
          words.add(ShellWords.word(r, escape, this::lookup));
        }
      }
    }
    if (words.size() < 2) {
      error(line, kw + " needs at least one source and a destination");
      return null;
    }
    List<String> sources = new ArrayList<>(words.subList(0, words.size() - 1));
    String dest = words.get(words.size() - 1);
    for (String s : sources) {
      String lower = s.toLowerCase(Locale.ROOT);
      if (lower.matches("^[a-z][a-z0-9+.-]*://.*") || lower.startsWith("git@")) {
        if (urlRefused) {
          // already said
        } else if (kw.equals("ADD")) {
          error(line, "ADD of a URL (" + s + ") is not supported; download it in CI and COPY it, or " + ALTERNATIVES);
        } else {
          error(line, "COPY source cannot be a URL: " + s);
        }
        ok = false;
        continue;
      }
      String clean = Glob.clean(s.startsWith("/") ? s.substring(1) : s);
      if (clean.equals("..") || clean.startsWith("../")) {
        error(line, kw + " source " + s + " is outside the build context");
        ok = false;
      }
    }
    if (dest.isEmpty()) {
      error(line, kw + " has an empty destination");
      return null;
    }
    boolean destIsFolder = dest.endsWith("/") || dest.equals(".") || dest.endsWith("/.");
    if (sources.size() > 1 && !destIsFolder) {
      error(line, kw + " with more than one source needs a destination folder ending with /: " + dest);
      ok = false;
    }
    String absolute = dest.startsWith("/") ? dest : (workdir == null ? "/" : workdir) + "/" + dest;
    absolute = Glob.clean(absolute);
    if (!ok) {
      return null;
    }
    List<String> cleaned = new ArrayList<>();
    for (String s : sources) {
      cleaned.add(Glob.clean(s.startsWith("/") ? s.substring(1) : s));
    }
    return new BuildPlan.Copy(line, kw, List.copyOf(cleaned), absolute, destIsFolder, chown, chmod);
  }

  /** Numeric "uid:gid" (gid defaults to uid; "root" is 0), or null when it cannot be resolved (reported). */
  private String chown(int line, String value) {
    String[] parts = value.split(":", -1);
    if (value.isEmpty() || parts.length > 2) {
      error(line, "--chown must be user[:group], got '" + value + "'");
      return null;
    }
    String[] ids = new String[parts.length];
    for (int k = 0; k < parts.length; k++) {
      String p = parts[k];
      if (p.equals("root")) {
        ids[k] = "0";
      } else if (NUMERIC_ID.matcher(p).matches()) {
        ids[k] = p;
      } else {
        error(line, "--chown=" + value + ": '" + p + "' is a name; berth cannot look names up in the image's"
            + " /etc/passwd without running it: use numeric ids (e.g. --chown=1000:1000)");
        return null;
      }
    }
    return ids[0] + ":" + (ids.length == 2 ? ids[1] : ids[0]);
  }

  /** Test hook: the parser's line splitting alone. */
  static List<Instruction> instructions(String text) {
    return new DockerfileParser("Dockerfile", Map.of(), ref -> Map.of()).split(text);
  }
}
