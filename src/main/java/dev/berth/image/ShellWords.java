package dev.berth.image;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Docker's word processing for Dockerfile arguments: single quotes (literal), double quotes, the escape character,
 * and variable substitution {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}},
 * {@code ${VAR:+alt}}, {@code ${VAR+alt}}, {@code ${VAR:?message}}, {@code ${VAR?message}}. An unset variable
 * expands to the empty string, as in Docker.
 */
final class ShellWords {
  /** A variable's value, or null when it is not set. */
  interface Lookup extends Function<String, String> {}

  /** A problem in the text (unterminated quote, bad substitution, a ${VAR?} that fired). */
  static final class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message);
    }
  }

  private final String s;
  private final char escape;
  private final Lookup lookup;
  private int pos;

  private ShellWords(String s, char escape, Lookup lookup) {
    this.s = s;
    this.escape = escape;
    this.lookup = lookup;
  }

  /** The whole text as one word: quotes removed, variables expanded, whitespace kept. */
  static String word(String text, char escape, Lookup lookup) throws SyntaxException {
    ShellWords w = new ShellWords(text, escape, lookup);
    List<String> out = w.run(false, (char) 0);
    return out.isEmpty() ? "" : out.get(0);
  }

  /** The text split on unquoted whitespace, each word processed. */
  static List<String> words(String text, char escape, Lookup lookup) throws SyntaxException {
    return new ShellWords(text, escape, lookup).run(true, (char) 0);
  }

  private List<String> run(boolean split, char stopAt) throws SyntaxException {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (stopAt != 0 && c == stopAt) {
        break;
      }
      if (split && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
        pos++;
        continue;
      }
      inWord = true;
      if (c == '\'') {
        int end = s.indexOf('\'', pos + 1);
        if (end < 0) {
          throw new SyntaxException("unterminated single quote");
        }
        cur.append(s, pos + 1, end);
        pos = end + 1;
      } else if (c == '"') {
        pos++;
        doubleQuoted(cur);
      } else if (c == escape) {
        pos++;
        if (pos < s.length()) {
          cur.append(s.charAt(pos));
          pos++;
        }
      } else if (c == '$') {
        cur.append(dollar());
      } else {
        cur.append(c);
        pos++;
      }
    }
    if (inWord || (!split && words.isEmpty())) {
      words.add(cur.toString());
    }
    return words;
  }

  private void doubleQuoted(StringBuilder cur) throws SyntaxException {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == '"') {
        pos++;
        return;
      }
      if (c == '$') {
        cur.append(dollar());
        continue;
      }
      if (c == escape && pos + 1 < s.length()) {
        char n = s.charAt(pos + 1);
        if (n == '"' || n == '$' || n == escape) {
          cur.append(n);
          pos += 2;
          continue;
        }
      }
      cur.append(c);
      pos++;
    }
    throw new SyntaxException("unterminated double quote");
  }

  private static boolean nameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** At a '$': the expansion (or a literal '$'). */
  private String dollar() throws SyntaxException {
    pos++; // '$'
    if (pos >= s.length()) {
      return "$";
    }
    char c = s.charAt(pos);
    if (c == '{') {
      pos++;
      int start = pos;
      while (pos < s.length() && nameChar(s.charAt(pos))) {
        pos++;
      }
      String name = s.substring(start, pos);
      if (name.isEmpty()) {
        throw new SyntaxException("bad substitution: missing variable name after ${");
      }
      if (pos >= s.length()) {
        throw new SyntaxException("bad substitution: missing } after ${" + name);
      }
      char m = s.charAt(pos);
      if (m == '}') {
        pos++;
        return value(name, "");
      }
      boolean colon = false;
      if (m == ':') {
        colon = true;
        pos++;
        if (pos >= s.length()) {
          throw new SyntaxException("bad substitution in ${" + name + ":");
        }
        m = s.charAt(pos);
      }
      if (m != '-' && m != '+' && m != '?') {
        throw new SyntaxException("unsupported modifier '" + (colon ? ":" : "") + m + "' in ${" + name
            + "...} (supported: :- - :+ + :? ?)");
      }
      pos++;
      String arg = String.join(" ", run(false, '}'));
      if (pos >= s.length() || s.charAt(pos) != '}') {
        throw new SyntaxException("bad substitution: missing } after ${" + name);
      }
      pos++;
      String v = lookup.apply(name);
      boolean set = colon ? v != null && !v.isEmpty() : v != null;
      return switch (m) {
        case '-' -> set ? v : arg;
        case '+' -> set ? arg : "";
        default -> {
          if (!set) {
            throw new SyntaxException(name + ": " + (arg.isEmpty() ? "is not set" : arg));
          }
          yield v;
        }
      };
    }
    if (!nameChar(c)) {
      return "$";
    }
    int start = pos;
    while (pos < s.length() && nameChar(s.charAt(pos))) {
      pos++;
    }
    return value(s.substring(start, pos), "");
  }

  private String value(String name, String fallback) {
    String v = lookup.apply(name);
    return v == null ? fallback : v;
  }
}
