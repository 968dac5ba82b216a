package dev.berth.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A build context's {@code .dockerignore}, with Docker's rules: one pattern a line, {@code #} comments, patterns
 * relative to the context root (a leading {@code /} is dropped), {@code !} exceptions, {@code **}, the last
 * matching line wins, and a pattern that matches a folder excludes what is under it.
 */
public final class DockerIgnore {
  private record Rule(String text, Pattern regex, boolean exception, int line) {}

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  public static DockerIgnore none() {
    return new DockerIgnore(List.of());
  }

  /** The context's .dockerignore, or {@link #none()} when it has none; malformed lines are added to problems. */
  public static DockerIgnore load(Path contextDir, List<String> problems) throws IOException {
    Path f = contextDir.resolve(".dockerignore");
    if (!Files.isRegularFile(f)) {
      return none();
    }
    return parse(Files.readString(f, StandardCharsets.UTF_8), problems);
  }

  /** Parses the text of a .dockerignore; each malformed line adds a message ".dockerignore:N: ..." to problems. */
  public static DockerIgnore parse(String text, List<String> problems) {
    List<Rule> rules = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("#")) {
        continue;
      }
      String p = line.strip();
      if (p.isEmpty()) {
        continue;
      }
      boolean exception = false;
      if (p.startsWith("!")) {
        exception = true;
        p = p.substring(1).strip();
        if (p.isEmpty()) {
          problems.add(".dockerignore:" + (i + 1) + ": '!' without a pattern");
          continue;
        }
      }
      p = Glob.clean(p);
      while (p.startsWith("/")) {
        p = p.substring(1);
      }
      if (p.isEmpty()) {
        p = ".";
      }
      try {
        rules.add(new Rule(p, Glob.compile(p), exception, i + 1));
      } catch (IllegalArgumentException e) {
        problems.add(".dockerignore:" + (i + 1) + ": " + e.getMessage());
      }
    }
    return new DockerIgnore(List.copyOf(rules));
  }

  /** True when the context-relative path (slash separated, no leading slash) is excluded from the context. */
  public boolean excludes(String relPath) {
    if (rules.isEmpty()) {
      return false;
    }
    String path = Glob.clean(relPath);
    String[] parts = path.split("/");
    boolean excluded = false;
    for (Rule r : rules) {
      if (r.exception() != excluded) {
        continue; // an exception only matters for an excluded path, a pattern only for an included one
      }
      if (matchesOrParentMatches(r.regex(), path, parts)) {
        excluded = !r.exception();
      }
    }
    return excluded;
  }

  /** True when some exception rule could re-include something under the folder, so it cannot be skipped whole. */
  boolean mayReinclude(String relDir) {
    String prefix = Glob.clean(relDir) + "/";
    for (Rule r : rules) {
      if (r.exception() && (r.text().startsWith(prefix) || Glob.hasWildcard(r.text()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesOrParentMatches(Pattern regex, String path, String[] parts) {
    if (regex.matcher(path).matches()) {
      return true;
    }
    StringBuilder parent = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      if (i > 0) {
        parent.append('/');
      }
      parent.append(parts[i]);
      if (regex.matcher(parent).matches()) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }
}
