package dev.berth.image;

import java.util.regex.Pattern;

/**
 * Docker's path patterns (moby/patternmatcher, Go's {@code filepath.Match} plus {@code **}): {@code *} any run of
 * characters but {@code /}, {@code ?} one character but {@code /}, {@code [...]} a class ({@code [!...]} or
 * {@code [^...]} negated), {@code \x} the character x, {@code **} any number of folders (also none).
 */
final class Glob {
  private Glob() {}

  /** True when the text holds a wildcard character. */
  static boolean hasWildcard(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        return true;
      }
      if (c == '\\') {
        i++;
      }
    }
    return false;
  }

  /** The anchored regular expression for a cleaned pattern; throws IllegalArgumentException when malformed. */
  static Pattern compile(String pattern) {
    StringBuilder re = new StringBuilder("^");
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char c = pattern.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < n && pattern.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < n && pattern.charAt(i + 1) == '/') {
              i++;
            }
            re.append(i + 1 >= n ? ".*" : "(.*/)?");
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '[' -> {
          int end = i + 1;
          if (end < n && (pattern.charAt(end) == '!' || pattern.charAt(end) == '^')) {
            end++;
          }
          if (end < n && pattern.charAt(end) == ']') {
            end++;
          }
          while (end < n && pattern.charAt(end) != ']') {
            if (pattern.charAt(end) == '\\') {
              end++;
            }
            end++;
          }
          if (end >= n) {
            throw new IllegalArgumentException("unclosed [ in pattern " + pattern);
          }
          StringBuilder cls = new StringBuilder("[");
          int j = i + 1;
          if (pattern.charAt(j) == '!' || pattern.charAt(j) == '^') {
            cls.append('^');
            j++;
          }
          for (; j < end; j++) {
            char d = pattern.charAt(j);
            if (d == '\\' && j + 1 < end) {
              j++;
              d = pattern.charAt(j);
              cls.append('\\').append(d);
            } else if (d == '[' || d == '&' || d == '\\') {
              cls.append('\\').append(d);
            } else {
              cls.append(d);
            }
          }
          re.append(cls).append(']');
          i = end;
        }
        case '\\' -> {
          if (i + 1 >= n) {
            throw new IllegalArgumentException("pattern ends with \\: " + pattern);
          }
          i++;
          re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.append('$').toString());
  }

  /**
   * Go's {@code filepath.Clean} for slash paths without a leading slash: drops "." parts and empty parts, resolves
   * ".." where it can. The empty path becomes ".".
   */
  static String clean(String path) {
    boolean rooted = path.startsWith("/");
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
          parts.removeLast();
          continue;
        }
        if (rooted) {
          continue;
        }
      }
      parts.addLast(p);
    }
    String joined = String.join("/", parts);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
