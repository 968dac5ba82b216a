package dev.berth.report;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A container image reference, the one parser of berth (task definitions, {@code --image}, {@code FROM},
 * {@code --docker-daemon}), following Docker's reference grammar (github.com/distribution/reference,
 * {@code ParseNormalizedNamed}):
 * <pre>
 * reference := name [":" tag] ["@" digest]      name := [domain "/"] path
 * domain    := host [":" port]                   host := domain-name | IPv4 | "[" IPv6 "]"
 * path      := component ("/" component)*       component := [a-z0-9]+ ([._]|__|-+ [a-z0-9]+)*
 * tag       := [\w][\w.-]{0,127}                 digest := sha256:64 hex | sha512:128 hex (lower case)
 * </pre>
 * The first path segment is the registry when it has a dot or a colon, is {@code localhost}, or has an upper
 * case letter ({@code Registry/app} is repository {@code app} on registry {@code Registry}, as Docker reads it);
 * otherwise the image is on Docker Hub: registry {@code docker.io}, single names under {@code library/}. The
 * name is at most 255 characters; a 64-hex-digit name alone is refused (it is an image id).
 *
 * <p>An image reference never carries credentials: a URL ({@code https://...}) or user information
 * ({@code user:password@host/...}) is refused, and the refusal never repeats the text (the part before the
 * {@code @} is registered with the {@link SecretMasker} too, in case something else prints it).
 *
 * @param registry the registry host[:port] ({@code docker.io} for Docker Hub)
 * @param repository the repository path inside the registry ({@code library/node} for {@code node})
 * @param tag the tag, or null
 * @param digest the digest ({@code sha256:...}), or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final Pattern DOMAIN = Pattern.compile("(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT
      + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
  /** A tag as Docker and ECR take it. */
  public static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST_SHAPE = Pattern.compile(
      "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
  /** What follows an @ in a reference: a digest, maybe malformed (anything else is user information). */
  private static final Pattern ALGORITHM_AND_HEX = Pattern.compile(
      "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-zA-Z]*");
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("sha512:[a-f0-9]{128}");
  private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");
  private static final int NAME_MAX = 255;

  /** Why a text is not an image reference; the message quotes the text only when it holds no credentials. */
  public static final class InvalidReference extends IllegalArgumentException {
    private final String reason;

    InvalidReference(String shown, String reason) {
      super(shown == null ? "not an image reference: " + reason : "'" + shown + "' is not an image reference: " + reason);
      this.reason = reason;
    }

    /** The reason alone, without the reference. */
    public String reason() {
      return reason;
    }
  }

  /** Parses TEXT; throws {@link InvalidReference} saying why it is not a reference. */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidReference(null, "the image reference is empty");
    }
    if (carriesCredentials(text)) {
      String userInfo;
      int scheme = text.indexOf("://");
      if (scheme >= 0) {
        int end = text.indexOf('/', scheme + 3);
        String authority = text.substring(scheme + 3, end < 0 ? text.length() : end);
        userInfo = authority.substring(0, authority.lastIndexOf('@'));
      } else {
        userInfo = text.substring(0, text.indexOf('@'));
      }
      SecretMasker.global().register(userInfo);
      int colon = userInfo.indexOf(':');
      if (colon >= 0) {
        SecretMasker.global().register(userInfo.substring(colon + 1));
      }
      throw new InvalidReference(null, "it holds user information (user:password@): an image reference never"
          + " carries credentials; write [REGISTRY/]REPOSITORY[:TAG][@DIGEST] and give registry credentials"
          + " separately");
    }
    if (text.contains("://")) {
      throw new InvalidReference(text, "an image reference is not a URL: write [REGISTRY/]REPOSITORY[:TAG]"
          + "[@DIGEST] without a scheme");
    }
    if (text.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidReference(text, "it contains white space");
    }
    String rest = text;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST_SHAPE.matcher(digest).matches()) {
        throw new InvalidReference(text, "'" + digest + "' is not a digest (expected sha256: and 64 hex digits)");
      }
      if (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches()
          || digest.startsWith("sha512:") && !SHA512.matcher(digest).matches()) {
        throw new InvalidReference(text, "a " + digest.substring(0, 6) + " digest has " + (digest.startsWith(
            "sha256:") ? 64 : 128) + " lower-case hex digits, '" + digest + "' has " + (digest.length() - 7));
      }
      if (!digest.startsWith("sha256:") && !digest.startsWith("sha512:")) {
        throw new InvalidReference(text, "unsupported digest algorithm in '" + digest + "' (sha256 or sha512)");
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReference(text, "'" + tag + "' is not a tag (letters, digits, '_', '.', '-'; at most 128;"
            + " not starting with '.' or '-')");
      }
    }
    if (rest.isEmpty()) {
      throw new InvalidReference(text, "it names no repository");
    }
    if (rest.length() > NAME_MAX) {
      throw new InvalidReference(text, "the name is longer than " + NAME_MAX + " characters");
    }
    if (IMAGE_ID.matcher(rest).matches() && tag == null && digest == null) {
      throw new InvalidReference(text, "a name of 64 hex digits is an image id, not a repository");
    }
    String registry = DOCKER_HUB;
    String repository = rest;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")
          || !first.equals(first.toLowerCase(Locale.ROOT))) {
        registry = first;
        repository = rest.substring(slash + 1);
        if (!DOMAIN.matcher(registry).matches()) {
          throw new InvalidReference(text, "'" + registry + "' is not a registry host[:port]");
        }
      }
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (!PATH.matcher(repository).matches()) {
      if (!repository.equals(repository.toLowerCase(Locale.ROOT))) {
        throw new InvalidReference(text, "repository name '" + repository + "' must be lowercase");
      }
      throw new InvalidReference(text, "'" + repository + "' is not a repository name (lowercase letters, digits"
          + " and separators '.', '_', '__', '-', components separated by '/')");
    }
    if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /**
   * True when TEXT is a URL with user information or has an {@code @} that does not start a digest: what is
   * before it would be credentials ({@code KEY:SECRET@host/app}).
   */
  static boolean carriesCredentials(String text) {
    int scheme = text.indexOf("://");
    if (scheme >= 0) {
      int end = text.indexOf('/', scheme + 3);
      String authority = text.substring(scheme + 3, end < 0 ? text.length() : end);
      return authority.contains("@");
    }
    int at = text.indexOf('@');
    return at >= 0 && !ALGORITHM_AND_HEX.matcher(text.substring(at + 1)).matches();
  }

  /** True when the reference pins content (has a digest). */
  public boolean pinned() {
    return digest != null;
  }

  /** The tag or digest to ask the registry for: the digest when pinned, else the tag, else latest. */
  public String reference() {
    return digest != null ? digest : tag != null ? tag : "latest";
  }

  public java.util.Optional<String> tagIfAny() {
    return java.util.Optional.ofNullable(tag);
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
