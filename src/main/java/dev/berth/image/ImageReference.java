package dev.berth.image;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference as Docker reads it: {@code [REGISTRY/]REPOSITORY[:TAG][@DIGEST]}. A first path component
 * with a dot or a colon, or {@code localhost}, is a registry; otherwise the image lives on Docker Hub
 * ({@code docker.io}, single names under {@code library/}).
 *
 * @param registry the registry as written ({@code docker.io} for Docker Hub)
 * @param repository the repository path inside the registry
 * @param tag the tag, or null
 * @param digest the digest ({@code sha256:...}), or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern HOST = Pattern.compile(
      "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])"
          + "(?::[0-9]{1,5})?");

  /** Parses a reference; throws IllegalArgumentException with the reason when it is malformed. */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty image reference");
    }
    String rest = text.trim();
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!Digests.isValid(digest)) {
        throw new IllegalArgumentException("malformed digest '" + digest + "' in '" + text
            + "' (expected sha256: and 64 hex digits)");
      }
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
        registry = first;
        rest = rest.substring(slash + 1);
        if (!HOST.matcher(registry).matches()) {
          throw new IllegalArgumentException("malformed registry host '" + registry + "' in '" + text + "'");
        }
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0 && colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("malformed tag '" + tag + "' in '" + text
            + "' (letters, digits, _ . -, at most 128, not starting with . or -)");
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("no repository in '" + text + "'");
    }
    for (String component : rest.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException("malformed repository '" + rest + "' in '" + text
            + "' (lower-case letters, digits and separators . _ -, components separated by /)");
      }
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** The tag or digest to ask the registry for: the digest when pinned, else the tag, else latest. */
  public String reference() {
    return digest != null ? digest : tag != null ? tag : "latest";
  }

  public Optional<String> tagIfAny() {
    return Optional.ofNullable(tag);
  }

  /** The host that serves the registry API (Docker Hub's API lives on registry-1.docker.io). */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
  }

  /** True for 127.0.0.0/8, localhost and ::1, the only hosts spoken to over plain http. */
  public static boolean isLoopback(String hostWithOptionalPort) {
    String host = hostWithOptionalPort.toLowerCase(Locale.ROOT);
    if (host.contains("@")) {
      return false; // user info hides the real host: never loopback
    }
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end > 0 ? host.substring(1, end) : host;
      return host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    return host.equals("localhost") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  @Override
  public String toString() {
    return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
