package dev.berth.taskdef;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference as Docker and ECS read it: {@code [registry/]repository[:tag][@digest]}
 * (the distribution/reference grammar). {@link #parse} says why a reference does not parse.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  private static final String ALNUM = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|[-]+)";
  private static final String PATH_COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
  private static final Pattern PATH = Pattern.compile(PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*");
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final Pattern DOMAIN = Pattern.compile(
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile(
      "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

  /** Thrown by {@link #parse}; the message says what is wrong. */
  public static final class InvalidReference extends IllegalArgumentException {
    InvalidReference(String message) {
      super(message);
    }
  }

  public static ImageReference parse(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new InvalidReference("the image reference is empty");
    }
    if (!ref.equals(ref.strip()) || ref.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidReference("the image reference contains white space");
    }
    String rest = ref;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new InvalidReference("'" + digest + "' is not a digest (expected sha256: and 64 hex digits)");
      }
      if (digest.startsWith("sha256:") && digest.length() != 7 + 64) {
        throw new InvalidReference("a sha256 digest has 64 hex digits, '" + digest + "' has "
            + (digest.length() - 7));
      }
    }
    String tag = null;
    int slash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > slash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReference("'" + tag + "' is not a tag (letters, digits, '_', '.', '-'; at most 128;"
            + " not starting with '.' or '-')");
      }
    }
    if (rest.isEmpty()) {
      throw new InvalidReference("the image reference names no repository");
    }
    String registry = null;
    String repository = rest;
    int first = rest.indexOf('/');
    if (first > 0) {
      String head = rest.substring(0, first);
      if (head.contains(".") || head.contains(":") || head.equals("localhost")
          || !head.equals(head.toLowerCase(Locale.ROOT))) {
        registry = head;
        repository = rest.substring(first + 1);
        if (!DOMAIN.matcher(registry).matches()) {
          throw new InvalidReference("'" + registry + "' is not a registry host[:port]");
        }
      }
    }
    Matcher m = PATH.matcher(repository);
    if (!m.matches()) {
      if (!repository.equals(repository.toLowerCase(Locale.ROOT))) {
        throw new InvalidReference("repository name '" + repository + "' must be lowercase");
      }
      throw new InvalidReference("'" + repository + "' is not a repository name (lowercase letters, digits and"
          + " separators '.', '_', '__', '-', components separated by '/')");
    }
    if (rest.length() > 255) {
      throw new InvalidReference("the repository name is longer than 255 characters");
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /** True when the reference pins content (has a digest). */
  public boolean pinned() {
    return digest != null;
  }

  @Override
  public String toString() {
    return (registry == null ? "" : registry + "/") + repository + (tag == null ? "" : ":" + tag)
        + (digest == null ? "" : "@" + digest);
  }
}
