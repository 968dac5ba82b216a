package dev.berth.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.report.BerthException;
import dev.berth.report.IamRefusals;
import dev.berth.report.ImageReference;
import dev.berth.report.Outcome;
import dev.berth.report.SecretMasker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of the Docker Registry HTTP API v2 (the OCI distribution API): manifests, blobs, uploads,
 * cross-repository mounts. Authentication follows the registry's {@code WWW-Authenticate} challenge (Basic,
 * or Bearer tokens fetched from the realm, anonymously or with Basic credentials). Every call has a connect
 * and a read timeout; idempotent steps are retried with backoff on 5xx, 429 and broken connections (an
 * upload cut half way is restarted from the beginning). Blobs are streamed, never buffered whole.
 *
 * <p>Built on {@link HttpURLConnection} (keep-alive pooled by the JDK): it starts several times faster than
 * {@code java.net.http}, which matters for a short CLI step.
 */
public final class RegistryClient {
  static {
    // idle keep-alive connections kept per host (JDK default 5); parallel blob copies use more
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", "16");
    }
  }

  /** Timeouts and retries of a client. */
  public record Settings(Duration connectTimeout, Duration readTimeout, int attempts, long firstBackoffMillis) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(60), 5, 200);
    }
  }

  /** A blob being read: its length (-1 when the server did not say) and its bytes. */
  public record Blob(long length, InputStream stream) {}

  /** Opens a blob's bytes anew for each attempt of an upload. */
  @FunctionalInterface
  public interface Content {
    InputStream open() throws IOException;
  }

  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  /** The largest manifest or index read: the registries' own limit (Docker Distribution, ECR). */
  public static final int MAX_MANIFEST = 4 << 20;
  /** The largest token answer read. */
  static final int MAX_TOKEN_ANSWER = 1 << 20;
  private static final int BUFFER = 128 * 1024;

  private final URI base;
  private final RegistryCredentials.Source credentials;
  private final Settings settings;
  private final Sleeper sleeper;
  private volatile String scheme; // "basic", "bearer", "none"; null until learned
  private volatile boolean hostBound; // the credentials belong to this host alone (ECR's token)
  private ProxyConfig proxies = DEFAULT_PROXIES;
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY of berth's environment. */
  private static final ProxyConfig DEFAULT_PROXIES = ProxyConfig.from(System.getenv());
  private volatile Map<String, String> bearerParams = Map.of();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public RegistryClient(URI base, RegistryCredentials.Source credentials, Settings settings, Sleeper sleeper) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.credentials = credentials == null ? RegistryCredentials.Source.anonymous() : credentials;
    this.settings = settings;
    this.sleeper = sleeper;
  }

  /** A client for a registry host: plain http for loopback hosts, https for every other host. */
  public static RegistryClient forHost(String host, RegistryCredentials.Source credentials) {
    String scheme = ImageReference.isLoopback(host) ? "http" : "https";
    return new RegistryClient(URI.create(scheme + "://" + host), credentials, Settings.defaults(), Sleeper.REAL);
  }

  /** Uses these proxies instead of the environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  public RegistryClient withProxies(ProxyConfig proxies) {
    this.proxies = proxies;
    return this;
  }

  public URI base() {
    return base;
  }

  // ---------------------------------------------------------------- manifests

  /** The manifest under a tag or digest, or empty when the registry does not have it. */
  public Optional<Manifest> getManifest(String repository, String reference) {
    URI uri = uri("/v2/" + repository + "/manifests/" + reference);
    String what = "GET manifest " + repository + ":" + reference;
    return retrying(what, () -> exchange("GET", uri, scope(repository, false), Map.of("Accept", Manifest.ACCEPT),
        null, c -> {
          int status = c.getResponseCode();
          if (status == 404) {
            drain(c);
            return Optional.empty();
          }
          expect(c, what, 200);
          byte[] bytes;
          try (InputStream in = c.getInputStream()) {
            bytes = readBounded(in, c.getContentLengthLong(), MAX_MANIFEST, what + " at " + base);
          }
          Manifest m = Manifest.of(bytes, c.getContentType());
          if (reference.startsWith("sha256:") && !m.digest().equals(reference)) {
            throw BerthException.failed("registry " + base + " served manifest " + m.digest() + " for "
                + repository + "@" + reference);
          }
          return Optional.of(m);
        }));
  }

  /** The digest the registry has under a tag or digest, or empty when it has none. One HEAD request. */
  public Optional<String> manifestDigest(String repository, String reference) {
    URI uri = uri("/v2/" + repository + "/manifests/" + reference);
    String what = "HEAD manifest " + repository + ":" + reference;
    Optional<String> header = retrying(what, () -> exchange("HEAD", uri, scope(repository, false),
        Map.of("Accept", Manifest.ACCEPT), null, c -> {
          int status = c.getResponseCode();
          drain(c);
          if (status == 404) {
            return Optional.of("");
          }
          expect(c, what, 200);
          return Optional.ofNullable(c.getHeaderField("Docker-Content-Digest"));
        }));
    if (header.isPresent()) {
      return header.get().isEmpty() ? Optional.empty() : header;
    }
    return getManifest(repository, reference).map(Manifest::digest);
  }

  /** Puts a manifest under a tag or digest with its original bytes and media type. */
  public void putManifest(String repository, String reference, Manifest manifest) {
    URI uri = uri("/v2/" + repository + "/manifests/" + reference);
    String what = "PUT manifest " + repository + ":" + reference;
    retrying(what, () -> exchange("PUT", uri, scope(repository, true), Map.of("Content-Type", manifest.mediaType()),
        Body.of(manifest.bytes()), c -> {
          expect(c, what, 201, 200);
          String digest = c.getHeaderField("Docker-Content-Digest");
          drain(c);
          if (digest != null && !digest.equals(manifest.digest())) {
            throw BerthException.failed("registry " + base + " stored manifest " + repository + ":" + reference
                + " as " + digest + ", expected " + manifest.digest());
          }
          return null;
        }));
  }

  // ---------------------------------------------------------------- blobs

  /** True when the repository has the blob (HEAD). */
  public boolean hasBlob(String repository, String digest) {
    URI uri = uri("/v2/" + repository + "/blobs/" + digest);
    String what = "HEAD blob " + repository + "@" + Digests.shortForm(digest);
    return retrying(what, () -> exchange("HEAD", uri, scope(repository, true), Map.of(), null, c -> {
      int status = c.getResponseCode();
      drain(c);
      if (status == 404) {
        return false;
      }
      expect(c, what, 200, 307, 302);
      return true;
    }));
  }

  /**
   * Opens a blob for reading (streamed; the caller closes it). Redirects (to S3, a CDN) are followed without
   * the registry's Authorization header.
   */
  public Blob openBlob(String repository, String digest) {
    URI uri = uri("/v2/" + repository + "/blobs/" + digest);
    String what = "GET blob " + repository + "@" + Digests.shortForm(digest);
    return retrying(what, () -> {
      HttpURLConnection c = exchange("GET", uri, scope(repository, false), Map.of(), null, conn -> conn);
      for (int hops = 0; hops < 5 && isRedirect(c.getResponseCode()); hops++) {
        String location = c.getHeaderField("Location");
        drain(c);
        if (location == null) {
          throw BerthException.failed(what + ": redirect without Location");
        }
        URI next = URI.create(c.getURL().toString()).resolve(location);
        if (!followable(next)) {
          throw BerthException.failed(what + ": the registry redirected to " + next.getScheme() + "://"
              + next.getHost() + ", which berth does not follow (only https, or http to a loopback host)");
        }
        c = connect("GET", next, Map.of());
      }
      expect(c, what, 200);
      return new Blob(c.getContentLengthLong(), c.getInputStream());
    });
  }

  /**
   * Mounts a blob from another repository of this registry. True when mounted; false when the registry
   * declined (the caller uploads instead).
   */
  public boolean mountBlob(String repository, String digest, String fromRepository) {
    URI uri = uri("/v2/" + repository + "/blobs/uploads/?mount=" + enc(digest) + "&from=" + enc(fromRepository));
    String scope = scope(repository, true) + " repository:" + fromRepository + ":pull";
    String what = "mount blob " + Digests.shortForm(digest) + " from " + fromRepository;
    return retrying(what, () -> exchange("POST", uri, scope, Map.of(), Body.EMPTY, c -> {
      int status = c.getResponseCode();
      if (status == 201) {
        drain(c);
        return true;
      }
      if (status == 202) {
        String location = c.getHeaderField("Location");
        drain(c);
        cancelUpload(uri, location, scope);
        return false;
      }
      expect(c, what, 201, 202);
      return false;
    }));
  }

  private void cancelUpload(URI request, String location, String scope) {
    if (location == null) {
      return;
    }
    try {
      exchange("DELETE", request.resolve(location), scope, Map.of(), null, c -> {
        c.getResponseCode();
        drain(c);
        return null;
      });
    } catch (IOException | RuntimeException e) {
      // an abandoned upload session expires on the registry's side
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Uploads a blob: POST starts a session, one PUT streams the bytes with their length and the digest (a
   * monolithic upload, no buffering). A failed attempt is restarted from the beginning with fresh content.
   */
  public void uploadBlob(String repository, String digest, long size, Content content) {
    String what = "upload blob " + Digests.shortForm(digest) + " to " + repository;
    String scope = scope(repository, true);
    URI start = uri("/v2/" + repository + "/blobs/uploads/");
    retrying(what, () -> {
      URI session = exchange("POST", start, scope, Map.of(), Body.EMPTY, c -> {
        expect(c, what + " (start)", 202);
        String location = c.getHeaderField("Location");
        drain(c);
        if (location == null) {
          throw BerthException.failed(what + ": registry started no upload session (no Location)");
        }
        return start.resolve(location);
      });
      String q = session.toString();
      URI put = URI.create(q + (q.contains("?") ? "&" : "?") + "digest=" + enc(digest));
      return exchange("PUT", put, scope, Map.of("Content-Type", "application/octet-stream"),
          Body.of(size, content), c -> {
            expect(c, what, 201, 204);
            drain(c);
            return null;
          });
    });
  }

  // ---------------------------------------------------------------- plumbing

  /** A request body that can be written again for a second attempt. */
  interface Body {
    Body EMPTY = of(new byte[0]);

    long length();

    void writeTo(OutputStream out) throws IOException;

    static Body of(byte[] bytes) {
      return new Body() {
        @Override
        public long length() {
          return bytes.length;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          out.write(bytes);
        }
      };
    }

    static Body of(long size, Content content) {
      return new Body() {
        @Override
        public long length() {
          return size;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          try (InputStream in = content.open()) {
            byte[] buffer = new byte[BUFFER];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
              out.write(buffer, 0, n);
              total += n;
            }
            if (total != size) {
              throw new IOException("blob content ended after " + total + " of " + size + " bytes");
            }
          }
        }
      };
    }
  }

  @FunctionalInterface
  interface Handler<T> {
    T handle(HttpURLConnection connection) throws IOException, InterruptedException;
  }

  /**
   * One request with the authorization the registry wants; on 401 learns the challenge, authenticates and
   * sends once more (bodies are replayable).
   */
  private <T> T exchange(String method, URI uri, String scope, Map<String, String> headers, Body body,
      Handler<T> handler) throws IOException, InterruptedException {
    HttpURLConnection c = send(method, uri, scope, headers, body);
    if (status(c) == 401) {
      String challenge = c.getHeaderField("WWW-Authenticate");
      drain(c);
      learn(challenge == null ? "" : challenge);
      if ("bearer".equals(scheme)) {
        tokens.remove(scope);
      } else if ("basic".equals(scheme)) {
        credentials.invalidate();
      }
      c = send(method, uri, scope, headers, body);
      int again = status(c);
      if (again == 401 || again == 403) {
        drain(c);
        throw BerthException.access(namingAction("registry " + base + " refused " + method + " " + uri.getPath()
            + " (HTTP " + again + "): " + (credentials.get() == null ? "no credentials were given"
            : "the credentials were not accepted"), method, uri.getPath(), again), null);
      }
    }
    return handler.handle(c);
  }

  private HttpURLConnection send(String method, URI uri, String scope, Map<String, String> headers, Body body)
      throws IOException, InterruptedException {
    Map<String, String> all = new LinkedHashMap<>(headers);
    // credentials go only to the host that challenged for them: an upload Location or a mount session on
    // another host gets the request without them
    String auth = sameOrigin(uri) ? authorization(scope) : null;
    if (auth != null) {
      all.put("Authorization", auth);
    }
    return connect(method, uri, all, body);
  }

  private HttpURLConnection connect(String method, URI uri, Map<String, String> headers) throws IOException {
    return connect(method, uri, headers, null);
  }

  private boolean sameOrigin(URI uri) {
    return base.getScheme().equalsIgnoreCase(String.valueOf(uri.getScheme()))
        && base.getHost() != null && base.getHost().equalsIgnoreCase(uri.getHost()) && port(base) == port(uri)
        && uri.getRawUserInfo() == null;
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** https anywhere, plain http only to a loopback host (decided on the parsed host); nothing else. */
  static boolean followable(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return uri.getHost() != null && uri.getRawUserInfo() == null
        && (scheme.equals("https") || scheme.equals("http") && ImageReference.isLoopback(uri.getHost()));
  }

  /** Reads at most max bytes; more (announced or sent) is refused as the registries refuse it. */
  static byte[] readBounded(InputStream in, long announced, int max, String what) throws IOException {
    try {
      return JsonDocs.readBounded(in, announced, max, what);
    } catch (JsonDocs.TooLarge e) {
      throw BerthException.failed(e.getMessage());
    }
  }

  private HttpURLConnection connect(String method, URI uri, Map<String, String> headers, Body body)
      throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw BerthException.failed(method + " " + uri.getScheme() + ":" + " URL from registry " + base
          + " refused: only http(s) is spoken");
    }
    if (scheme.equals("http") && !sameOrigin(uri) && !followable(uri)) {
      throw BerthException.failed(method + " to plain http://" + uri.getHost() + " (named by registry " + base
          + ") refused: plain http only to loopback hosts");
    }
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(proxies.proxyFor(uri));
    c.setRequestMethod(method);
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setConnectTimeout((int) settings.connectTimeout().toMillis());
    c.setReadTimeout((int) settings.readTimeout().toMillis());
    headers.forEach(c::setRequestProperty);
    if (body != null) {
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(body.length());
      try (OutputStream out = c.getOutputStream()) {
        body.writeTo(out);
      }
    }
    return c;
  }

  private static int status(HttpURLConnection c) throws IOException {
    try {
      return c.getResponseCode();
    } catch (HttpRetryException e) {
      return e.responseCode();
    }
  }

  /** Reads what is left of a response so the connection can be reused, and closes it. */
  private static void drain(HttpURLConnection c) {
    try {
      InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
      if (in != null) {
        try (in) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
    } catch (IOException e) {
      c.disconnect();
    }
  }

  private static String scope(String repository, boolean push) {
    return "repository:" + repository + (push ? ":pull,push" : ":pull");
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private synchronized void learn(String challenge) {
    String lower = challenge.toLowerCase(Locale.ROOT).trim();
    if (lower.startsWith("bearer")) {
      Map<String, String> params = new LinkedHashMap<>();
      Matcher m = PARAM.matcher(challenge);
      while (m.find()) {
        params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
      }
      bearerParams = params;
      scheme = "bearer";
    } else if (lower.startsWith("basic")) {
      scheme = "basic";
    } else {
      scheme = credentials.get() != null ? "basic" : "none";
    }
  }

  /**
   * Declares that the registry takes Basic credentials (ECR does), so they are sent with the first request
   * instead of after a 401. Otherwise requests go out without credentials until the registry's challenge says
   * what it wants (no separate {@code GET /v2/} round trip either way).
   */
  public RegistryClient assumingBasicAuth() {
    scheme = "basic";
    hostBound = true;
    return this;
  }

  private volatile boolean ecr;

  /**
   * Declares the registry to be ECR's: a refused request (403) names the IAM action ECR checks for it. ECR's
   * own refusal usually says it ("denied: User: ... is not authorized to perform: ecr:InitiateLayerUpload ..."),
   * but a refused HEAD has no body to say anything.
   */
  public RegistryClient namingEcrActions() {
    ecr = true;
    return this;
  }

  /**
   * The IAM action ECR checks for a registry API request (ECR user guide, "Amazon ECR registry API" and the
   * push/pull permissions of "Private repository policies"), or null for the version check {@code /v2/}.
   */
  public static String ecrAction(String method, String path) {
    String p = path.replaceAll("\\?.*", "");
    if (p.contains("/manifests/")) {
      return method.equals("PUT") ? "ecr:PutImage" : "ecr:BatchGetImage";
    }
    if (p.contains("/blobs/uploads")) {
      return switch (method) {
        case "PATCH" -> "ecr:UploadLayerPart";
        case "PUT" -> "ecr:CompleteLayerUpload";
        default -> "ecr:InitiateLayerUpload";
      };
    }
    if (p.contains("/blobs/")) {
      return method.equals("HEAD") ? "ecr:BatchCheckLayerAvailability" : "ecr:GetDownloadUrlForLayer";
    }
    return null;
  }

  private String namingAction(String message, String method, String path, int status) {
    String action = ecr && status == 403 ? ecrAction(method, path) : null;
    return action == null ? message : IamRefusals.naming(message, action);
  }

  /** The Authorization header for a request, as the registry's challenge asked for. */
  private String authorization(String scope) throws IOException {
    String s = scheme;
    if ("basic".equals(s)) {
      RegistryCredentials c = credentials.get();
      return c == null ? null : c.basicHeader();
    }
    if ("bearer".equals(s) && scope != null) {
      String token = tokens.get(scope);
      if (token == null) {
        token = fetchToken(scope);
        tokens.put(scope, token);
      }
      return "Bearer " + token;
    }
    return null;
  }

  private String fetchToken(String scope) throws IOException {
    Map<String, String> p = bearerParams;
    String realm = p.get("realm");
    if (realm == null) {
      throw BerthException.access("registry " + base + " asked for a bearer token but named no realm", null);
    }
    StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (p.get("service") != null) {
      q.append("service=").append(enc(p.get("service"))).append('&');
    }
    for (String one : scope.split(" ")) {
      q.append("scope=").append(enc(one)).append('&');
    }
    URI tokenUri = URI.create(q.substring(0, q.length() - 1));
    if (tokenUri.getHost() == null || tokenUri.getRawUserInfo() != null
        || !("https".equals(tokenUri.getScheme()) || "http".equals(tokenUri.getScheme()))) {
      throw BerthException.access("registry " + base + " named a token realm that is not a plain https URL: "
          + tokenUri.getScheme() + "://" + tokenUri.getHost(), null);
    }
    if ("http".equals(tokenUri.getScheme()) && !ImageReference.isLoopback(tokenUri.getHost())) {
      throw BerthException.access("registry " + base + " sends credentials to a plain-http token realm "
          + tokenUri.getAuthority() + "; only loopback hosts may use http", null);
    }
    // credentials that belong to this registry's host (ECR's token) never go to a realm on another host; a
    // source registry's own login goes to its realm (Docker Hub's is auth.docker.io), over https
    RegistryCredentials cred = hostBound && !base.getHost().equalsIgnoreCase(tokenUri.getHost()) ? null
        : credentials.get();
    boolean refresh = cred != null && RegistryLogins.IDENTITY_TOKEN_USER.equals(cred.username());
    Map<String, String> headers = cred == null || refresh ? Map.of() : Map.of("Authorization", cred.basicHeader());
    JsonNode body = retrying((refresh ? "POST" : "GET") + " token from " + tokenUri.getHost(), () -> {
      // an identity token (Docker config "identitytoken") is an OAuth2 refresh token, exchanged by POST
      HttpURLConnection c = refresh ? connect("POST", URI.create(realm), Map.of("Content-Type",
          "application/x-www-form-urlencoded"), Body.of(refreshForm(p, scope, cred.password())))
          : connect("GET", tokenUri, headers);
      int status = status(c);
      if (status >= 500 || status == 429) {
        drain(c);
        throw new Retryable("token service " + tokenUri.getHost() + " answered HTTP " + status, -1);
      }
      if (status != 200) {
        drain(c);
        throw BerthException.access("token service " + tokenUri.getHost() + " refused a token for " + scope
            + " (HTTP " + status + ")" + (cred == null ? ": no credentials were given" : ""), null);
      }
      try (InputStream in = c.getInputStream()) {
        return JsonDocs.parse(readBounded(in, c.getContentLengthLong(), MAX_TOKEN_ANSWER,
            "token service " + tokenUri.getHost()));
      } catch (IllegalArgumentException e) {
        throw BerthException.access("token service " + tokenUri.getHost() + " answered " + e.getMessage(), null);
      }
    });
    String token = JsonDocs.text(body, "token") != null ? JsonDocs.text(body, "token")
        : JsonDocs.text(body, "access_token");
    if (token == null || token.isEmpty()) {
      throw BerthException.access("token service " + tokenUri.getHost() + " answered without a token", null);
    }
    SecretMasker.global().register(token);
    return token;
  }

  private static byte[] refreshForm(Map<String, String> params, String scope, String refreshToken) {
    StringBuilder f = new StringBuilder("grant_type=refresh_token&client_id=berth&refresh_token=")
        .append(enc(refreshToken));
    if (params.get("service") != null) {
      f.append("&service=").append(enc(params.get("service")));
    }
    f.append("&scope=").append(enc(scope));
    return f.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void expect(HttpURLConnection c, String what, int... ok) throws IOException {
    int status = status(c);
    for (int code : ok) {
      if (status == code) {
        return;
      }
    }
    String body = "";
    InputStream err = status >= 400 ? c.getErrorStream() : c.getInputStream();
    if (err != null) {
      try (err) {
        body = new String(err.readNBytes(4000), StandardCharsets.UTF_8);
        err.transferTo(OutputStream.nullOutputStream());
      }
    }
    String detail = errorDetail(body);
    String message = what + " at " + base + " failed: HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
    if (status == 401 || status == 403) {
      throw BerthException.access(namingAction(message, c.getRequestMethod(), c.getURL().getPath(), status), null);
    }
    if (status >= 500 || status == 429) {
      long retryAfter = -1;
      try {
        String h = c.getHeaderField("Retry-After");
        retryAfter = h == null ? -1 : Long.parseLong(h.trim());
      } catch (NumberFormatException e) {
        // an HTTP date: use our own backoff
      }
      throw new Retryable(message, retryAfter);
    }
    throw BerthException.failed(message);
  }

  private static String errorDetail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      StringBuilder sb = new StringBuilder();
      for (JsonNode e : JsonDocs.parse(body.getBytes(StandardCharsets.UTF_8)).path("errors")) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append(e.path("code").asText("")).append(' ').append(e.path("message").asText(""));
      }
      if (sb.length() > 0) {
        return sb.toString().trim();
      }
    } catch (RuntimeException e) {
      // not the registry's JSON error document: show the start of the text
    }
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
  }

  /** A 5xx or 429: worth another attempt. */
  static final class Retryable extends BerthException {
    final long retryAfterSeconds;

    Retryable(String message, long retryAfterSeconds) {
      super(Outcome.FAILED, message);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException, InterruptedException;
  }

  <T> T retrying(String what, Attempt<T> attempt) {
    long backoff = settings.firstBackoffMillis();
    for (int i = 1; ; i++) {
      try {
        return attempt.run();
      } catch (Retryable e) {
        if (i >= settings.attempts()) {
          throw BerthException.failed(e.getMessage() + " (after " + i + " attempts)", e);
        }
        pause(e.retryAfterSeconds > 0 ? Math.min(e.retryAfterSeconds * 1000, 30_000) : backoff);
      } catch (IOException e) {
        if (i >= settings.attempts()) {
          Outcome outcome = e instanceof SocketTimeoutException ? Outcome.TIMED_OUT : Outcome.ACCESS;
          throw new BerthException(outcome, what + " at " + base + " failed after " + i + " attempts: "
              + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        pause(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw BerthException.failed(what + " was interrupted", e);
      }
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  private void pause(long millis) {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BerthException.failed("interrupted while waiting to retry", e);
    }
  }

  @Override
  public String toString() {
    return "RegistryClient[" + base + "]";
  }
}
